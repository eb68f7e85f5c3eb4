import Foundation
import Testing
import SpurTestSupport

/// A lane whose worktree was removed behind spur's back (`git worktree remove`, `rm -rf` with or
/// without `git worktree prune`, as Claude Code may do) keeps its result, is shown as `removed`
/// when it had none, and is cleaned by `spur gc` without losing anything that holds changes
/// (issue 18, section 1, third bullet).
@Suite struct RemovedWorktreeTests {
    /// The ways a worktree disappears.
    enum Removal: String, CaseIterable, Sendable {
        case gitWorktreeRemove, rmAndPrune, rmOnly

        func apply(to worktree: String, in repo: TestRepository) throws {
            switch self {
            case .gitWorktreeRemove: _ = try repo.git("worktree", "remove", "--force", worktree)
            case .rmAndPrune:
                try FileManager.default.removeItem(atPath: worktree)
                _ = try repo.git("worktree", "prune")
            case .rmOnly: try FileManager.default.removeItem(atPath: worktree)
            }
        }
    }

    func adminFolder(_ repo: TestRepository, _ name: String) -> String { repo.root + "/.git/worktrees/spur-\(name)" }

    func watcherPID(_ repo: TestRepository, _ name: String) throws -> Int32 {
        let data = try Data(contentsOf: URL(fileURLWithPath: adminFolder(repo, name) + "/spur-journal-state"))
        let state = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((state["pid"] as? NSNumber)?.int32Value)
    }

    /// Waits (bounded, 5 s) for a process asked to end; true once it has.
    func ended(_ pid: Int32) -> Bool {
        for _ in 0..<100 where processIsRunning(pid) { usleep(50_000) }
        return !processIsRunning(pid)
    }

    func archived(_ repo: TestRepository) throws -> [[String: Any]] {
        let result = try repo.spurSucceeds("list", "--archived", "--json")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// A lane "fix" finished by hand with README.md edited and src/new.rs added.
    func finishedLane(_ repo: TestRepository, _ name: String = "fix") throws -> String {
        let worktree = try repo.spawnLane(name)
        try repo.shell("echo 'lane line' >> README.md && echo 'fn new() {}' > src/new.rs", cwd: worktree)
        try repo.spurSucceeds("finish", name)
        return worktree
    }

    @Test(arguments: Removal.allCases)
    func aFinishedLaneWhoseWorktreeWasRemovedStillDiffsShowsComparesAndMergesUndoably(removal: Removal) throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let worktree = try finishedLane(repo)
        try removal.apply(to: worktree, in: repo)

        let listed = try #require(try repo.laneJSON("fix"))
        #expect(listed["state"] as? String == "done")
        #expect(listed["worktreeRemoved"] as? Bool == true)
        #expect((listed["problem"] as? String)?.contains("was removed; the result is kept on branch spur/fix") == true)
        #expect(listed["changedFiles"] as? [String] == ["README.md", "src/new.rs"])

        let diff = try repo.spurSucceeds("diff", "fix").stdout
        #expect(diff.contains("+lane line") && diff.contains("+fn new() {}"))
        let show = try repo.spurSucceeds("show", "fix").stdout
        #expect(show.contains("src/new.rs") && show.contains("spur merge fix"))
        #expect(try repo.spurSucceeds("compare", "fix").stdout.contains("fix"))
        #expect(try repo.spurSucceeds("status").stdout.contains("fix"))

        let before = try repo.read("README.md")
        try repo.spurSucceeds("merge", "fix")
        #expect(try repo.read("README.md") == "hello\nuncommitted edit\nlane line\n")
        #expect(try repo.read("src/new.rs") == "fn new() {}\n")
        try repo.spurSucceeds("undo")
        #expect(try repo.read("README.md") == before)
        #expect(!repo.exists("src/new.rs"))

        // Nothing spur did brought back the folder or, once git dropped it, git's record.
        #expect(!FileManager.default.fileExists(atPath: worktree))
        if removal != .rmOnly { #expect(!FileManager.default.fileExists(atPath: adminFolder(repo, "fix"))) }
        _ = try repo.git("worktree", "prune")
        #expect(try repo.worktreePaths() == [repo.root])
    }

    /// Claude Code runs `git worktree remove` on its worktrees. The lane's watcher hears the
    /// worktree go while git goes on to remove the admin folder the journal lives in: a file the
    /// watcher wrote there then made git fail with "Directory not empty" (about 1 in 15 before).
    @Test func gitWorktreeRemoveOfAWatchedLaneNeverFailsOnTheJournal() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        for index in 1...20 {
            let path = try repo.spawnLane("w\(index)")
            try repo.git("worktree", "remove", "--force", path)
        }
    }

