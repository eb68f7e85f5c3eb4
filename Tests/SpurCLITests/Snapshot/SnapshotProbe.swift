import Foundation
import Testing
import SpurTestSupport

/// What `spur __snapshot` answered: a tree, a refusal (exit status and message), a crash (killed
/// by a signal) or no answer in time.
enum SpurSnapshotAnswer: Equatable, CustomStringConvertible {
    case tree(String)
    case refused(Int32, String)
    case crashed(Int32, String)
    case hung

    var description: String {
        switch self {
        case .tree(let tree): "tree \(tree)"
        case .refused(let status, let message): "refused (exit \(status)): \(message)"
        case .crashed(let status, let message): "crashed (status \(status)): \(message.suffix(300))"
        case .hung: "no answer within 20 s"
        }
    }
}

/// Directed issue #15 cases: a repository built by a bash script (so names are exact bytes),
/// spur's snapshot and git's oracle for it, and the comparison every directed test makes.
enum SnapshotProbe {
    /// A new repository after `git init` and `script` (bash, `set -e`), run in its root.
    static func repository(_ script: String) throws -> TestRepository {
        let repository = try TestRepository.empty()
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", "set -e\nexport GIT_LITERAL_PATHSPECS=1\n" + script],
                                           cwd: repository.root, environment: repository.environment)
        guard result.status == 0 else {
            repository.remove()
            throw TestFailure("the set-up script exited \(result.status): \(result.stderr)")
        }
        return repository
    }

    /// `spur __snapshot` run in `cwd` (default the root), bounded in time.
    static func spur(_ repository: TestRepository, cwd: String? = nil) throws -> SpurSnapshotAnswer {
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
    /// both refuse and spur says why in one line.
    static func difference(_ repository: TestRepository, cwd: String? = nil) throws -> String? {
        let git = try SnapshotDifferential.oracle(repository, workdir: cwd)
        let spur = try spur(repository, cwd: cwd)
        switch (git, spur) {
        case (.tree(let expected), .tree(let actual)):
            guard expected != actual else { return nil }
            let diff = try repository.git("diff-tree", "-r", "--no-renames", expected, actual, cwd: cwd)
            return "git records \(expected), spur \(actual):\n\(diff)"
        case (.refused, .refused(_, let message)):
            let lines = message.split(separator: "\n")
            return lines.count == 1 ? nil : "spur refuses as git does, but not in one line: \(message)"
        case (.tree(let expected), _):
            return "git records \(expected), spur \(spur)"
        case (.refused(let reason), _):
            return "git refuses (\(reason)), spur \(spur)"
        }
    }

    /// Expects spur to agree with git; with `knownIssue`, expects it still to differ (the test
    /// then fails once the difference is fixed, and the fixer removes the argument).
    static func expectAgreement(_ repository: TestRepository, cwd: String? = nil, knownIssue: String? = nil,
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

    /// Expects spur to refuse on purpose: exit 1, one line naming `reason`, and nothing recorded
    /// (no spur ref, `.git/index` unchanged).
    static func expectRefusal(_ repository: TestRepository, naming reason: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let indexBefore = FileManager.default.contents(atPath: repository.root + "/.git/index")
        let answer = try spur(repository)
        guard case .refused(let status, let message) = answer else {
            Issue.record("expected a refusal naming \(reason), got \(answer)", sourceLocation: sourceLocation)
            return
        }
        #expect(status == 1, sourceLocation: sourceLocation)
        #expect(message.split(separator: "\n").count == 1 && message.contains(reason), "\(message)", sourceLocation: sourceLocation)
        let refs = try repository.git("for-each-ref", "refs/spur")
        #expect(refs.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "spur recorded \(refs)", sourceLocation: sourceLocation)
        #expect(FileManager.default.contents(atPath: repository.root + "/.git/index") == indexBefore, sourceLocation: sourceLocation)
    }

    /// Expects a new lane's files to be what `git worktree add --detach` of its snapshot gives.
    static func expectLaneMatchesGitWorktreeAdd(_ repository: TestRepository, knownIssue: String? = nil,
                                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let spawn = try ProcessRunner.run("/usr/bin/timeout", ["20", SpurExecutable.path, "spawn", "diff", "--no-run"],
                                          cwd: repository.root, environment: repository.environment)
        var difference: String?
        if spawn.status != 0 {
            difference = "spur spawn fails (exit \(spawn.status)): \(spawn.stderr)"
        } else {
            defer { _ = try? repository.spur("discard", "diff", "--force") }
            difference = try SnapshotDifferential.laneFilesDifference(repository, lane: spawn.lines.last ?? "", commit: "refs/spur/lanes/diff/base")
        }
        if let knownIssue {
            withKnownIssue(Comment(rawValue: knownIssue)) {
                #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
            }
        } else {
            #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
        }
    }

    /// The blob at `path` (bytes given as a bash word) in `tree`.
    static func blob(_ repository: TestRepository, _ tree: String, _ path: String) throws -> String {
        try repository.shell("git cat-file blob \(tree):\(path)")
    }
}
