import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// `status` and `merge` decide by the same rule (#16 §3): what status calls clean, merge
/// writes; what it calls a conflict, merge refuses. The case from the issue: the lane moved
/// `flask/` to `src/flask/`, you edited `flask/cli.py`.
@Suite struct MergeVerdictTests {
    @Test func aFolderTheLaneMovedWhileYouEditedAFileInItIsCleanInStatusAndMergesIntoTheMovedFile() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        let cli = (1...30).map { "line \($0)\n" }.joined()
        try repository.write("flask/cli.py", cli)
        try repository.write("flask/app.py", "app\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try makeLane(repository, "move") { worktree in
            try FileManager.default.createDirectory(atPath: worktree + "/src", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: worktree + "/flask", toPath: worktree + "/src/flask")
        }
        try repository.write("flask/cli.py", cli.replacingOccurrences(of: "line 3\n", with: "three by you\n"))

        let status = try repository.spur("status", "move", "--json")
        #expect(status.stdout.contains("\"clean\"") && !status.stdout.contains("\"conflict\""), "\(status.stdout)")

        let merge = try repository.spur("merge", "move")
        #expect(merge.status == 0, "\(merge.stdout) \(merge.stderr)")
        #expect(try repository.read("src/flask/cli.py").contains("three by you"))
        #expect(!FileManager.default.fileExists(atPath: repository.root + "/flask/cli.py"))
        try repository.requireWorkingTreeHoldsLastMerge()
    }

    @Test func aConflictInTheMovedFileIsAConflictInStatusAndMergeWritesNothing() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        let cli = (1...30).map { "line \($0)\n" }.joined()
        try repository.write("flask/cli.py", cli)
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try makeLane(repository, "move") { worktree in
            try FileManager.default.createDirectory(atPath: worktree + "/src", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: worktree + "/flask", toPath: worktree + "/src/flask")
            try cli.replacingOccurrences(of: "line 3\n", with: "three by the lane\n")
                .write(toFile: worktree + "/src/flask/cli.py", atomically: false, encoding: .utf8)
        }
        try repository.write("flask/cli.py", cli.replacingOccurrences(of: "line 3\n", with: "three by you\n"))
        let before = try repository.fingerprint()

        let status = try repository.spur("status", "move", "--json")
        #expect(status.stdout.contains("\"conflict\""), "\(status.stdout)")
        let merge = try repository.spur("merge", "move")
        #expect(merge.status == 1)
        #expect(merge.stdout.contains("src/flask/cli.py"))
        #expect(try repository.fingerprint() == before)
    }
}
