import Foundation
import Testing
import SpurTestSupport

@Suite struct DiscardTests {
    @Test func discardRemovesWorktreeBranchRefsAndRecord() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let before = try repository.userState()
        _ = try repository.spawnLane("done-with")
        let result = try repository.spurSucceeds("discard", "done-with")
        #expect(result.stdout.contains("done-with"))
        try repository.expectNoTraceOfLane("done-with")
        #expect(try repository.spurRefs().isEmpty)
        #expect(try repository.worktreePaths() == [repository.root])
        #expect(try repository.userState() == before)
        let prune = try repository.git("worktree", "prune", "--dry-run", "-v")
        #expect(prune.isEmpty)
    }

    @Test func discardRefusesALaneWithUnmergedChangesAndNamesTheFiles() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("busy")
        try repository.shell("printf 'x\\n' >> README.md && printf 'new\\n' > 'added file.txt' && rm src/main.rs", cwd: lane)
        let before = try Fingerprint.of(lane)
        let refused = try repository.spur("discard", "busy")
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        for file in ["README.md", "added file.txt", "src/main.rs"] {
            #expect(refused.stderr.contains(file), "\(file) not named: \(refused.stderr)")
        }
        #expect(!refused.stderr.contains("notes.txt"), "an unchanged file was named")
        // Nothing was removed.
        #expect(try Fingerprint.of(lane) == before)
        #expect(try repository.laneJSON("busy") != nil)
        #expect(try repository.spurRefs() == ["refs/heads/spur/busy", "refs/spur/lanes/busy/base"])

        try repository.spurSucceeds("discard", "busy", "--force")
        try repository.expectNoTraceOfLane("busy")
    }

    @Test func discardRefusesALaneWhoseChangesAreCommittedOnItsBranch() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("committed")
        try repository.shell("printf 'x\\n' > result.txt && git add result.txt && git commit -q -m result", cwd: lane)
        let refused = try repository.spur("discard", "committed")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("result.txt"))
        #expect(FileManager.default.fileExists(atPath: lane + "/result.txt"))
    }

    @Test func discardOfAnUnknownLaneIsABadRequest() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let result = try repository.spur("discard", "nope")
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
