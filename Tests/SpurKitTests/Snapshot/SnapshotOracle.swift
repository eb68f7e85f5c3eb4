import Foundation
import Testing
import SpurTestSupport

/// What a snapshot of a working tree came to: a tree, or a refusal (exit status and message),
/// or a death by signal. Used for git (`git add -A` into a copy of the index) and for spur
/// (`spur __snapshot`), so the two can be compared.
enum SnapshotAnswer: Equatable, CustomStringConvertible {
    case tree(String)
    case refused(Int32, String)
    case crashed(Int32, String)

    var description: String {
        switch self {
        case .tree(let tree): "tree \(tree)"
        case .refused(let status, let message): "refused (exit \(status)): \(message)"
        case .crashed(let status, let message): "crashed (status \(status)): \(message.suffix(300))"
        }
    }

    var message: String? {
        if case .refused(_, let message) = self { return message }
        return nil
    }
}

/// Issue #15 directed cases, git as the oracle: a repository built by a bash script, git's
/// answer and spur's, compared.
enum SnapshotOracle {
    /// A new repository after `git init` and `script` (bash, `set -e`) run in its root.
    static func repository(_ script: String) throws -> TestRepository {
        let repository = try TestRepository.empty()
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", "set -e\n" + script],
                                           cwd: repository.root, environment: repository.environment)
        guard result.status == 0 else {
            repository.remove()
            throw TestFailure("the set-up script exited \(result.status): \(result.stderr)")
        }
        return repository
    }

    /// `git add -A` and `git write-tree` on a copy of the index (times kept).
    static func git(_ repository: TestRepository) throws -> SnapshotAnswer {
        let index = repository.scratch + "/oracle-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: index) }
        let script = """
            cp -p .git/index "$0" 2>/dev/null || GIT_INDEX_FILE="$0" git read-tree HEAD 2>/dev/null || true
            GIT_INDEX_FILE="$0" git add -A && GIT_INDEX_FILE="$0" git write-tree
            """
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", script, index], cwd: repository.root, environment: repository.environment)
        guard result.status == 0 else { return .refused(result.status, result.stderr) }
        return .tree(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `spur __snapshot` in the repository.
    static func spur(_ repository: TestRepository) throws -> SnapshotAnswer {
        let result = try ProcessRunner.run("/usr/bin/bash", ["-c", "timeout 60 \"$0\" __snapshot", SpurExecutable.path],
                                           cwd: repository.root, environment: repository.environment)
        switch result.status {
        case 0:
            guard let commit = result.stdout.split(separator: "\n").last else { return .refused(0, "printed nothing") }
            return .tree(try repository.git("rev-parse", "\(commit)^{tree}").trimmingCharacters(in: .whitespacesAndNewlines))
        case 124...: return .crashed(result.status, result.stderr)
        default: return .refused(result.status, result.stderr)
        }
    }

    /// Expects spur's tree to be git's, or both to refuse with spur saying why in one line.
    static func expectAgreement(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try repository(script)
        defer { repository.remove() }
        let expected = try git(repository)
        let actual = try spur(repository)
        switch (expected, actual) {
        case (.tree(let a), .tree(let b)) where a != b:
            let diff = try repository.git("diff-tree", "-r", "--no-renames", a, b)
            Issue.record("git records \(a), spur \(b):\n\(diff)", sourceLocation: sourceLocation)
        case (.tree, .tree): break
        case (.refused, .refused(let status, let message)):
            #expect(status == 1, "\(message)", sourceLocation: sourceLocation)
            #expect(message.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1,
                    "not one line: \(message)", sourceLocation: sourceLocation)
        default:
            Issue.record("git: \(expected); spur: \(actual)", sourceLocation: sourceLocation)
        }
    }

    /// Expects spur to refuse (exit 1, one line) with a message containing each of `words`,
    /// whatever git does: a case spur declines on purpose.
    static func expectRefusal(_ script: String, naming words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try repository(script)
        defer { repository.remove() }
        let actual = try spur(repository)
        guard case .refused(let status, let message) = actual else {
            Issue.record("spur: \(actual)", sourceLocation: sourceLocation)
            return
        }
        #expect(status == 1, "\(message)", sourceLocation: sourceLocation)
        #expect(message.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "not one line: \(message)",
                sourceLocation: sourceLocation)
        for word in words { #expect(message.contains(word), "\(message) does not name \(word)", sourceLocation: sourceLocation) }
    }
}
