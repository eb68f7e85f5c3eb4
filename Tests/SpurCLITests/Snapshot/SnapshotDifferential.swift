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
        let git = try oracle(repository)
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

    enum Oracle { case tree(String), refused(String) }

    /// git's tree for the working tree, from a copy of the index that keeps the index's times.
    static func oracle(_ repository: TestRepository, workdir: String? = nil) throws -> Oracle {
        let index = repository.scratch + "/oracle-index"
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", """
            real=$(git rev-parse --path-format=absolute --git-path index)
            export GIT_INDEX_FILE='\(index)'
            rm -f "$GIT_INDEX_FILE"
            if [ -f "$real" ]; then cp -p "$real" "$GIT_INDEX_FILE"; else git read-tree HEAD 2>/dev/null; fi
            timeout 20 git add -A 2>'\(index).err' >/dev/null || { grep -m1 -E '^(error|fatal)' '\(index).err' || head -1 '\(index).err'; exit 3; }
            git write-tree
            """], cwd: workdir ?? repository.root, environment: repository.environment)
        let output = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if result.status == 3 { return .refused(output) }
        guard result.status == 0 else { throw TestFailure("the oracle failed: \(result.stderr)") }
        return .tree(output)
    }

    /// Compares a `--no-run` lane's files with `git worktree add --detach` of the same commit.
    static func laneDifference(_ repository: TestRepository, snapshot: String) throws -> String? {
        let spawn = try ProcessRunner.run("/usr/bin/timeout", ["20", SpurExecutable.path, "spawn", "diff", "--no-run"],
                                          cwd: repository.root, environment: repository.environment)
        guard spawn.status == 0, let lane = spawn.lines.last else {
            return "spur spawn fails (exit \(spawn.status)): \(spawn.stderr.prefix(400))"
        }
        defer { _ = try? repository.spur("discard", "diff", "--force") }
        return try laneFilesDifference(repository, lane: lane, commit: "refs/spur/lanes/diff/base")
    }

    /// Compares the files under `lane` with `git worktree add --detach` of `commit`: paths,
    /// types, modes, link targets and bytes. Nil when equal.
    static func laneFilesDifference(_ repository: TestRepository, lane: String, commit: String) throws -> String? {
        let reference = repository.scratch + "/reference"
        try repository.git("worktree", "add", "--detach", "-q", reference, commit)
        defer { _ = try? repository.git("worktree", "remove", "--force", reference) }
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", """
            list() { (cd "$1" && find . -path ./.git -prune -o -printf '%P\\t%y %m %l\\0' | LC_ALL=C sort -z | tr '\\0' '\\n'); }
            diff <(list '\(reference)') <(list '\(lane)') && diff -rq --no-dereference -x .git '\(reference)' '\(lane)'
            """], cwd: repository.root, environment: repository.environment)
        return result.status == 0 ? nil : "the lane's files differ from git worktree add of \(commit) (< git, > spur):\n\(result.stdout.prefix(1500))"
    }
}