    @Test func aNoRunLaneWithoutChangesWhoseWorktreeGitRemovedIsShownRemovedItsWatcherEndsAndGcDeletesIt() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("idle")
        let fine = try repo.spawnLane("fine")
        try repo.shell("echo kept > kept.txt", cwd: fine)
        _ = try repo.spawnLane("bad")
        try "".write(toFile: repo.root + "/.git/spur/lanes/bad.json", atomically: false, encoding: .utf8)
        let watcher = try watcherPID(repo, "idle")
        try Removal.gitWorktreeRemove.apply(to: worktree, in: repo)
        #expect(ended(watcher), "the watcher of a lane whose worktree went exits")

        let listed = try #require(try repo.laneJSON("idle"))
        #expect(listed["state"] as? String == "removed")
        #expect(listed["worktreeRemoved"] as? Bool == true)
        #expect((listed["problem"] as? String)?.contains("'spur gc' cleans it") == true)
        let table = try repo.spurSucceeds("list")
        #expect(table.lines.contains { $0.hasPrefix("idle ") && $0.contains("removed") })
        // status exits 1 because lane "bad" is damaged; it still shows the others.
        #expect(try repo.spur("status").stdout.contains("idle  removed"))
        #expect(try repo.spurSucceeds("show", "idle").stdout.contains("spur gc"))

        #expect(try repo.spurSucceeds("compare", "idle").stdout.contains("idle  removed"))
        for command in [["merge", "idle"], ["diff", "idle"], ["finish", "idle"]] {
            let refused = try repo.spurArguments(command)
            #expect(refused.status == 1 && refused.stderr.hasPrefix("spur: ") && refused.stderr.contains("was removed before it had a result"),
                    "\(command): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: worktree) && !FileManager.default.fileExists(atPath: adminFolder(repo, "idle")),
                "no command re-created the folder or git's record")

        let dryRun = try repo.spurSucceeds("gc", "--dry-run").stdout
        #expect(dryRun.contains("would delete lane idle"))
        #expect(try repo.laneJSON("idle") != nil, "a dry run changes nothing")

