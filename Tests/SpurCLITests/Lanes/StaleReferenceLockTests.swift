import Foundation
import Testing
import SpurTestSupport

/// A spur killed while libgit2 wrote one of its refs leaves `<ref>.lock` behind. spur writes its
/// refs only under a lock of its own, so the next spur clears such a leftover and goes on; it
/// never touches the lock of a ref it does not own (issue 14, section 3).
@Suite struct StaleReferenceLockTests {
    /// A repository with lane "task" done: it adds new.txt.
    func repositoryWithFinishedLane() throws -> TestRepository {
        let repo = try TestRepository.empty()
        try repo.write("a.txt", "a\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "base")
        let worktree = try repo.spawnLane("task")
        try "new\n".write(toFile: worktree + "/new.txt", atomically: false, encoding: .utf8)
        try repo.spurSucceeds("finish", "task")
        return repo
    }

    /// Leaves `<ref>.lock` as a writer killed mid-write does (libgit2 writes the new value into it).
    func leaveLock(_ repo: TestRepository, _ ref: String) throws {
        let lock = repo.root + "/.git/" + ref + ".lock"
        try FileManager.default.createDirectory(atPath: (lock as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "0123456789012345678901234567890123456789\n".write(toFile: lock, atomically: false, encoding: .utf8)
    }

    @Test(arguments: ["before", "after"])
    func aMergeAfterOneKilledWhileWritingItsRefSucceeds(ref: String) throws {
        let repo = try repositoryWithFinishedLane()
        defer { repo.remove() }
        try leaveLock(repo, "refs/spur/merges/1/\(ref)")
        try leaveLock(repo, "refs/heads/main")  // not spur's: must stay
        let merged = try repo.spur("merge", "task")
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try repo.read("new.txt") == "new\n")
        #expect(!repo.exists(".git/refs/spur/merges/1/\(ref).lock"))
        #expect(try repo.revParse("refs/spur/merges/1/before").count == 40)
        #expect(repo.exists(".git/refs/heads/main.lock"))
        // The merge is recorded as usual: undo takes it back.
        try repo.spurSucceeds("undo")
        #expect(!repo.exists("new.txt"))
    }

    @Test func aSpawnKilledWhileWritingItsBranchDoesNotBlockTheName() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        // Killed after its intent, base ref and branch; then the branch made as a kill during its
        // write leaves it: no ref, only the lock.
        let killed = try repo.spur("spawn", "crashed", "--no-run", env: ["SPUR_FAULT": "spawn-before-worktree:kill"])
        #expect(killed.status != 0)
        try repo.git("update-ref", "-d", "refs/heads/spur/crashed")
        try leaveLock(repo, "refs/heads/spur/crashed")
        let lane = try repo.spawnLane("crashed")
        #expect(try repo.porcelainStatus(in: lane) == "")
        #expect(!repo.exists(".git/refs/heads/spur/crashed.lock"))
        try repo.spurSucceeds("discard", "crashed")
        try repo.expectNoTraceOfLane("crashed")
    }

    @Test func discardRemovesWhatAKilledSpawnOfThatNameLeft() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let killed = try repo.spur("spawn", "crashed", "--no-run", env: ["SPUR_FAULT": "spawn-before-worktree:kill"])
        #expect(killed.status != 0)
        try repo.git("update-ref", "-d", "refs/heads/spur/crashed")
        try leaveLock(repo, "refs/heads/spur/crashed")
        let discarded = try repo.spur("discard", "crashed")
        #expect(discarded.status == 0, "\(discarded.stderr)")
        try repo.expectNoTraceOfLane("crashed")
        #expect(!repo.exists(".git/refs/heads/spur/crashed.lock"))
        #expect(try repo.spurRefs().isEmpty)
    }

    @Test func aStaleLockOnALanesBranchOrBaseRefDoesNotBlockSpawnOrDiscard() throws {
        let repo = try repositoryWithFinishedLane()
        defer { repo.remove() }
        try leaveLock(repo, "refs/heads/spur/fresh")
        try leaveLock(repo, "refs/spur/lanes/fresh/base")
        _ = try repo.spawnLane("fresh")
        try leaveLock(repo, "refs/heads/spur/task")
        try leaveLock(repo, "refs/spur/lanes/task/base")
        try repo.spurSucceeds("discard", "--force", "task")
        try repo.expectNoTraceOfLane("task")
        #expect(!repo.exists(".git/refs/heads/spur/task.lock"))
    }
}
