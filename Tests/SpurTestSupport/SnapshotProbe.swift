import Foundation
import Testing

/// What `spur __snapshot` answered: a tree, a refusal (exit status and message), a crash (killed
/// by a signal) or no answer in time.
public enum SpurSnapshotAnswer: Equatable, CustomStringConvertible, Sendable {
    case tree(String)
    case refused(Int32, String)
    case crashed(Int32, String)
    case hung

    public var description: String {
        switch self {
        case .tree(let tree): "tree \(tree)"
        case .refused(let status, let message): "refused (exit \(status)): \(message)"
        case .crashed(let status, let message): "crashed (status \(status)): \(message.suffix(300))"
        case .hung: "no answer within 20 s"
        }
    }

    /// The refusal's message, if it is one.
    public var message: String? {
        if case .refused(_, let message) = self { return message }
        return nil
    }
}

/// git's answer for a working tree: the tree `git add -A` writes, or its refusal (first error line).
public enum GitSnapshotAnswer: Equatable, Sendable { case tree(String), refused(String) }

/// Issue #15's oracle, shared by the SpurKit and command-line tests: a repository built by a bash
/// script (so names are exact bytes), git's answer (`git add -A` into a copy of the index, times
/// kept) and spur's (`spur __snapshot`, a separate process), and the comparisons every directed
/// test makes. Guarantees: "agreement" means the same tree, or both refuse and spur says why in
/// one line; a refusal on purpose also leaves no spur ref and `.git/index` byte for byte as it was.
public enum SnapshotProbe {
    /// A new repository after `git init` and `script` (bash, `set -e`), run in its root.
    public static func repository(_ script: String) throws -> TestRepository {
        let repository = try TestRepository.empty()
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", "set -e\nexport GIT_LITERAL_PATHSPECS=1\n" + script],
                                           cwd: repository.root, environment: repository.environment)
        guard result.status == 0 else {
            repository.remove()
            throw TestFailure("the set-up script exited \(result.status): \(result.stderr)")
        }
        return repository
    }

    /// git's tree for the working tree, from a copy of the index that keeps the index's times.
    public static func oracle(_ repository: TestRepository, workdir: String? = nil) throws -> GitSnapshotAnswer {
        let index = repository.scratch + "/oracle-index"
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", """
            real=$(git rev-parse --path-format=absolute --git-path index)
            export GIT_INDEX_FILE='\(index)'
            rm -f "$GIT_INDEX_FILE"
            if [ -f "$real" ]; then cp -p "$real" "$GIT_INDEX_FILE"; else git read-tree HEAD 2>/dev/null; fi
            timeout 20 git add -A 2>'\(index).err' >/dev/null || { grep -a -m1 -E '^(error|fatal)' '\(index).err' || head -1 '\(index).err'; exit 3; }
            git write-tree
            """], cwd: workdir ?? repository.root, environment: repository.environment)
        let output = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if result.status == 3 { return .refused(output) }
        guard result.status == 0 else { throw TestFailure("the oracle failed: \(result.stderr)") }
        return .tree(output)
    }

    /// `spur __snapshot` run in `cwd` (default the root), bounded in time.
    public static func spur(_ repository: TestRepository, cwd: String? = nil) throws -> SpurSnapshotAnswer {
        // Through bash (not exec'd), so a death by signal reads as 128 + the signal's number.
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", "timeout 20 \"$0\" __snapshot; exit $?", SpurExecutable.path],
                                           cwd: cwd ?? repository.root, environment: repository.environment)
        switch result.status {
        case 0:
            guard let commit = result.lines.last else { return .refused(0, "printed nothing") }
            return .tree(try repository.git("rev-parse", "\(commit)^{tree}", cwd: cwd).trimmingCharacters(in: .whitespacesAndNewlines))
        case 124: return .hung
        case 129...: return .crashed(result.status, result.stderr)
        default: return .refused(result.status, result.stderr)
        }
    }

    /// The difference between spur's answer and git's, or nil when they agree: the same tree, or
    /// both refuse and spur says why in one line with exit status 1.
    public static func difference(_ repository: TestRepository, cwd: String? = nil) throws -> String? {
        let git = try oracle(repository, workdir: cwd)
        let spur = try spur(repository, cwd: cwd)
        switch (git, spur) {
        case (.tree(let expected), .tree(let actual)):
            guard expected != actual else { return nil }
            let diff = try repository.git("diff-tree", "-r", "--no-renames", expected, actual, cwd: cwd)
            return "git records \(expected), spur \(actual):\n\(diff)"
        case (.refused, .refused(let status, let message)):
            let lines = message.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n")
            if lines.count != 1 { return "spur refuses as git does, but not in one line: \(message)" }
            return status == 1 ? nil : "spur refuses as git does, but with exit status \(status): \(message)"
        case (.tree(let expected), _):
            return "git records \(expected), spur \(spur)"
        case (.refused(let reason), _):
            return "git refuses (\(reason)), spur \(spur)"
        }
    }

    /// Expects spur to agree with git; with `knownIssue`, expects it still to differ (the test
    /// then fails once the difference is fixed, and the fixer removes the argument).
    public static func expectAgreement(_ repository: TestRepository, cwd: String? = nil, knownIssue: String? = nil,
                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let difference = try difference(repository, cwd: cwd)
        if let knownIssue {
            withKnownIssue(Comment(rawValue: knownIssue)) {
                #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
            }
        } else {
            #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
        }
    }

    /// `expectAgreement` for the repository `script` builds (removed afterwards).
    public static func expectAgreement(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try repository(script)
        defer { repository.remove() }
        try expectAgreement(repository, sourceLocation: sourceLocation)
    }

    /// Expects spur to refuse on purpose: exit 1, one line naming `reason`, and nothing recorded
    /// (no spur ref, `.git/index` unchanged).
    public static func expectRefusal(_ repository: TestRepository, naming reason: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let indexBefore = FileManager.default.contents(atPath: repository.root + "/.git/index")
        let answer = try spur(repository)
        guard case .refused(let status, let message) = answer else {
            Issue.record("expected a refusal naming \(reason), got \(answer)", sourceLocation: sourceLocation)
            return
        }
        #expect(status == 1, sourceLocation: sourceLocation)
        let lines = message.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n")
        #expect(lines.count == 1 && message.contains(reason), "\(message)", sourceLocation: sourceLocation)
        let refs = try repository.git("for-each-ref", "refs/spur")
        #expect(refs.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "spur recorded \(refs)", sourceLocation: sourceLocation)
        #expect(FileManager.default.contents(atPath: repository.root + "/.git/index") == indexBefore, sourceLocation: sourceLocation)
    }

    /// `expectRefusal` for the repository `script` builds, the message naming each of `words`,
    /// whatever git does: a case spur declines on purpose.
    public static func expectRefusal(_ script: String, naming words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try repository(script)
        defer { repository.remove() }
        for word in words { try expectRefusal(repository, naming: word, sourceLocation: sourceLocation) }
    }

    /// Expects a new lane's files to be what `git worktree add --detach` of its snapshot gives.
    public static func expectLaneMatchesGitWorktreeAdd(_ repository: TestRepository, knownIssue: String? = nil,
                                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let spawn = try ProcessRunner.run("/usr/bin/timeout", ["20", SpurExecutable.path, "spawn", "diff", "--no-run"],
                                          cwd: repository.root, environment: repository.environment)
        var difference: String?
        if spawn.status != 0 {
            difference = "spur spawn fails (exit \(spawn.status)): \(spawn.stderr)"
        } else {
            defer { _ = try? repository.spur("discard", "diff", "--force") }
            difference = try laneFilesDifference(repository, lane: spawn.lines.last ?? "", commit: "refs/spur/lanes/diff/base")
        }
        if let knownIssue {
            withKnownIssue(Comment(rawValue: knownIssue)) {
                #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
            }
        } else {
            #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
        }
    }

    /// Compares the files under `lane` with `git worktree add --detach` of `commit`: paths,
    /// types, modes, link targets and bytes. Nil when equal.
    public static func laneFilesDifference(_ repository: TestRepository, lane: String, commit: String) throws -> String? {
        let reference = repository.scratch + "/reference"
        try repository.git("worktree", "add", "--detach", "-q", reference, commit)
        defer { _ = try? repository.git("worktree", "remove", "--force", reference) }
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", """
            list() { (cd "$1" && find . -path ./.git -prune -o -printf '%P\\t%y %m %l\\0' | LC_ALL=C sort -z | tr '\\0' '\\n'); }
            diff <(list '\(reference)') <(list '\(lane)') && diff -rq --no-dereference -x .git '\(reference)' '\(lane)'
            """], cwd: repository.root, environment: repository.environment)
        return result.status == 0 ? nil : "the lane's files differ from git worktree add of \(commit) (< git, > spur):\n\(result.stdout.prefix(1500))"
    }

    /// The blob at `path` (bytes given as a bash word) in `tree`.
    public static func blob(_ repository: TestRepository, _ tree: String, _ path: String) throws -> String {
        try repository.shell("git cat-file blob \(tree):\(path)")
    }
}
