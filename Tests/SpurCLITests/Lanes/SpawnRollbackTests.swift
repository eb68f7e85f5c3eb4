import Foundation
import Testing
import SpurTestSupport

/// A spawn that fails at any step after it started creating things leaves nothing half-made.
@Suite struct SpawnRollbackTests {
    @Test(arguments: ["spawn-before-worktree", "spawn-after-worktree"])
    func aFailedSpawnLeavesNoBranchRefWorktreeOrRecord(fault: String) throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let before = try repository.userState()
        let result = try repository.spur("spawn", "broken", "--no-run", env: ["SPUR_FAULT": fault])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains(fault))
        try repository.expectNoTraceOfLane("broken")
        #expect(try repository.spurRefs().isEmpty)
        #expect(try repository.worktreePaths() == [repository.root])
        #expect(try repository.userState() == before)
        // The name is free again.
        let lane = try repository.spawnLane("broken")
        #expect(try repository.porcelainStatus(in: lane) == "")
    }

    @Test(arguments: ["spawn-before-worktree", "spawn-after-worktree"])
    func aSpawnKilledHalfwayIsCleanedUpByTheNextSpawn(fault: String) throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let before = try repository.userState()
        let killed = try repository.spur("spawn", "crashed", "--no-run", env: ["SPUR_FAULT": fault + ":kill"])
        #expect(killed.status != 0)
        // Nothing half-made is shown as a lane.
        #expect(try repository.laneJSON("crashed") == nil)
        // The next spawn (of any name) finds the remains and removes them; the name works again.
        _ = try repository.spawnLane("other")
        try repository.expectNoTraceOfLane("crashed")
        let lane = try repository.spawnLane("crashed")
        #expect(try repository.porcelainStatus(in: lane) == "")
        #expect(try repository.userState() == before)
        let fsck = try ProcessRunner.run("/usr/bin/git", ["fsck"], cwd: repository.root, environment: repository.environment)
        #expect(fsck.status == 0)
    }

    /// An intent is a file a task can write: the clean-up of interrupted spawns removes only
    /// the folder a spawn of that name makes, and ignores a file that names another lane.
    @Test func aForgedSpawnIntentCannotMakeTheNextSpawnDeleteAFolder() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let precious = repository.scratch + "/precious"
        try FileManager.default.createDirectory(atPath: precious, withIntermediateDirectories: true)
        try "keep\n".write(toFile: precious + "/file", atomically: false, encoding: .utf8)
        let intents = repository.root + "/.git/spur/lanes/.spawning"
        try FileManager.default.createDirectory(atPath: intents, withIntermediateDirectories: true)
        let base = try repository.revParse("HEAD")
        try "{\"name\": \"forged\", \"base\": \"\(base)\", \"worktree\": \"\(precious)\"}"
            .write(toFile: intents + "/forged.json", atomically: false, encoding: .utf8)
        try "{\"name\": \"../../x\", \"base\": \"\(base)\", \"worktree\": \"\(precious)\"}"
            .write(toFile: intents + "/other.json", atomically: false, encoding: .utf8)
        _ = try repository.spawnLane("next")
        #expect(try String(contentsOfFile: precious + "/file", encoding: .utf8) == "keep\n")
        #expect((try FileManager.default.contentsOfDirectory(atPath: intents)).isEmpty)
    }
}