        let gc = try repo.spurSucceeds("gc").stdout
        #expect(gc.contains("deleted lane idle"))
        try repo.expectNoTraceOfLane("idle")
        #expect(try repo.archiveRefs().isEmpty, "a lane holding nothing leaves no archive")
        // The other lanes, the damaged one included, are as they were.
        #expect(try repo.laneJSON("fine")?["changedFiles"] as? [String] == ["kept.txt"])
        #expect(try repo.laneJSON("fine")?["state"] as? String == "created")
        #expect(try repo.laneJSON("bad")?["state"] as? String == "damaged")
        #expect(FileManager.default.fileExists(atPath: fine + "/kept.txt"))
    }

    @Test func theWatcherOfAHandWorkedLaneEndsWhenItsWorktreeIsRemovedUnderAShellWorkingInIt() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("hand")
        let watcher = try watcherPID(repo, "hand")
        // A process whose current folder is the worktree keeps the kernel from reporting the folder's own deletion.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sleep")
        shell.arguments = ["30"]
        shell.currentDirectoryURL = URL(fileURLWithPath: worktree)
        try shell.run()
        defer { kill(shell.processIdentifier, SIGKILL); shell.waitUntilExit() }
        // rm -rf alone: git's record stays, so only the folder's removal can wake the watcher.
        try Removal.rmOnly.apply(to: worktree, in: repo)
        #expect(ended(watcher), "the watcher exits instead of watching nothing")
        #expect(try repo.laneJSON("hand")?["state"] as? String == "removed")
        #expect(!FileManager.default.fileExists(atPath: worktree), "nothing re-created the folder")
        _ = try repo.git("worktree", "prune")
        #expect(!FileManager.default.fileExists(atPath: adminFolder(repo, "hand")), "git prunes its record")
    }

    @Test func aNoRunLaneRmRfedWithCommitsOnItsBranchIsArchivedByGcAndItsUnsavedEditIsGone() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("hand")
        try repo.shell("echo committed > committed.txt && git add committed.txt && git commit -q -m 'by hand'", cwd: worktree)
        try repo.shell("echo unsaved > unsaved.txt", cwd: worktree)
        let branch = try repo.revParse("spur/hand")
        try Removal.rmOnly.apply(to: worktree, in: repo)
        #expect(try repo.laneJSON("hand")?["state"] as? String == "removed")

        #expect(try repo.spurSucceeds("gc", "--dry-run").stdout.contains("would archive and remove lane hand"))
        let gc = try repo.spurSucceeds("gc").stdout
        #expect(gc.contains("archived and removed lane hand as refs/spur/archive/hand/"))
        try repo.expectNoTraceOfLane("hand")
        let archive = try #require(try archived(repo).first)
        #expect(archive["name"] as? String == "hand" && archive["result"] as? String == branch)
        #expect(archive["changedFiles"] as? [String] == ["committed.txt"])

        let restored = try repo.spurSucceeds("restore", "hand").lines.last ?? ""
        #expect(try String(contentsOfFile: restored + "/committed.txt", encoding: .utf8) == "committed\n")
        #expect(!FileManager.default.fileExists(atPath: restored + "/unsaved.txt"), "an edit never committed went with the folder")
    }

    @Test func aLaneWithAResultWhoseWorktreeWasRemovedIsArchivedByGcAndRestoredDone() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let worktree = try finishedLane(repo)
        let result = try repo.revParse("spur/fix")
        try Removal.gitWorktreeRemove.apply(to: worktree, in: repo)

        try repo.spurSucceeds("gc")
        try repo.expectNoTraceOfLane("fix")
        let archive = try #require(try archived(repo).first)
        #expect(archive["result"] as? String == result && archive["state"] as? String == "done")
        #expect(try repo.spurSucceeds("list", "--archived").stdout.contains("fix"))

        try repo.spurSucceeds("restore", "fix")
        let listed = try #require(try repo.laneJSON("fix"))
        #expect(listed["state"] as? String == "done" && listed["worktreeRemoved"] as? Bool == false)
        #expect(try repo.spurSucceeds("diff", "fix").stdout.contains("+lane line"))
    }

    @Test func discardWithoutForceArchivesARemovedLaneThatHeldUnmergedWork() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        let worktree = try finishedLane(repo)
        let result = try repo.revParse("spur/fix")
        try Removal.rmAndPrune.apply(to: worktree, in: repo)

        try repo.spurSucceeds("discard", "fix")
        try repo.expectNoTraceOfLane("fix")
        #expect(try archived(repo).first?["result"] as? String == result)
    }

    @Test func aRunningTaskWhoseWorktreeVanishesIsEndedAndRecordedKilledWithTheReason() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        try repo.spawn("runner", "--", "sleep", "60")
        let worktree = repo.defaultLanePath("runner")
        #expect(try repo.laneJSON("runner")?["state"] as? String == "running")
        try Removal.rmOnly.apply(to: worktree, in: repo)

        let wait = try repo.spur("wait", "runner", "--timeout", "30")
        #expect(wait.status == 1, "the lane ends killed, well before its 60 s: \(wait.stdout) \(wait.stderr)")
        let listed = try #require(try repo.laneJSON("runner"))
        #expect(listed["state"] as? String == "removed")
        #expect((listed["reason"] as? String)?.hasPrefix("worktree removed: \(worktree) no longer exists") == true)
        #expect(listed["head"] is NSNull)
        let record = try repo.listedLane("runner")
        #expect(record.reason?.contains("no result recorded") == true)
        #expect(try repo.spurSucceeds("show", "runner").stdout.contains("removed"))
        #expect(try repo.spurSucceeds("gc").stdout.contains("deleted lane runner"))
        try repo.expectNoTraceOfLane("runner")
    }

    @Test func aLaneWhoseSupervisorAndWorktreeAreBothGoneIsRecordedWithoutPromisingItsFiles() throws {
        let repo = try TestRepository.scenario("lane-work")
        defer { repo.remove() }
        try repo.spawn("orphan", "--", "sleep", "60")
        let supervisor = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: repo.root + "/.git/spur/lanes/orphan.json"))) as? [String: Any])
        let pid = try #require((supervisor["supervisorPID"] as? NSNumber)?.int32Value)
        kill(pid, SIGKILL)
        #expect(ended(pid))
        try Removal.rmAndPrune.apply(to: repo.defaultLanePath("orphan"), in: repo)
        let listed = try #require(try repo.laneJSON("orphan"))
        #expect(listed["state"] as? String == "removed")
        #expect(listed["reason"] as? String == "its supervisor (pid \(pid)) is gone and its worktree was removed; no result recorded")
        #expect(try repo.spurSucceeds("gc").stdout.contains("deleted lane orphan"))
        try repo.expectNoTraceOfLane("orphan")
    }
}
