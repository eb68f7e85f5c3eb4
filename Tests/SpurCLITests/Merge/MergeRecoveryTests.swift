import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// Recovering from a merge that stopped part way (issue 14, section 3).
@Suite struct MergeRecoveryTests {
    @Test func undoAfterAMergeKilledMidWriteRemovesTheFoldersTheMergeMade() throws {
        let repository = try repositoryWithLane { worktree in
            try FileManager.default.createDirectory(atPath: worktree + "/new/deep", withIntermediateDirectories: true)
            try "nested\n".write(toFile: worktree + "/new/deep/file.txt", atomically: false, encoding: .utf8)
        }
        defer { repository.remove() }
        let before = try repository.fingerprint()

        // Killed with the temporary of new/deep/file.txt written in the folders it made.
        let killed = try repository.spur("merge", "task", env: ["SPUR_FAULT": "file-before-swap@1:kill"])
        #expect(killed.status != 0)
        #expect(repository.exists("new/deep"))

        let undo = try repository.spur("undo")

        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(!repository.exists("new"), "the folders the merge made are gone")
        #expect(try repository.fingerprint() == before)
    }

    @Test func aMergeThatCannotRecordItsEndSaysEveryFileWasWrittenAndHowToFinish() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)

        // As a full disk would: the files are written, then recording the end fails.
        let result = try repository.spur("merge", "task", env: ["SPUR_FAULT": "merge-before-finish"])

        #expect(result.status == 1)
        #expect(result.stderr.contains("wrote all 3 files"), "\(result.stderr)")
        #expect(result.stderr.contains("spur merge --continue"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        try repository.requireWorkingTreeHoldsLastMerge()

        let continued = try repository.spur("merge", "--continue")

        #expect(continued.status == 0, "\(continued.stderr)")
        try repository.requireWorkingTreeHoldsLastMerge()
        #expect(try laneState(repository, "task") == .merged)
        #expect(try repository.spur("list").stderr.isEmpty)
    }

    @Test func aMergeThatCannotRecordItsUndoPointSaysNothingWasWrittenAndLeavesNoRecord() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "task", env: ["SPUR_FAULT": "merge-before-record"])

        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing was written") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(try repository.fingerprint() == before)
        #expect(try repository.git("for-each-ref", "refs/spur/merges/").isEmpty)
        #expect(try repository.spur("undo").status == 1)
        #expect(try repository.spur("merge", "task").status == 0)
        try repository.requireWorkingTreeHoldsLastMerge()
    }
}
