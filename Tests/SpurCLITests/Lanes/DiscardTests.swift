import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    @Test func forcedDiscardOfARunningLaneEndsItsTaskAndItsSupervisorFirst() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        try repository.spurSucceeds("spawn", "again", "--", "sleep", "30")
        let record = try String(contentsOfFile: repository.path(".git/spur/lanes/again.json"), encoding: .utf8)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any])
        let supervisor = Int32(try #require(fields["supervisorPID"] as? Int))
        let task = Int32(try #require(fields["taskPID"] as? Int))
        try repository.spurSucceeds("discard", "again", "--force")
        // Left running, the supervisor would record its task's end into a lane made anew under
        // this name. It has recorded the end already and leaves moments later.
        let journal = ChangeJournalTests()
        #expect(journal.ended(supervisor), "the task's supervisor still runs after discard")
        #expect(journal.ended(task), "the task still runs after discard")
        try repository.expectNoTraceOfLane("again")
        let worktree = try repository.spawnLane("again")
        try repository.shell("echo by hand >> src/main.txt", cwd: worktree)
        #expect(try repository.listedLane("again").state == "created")
    }

    @Test func discardOfAnUnknownLaneIsABadRequest() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let result = try repository.spur("discard", "nope")
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
