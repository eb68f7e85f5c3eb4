import Foundation
import SpurTestSupport

/// Runs one generated case: builds the repository, takes spur's snapshot (`spur __snapshot`, a
/// separate process so a crash in libgit2 is a reported difference, not a dead test run), takes
/// git's (`git add -A` into a copy of the index, times kept), and says how they differ.
/// Guarantees: `nil` only when both agree (same tree, or both refuse) and `.git/index` is
/// byte for byte unchanged; with `lane`, also when the lane's files are what
/// `git worktree add --detach` of the snapshot gives (paths, types, modes, link targets, bytes).
enum SnapshotDifferential {
    static func difference(in snapshotCase: SnapshotCase, lane: Bool) throws -> String? {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        let script = repository.scratch + "/case.sh"
        try snapshotCase.script.write(toFile: script, atomically: false, encoding: .utf8)
        var environment = repository.environment
        environment["TMPDIR_CASE"] = repository.scratch
        _ = try ProcessRunner.run("/usr/bin/bash", [script], cwd: repository.root, environment: environment)

        let indexPath = repository.root + "/.git/index"
        let indexBefore = FileManager.default.contents(atPath: indexPath)
        // A bounded wait: spur reading a FIFO (a tracked file replaced by one) blocks forever.
        // Through bash (not exec'd), so a death by signal reads as 128 + the signal's number.
        let spur = try ProcessRunner.run("/usr/bin/bash", ["-c", "timeout 20 \"$0\" __snapshot; exit $?", SpurExecutable.path],
                                         cwd: repository.root, environment: repository.environment)
        if spur.status == 124 { return "spur hangs (no answer within 20 s)" }
        if spur.status > 128 || spur.status < 0 { return "spur crashes (status \(spur.status)): \(spur.stderr.suffix(300))" }
        if FileManager.default.contents(atPath: indexPath) != indexBefore {
            return "spur changed .git/index"
        }
        let git = try SnapshotProbe.oracle(repository)
        let spurTree: String?
        if spur.status == 0, let commit = spur.lines.last {
            spurTree = try repository.git("rev-parse", "\(commit)^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            spurTree = nil
        }
        switch (git, spurTree) {
        case (.refused(let reason), nil):
            let lines = spur.stderr.split(separator: "\n")
            return lines.count == 1 ? nil : "both refuse, but spur's message is not one line (git: \(reason)): \(spur.stderr)"
        case (.refused(let reason), .some(let tree)):
            return "git refuses (\(reason)), spur records tree \(tree)"
        case (.tree(let tree), nil):
            return "spur fails (exit \(spur.status)) where git records \(tree): \(spur.stderr.prefix(400))"
        case (.tree(let expected), .some(let actual)):
            if expected != actual {
                let diff = try repository.git("diff-tree", "-r", "--no-renames", expected, actual)
                return "trees differ: git \(expected), spur \(actual)\n\(diff)"
            }
        }
        guard lane, let commit = spur.lines.last else { return nil }
        return try laneDifference(repository, snapshot: commit)
    }

    /// Compares a `--no-run` lane's files with `git worktree add --detach` of the same commit.
    static func laneDifference(_ repository: TestRepository, snapshot: String) throws -> String? {
        let spawn = try ProcessRunner.run("/usr/bin/timeout", ["20", SpurExecutable.path, "spawn", "diff", "--no-run"],
                                          cwd: repository.root, environment: repository.environment)
        guard spawn.status == 0, let lane = spawn.lines.last else {
            return "spur spawn fails (exit \(spawn.status)): \(spawn.stderr.prefix(400))"
        }
        defer { _ = try? repository.spur("discard", "diff", "--force") }
        return try SnapshotProbe.laneFilesDifference(repository, lane: lane, commit: "refs/spur/lanes/diff/base")
    }
}
