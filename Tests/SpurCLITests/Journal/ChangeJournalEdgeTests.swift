import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import SpurTestSupport

/// Edge cases where a live lane's journal, read as complete, must still give what a scan gives.
@Suite struct ChangeJournalEdgeTests {
    let helpers = ChangeJournalTests()

    /// Runs `commands` in a new lane's worktree, then expects status to have given up the
    /// journal for a scan, and the scan to find `files`.
    func expectStatusScans(after commands: String, finding files: [String]) throws {
        let repo = try helpers.journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("lane")
        try repo.shell(commands, cwd: worktree)
        let journal = try helpers.laneChanges(repo, "lane")
        let scan = try helpers.laneChanges(repo, "lane", journal: false)
        #expect(scan.files == files)
        #expect(journal.from == "scan")
        #expect(journal.files == scan.files)
    }

    /// A second name for a tracked file, made inside the worktree after the checkout: writing
    /// through it changes the tracked file, whose own folder sees no event. The watcher sees
    /// the second name appear and stops vouching for its journal, so status scans.
    @Test func aHardLinkMadeInTheWorktreeMakesStatusScan() throws {
        try expectStatusScans(after: "ln d0/f0.txt d1/second-name.txt && echo more >> d1/second-name.txt",
                              finding: ["d0/f0.txt", "d1/second-name.txt"])
    }

    /// The second name made in a folder that arrived after the checkout (journaled whole, not
    /// watched): reading that folder shows a file with two names, and status scans.
    @Test func aHardLinkMadeInANewFolderMakesStatusScan() throws {
        try expectStatusScans(after: "mkdir fresh && ln d0/e1/f2.txt fresh/other-name.txt && echo more >> fresh/other-name.txt",
                              finding: ["d0/e1/f2.txt", "fresh/other-name.txt"])
    }

    /// A file changed through a shared mapping raises no event until its descriptor closes
    /// (IN_CLOSE_WRITE); from then on the journal has it.
    @Test func aWriteThroughASharedMappingIsJournaledWhenTheFileCloses() throws {
        let repo = try helpers.journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("mapped")
        let descriptor = open(worktree + "/d1/e0/f2.txt", O_RDWR)
        try #require(descriptor >= 0)
        let size = Int(lseek(descriptor, 0, SEEK_END))
        let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        try #require(mapping != MAP_FAILED)
        mapping?.storeBytes(of: UInt8(ascii: "X"), as: UInt8.self)
        #expect(msync(mapping, size, MS_SYNC) == 0)
        munmap(mapping, size)
        close(descriptor)
        let journal = try helpers.laneChanges(repo, "mapped")
        let scan = try helpers.laneChanges(repo, "mapped", journal: false)
        #expect(scan.files == ["d1/e0/f2.txt"])
        #expect(journal.from == "journal")
        #expect(journal.files == scan.files)
    }

    /// A submodule's folder (checked out empty) where a file appears: git does not count it,
    /// the journal does not; the scan must not either, whether or not the root folder's listing
    /// is older than the checkout stamp (many files checked out after it make sure it is).
    @Test func aFileInsideASubmoduleFolderCountsTheSameFromTheJournalAScanAndGit() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.write("a.txt", "a\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "one")
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        for number in 0..<3000 { try repo.write("zz/f\(number).txt", "\(number)\n") }
        try repo.git("add", "-A")
        try repo.git("update-index", "--add", "--cacheinfo", "160000,\(head),sub")
        try repo.git("commit", "-qm", "submodule and many files")
        let worktree = try repo.spawnLane("sub", "--base", "HEAD")
        try "inside\n".write(toFile: worktree + "/sub/new.txt", atomically: false, encoding: .utf8)
        let base = try #require(try repo.laneJSON("sub")?["base"] as? String)
        let expected = try helpers.gitChanges(repo, worktree: worktree, base: base)
        let journal = try helpers.laneChanges(repo, "sub")
        let scan = try helpers.laneChanges(repo, "sub", journal: false)
        #expect(expected == [])
        #expect(journal.from == "journal")
        #expect(journal.files == expected)
        #expect(scan.files == expected)
        #expect(journal.files == scan.files)
    }

    /// Events the kernel drops (its queue overflowed while the watcher was held up) make the
    /// journal incomplete; a new watcher takes over, journals what a scan finds, and status
    /// reads the journal again. Nothing is missed on the way. The same for a hand-worked lane's
    /// watcher and for a running task's supervisor.
    @Test(arguments: [false, true])
    func afterLostEventsANewWatcherCatchesUp(taskRuns: Bool) throws {
        let repo = try helpers.journalRepository()
        defer { repo.remove() }
        let worktree: String
        if taskRuns {
            try repo.spurSucceeds("spawn", "flood", "--", "sleep", "60")
            worktree = repo.defaultLanePath("flood")
        } else {
            worktree = try repo.spawnLane("flood")
        }
        let first = try helpers.watcherPID(repo, "flood")
        let limit = Int((try String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 16384
        // Each new file queues at least two events (create, close after writing).
        let files = limit / 2 + 100
        let state = repo.path(".git/worktrees/spur-flood/spur-journal-state")
        let before = try String(contentsOfFile: state, encoding: .utf8)
        kill(first, SIGSTOP)
        try repo.shell("i=0; while [ $i -lt \(files) ]; do echo $i > d2/f$i.txt; i=$((i+1)); done; echo changed >> d1/f0.txt", cwd: worktree)
        kill(first, SIGCONT)
        // A new journal (another start time) that is complete.
        var caughtUp = false
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: state, encoding: .utf8), text != before, text.contains("\"complete\":true") {
                caughtUp = true
                break
            }
            usleep(50_000)
        }
        #expect(caughtUp, "the journal was not complete again within 10 s")
        #expect(try helpers.watcherPID(repo, "flood") == first, "the same process keeps the new journal")
        let changes = try helpers.laneChanges(repo, "flood")
        #expect(changes.from == "journal")
        #expect(changes.files.count == files + 1)
        #expect(changes.files.contains("d1/f0.txt"))
        try "after\n".write(toFile: worktree + "/d0/e0/f1.txt", atomically: false, encoding: .utf8)
        #expect(try helpers.laneChanges(repo, "flood").files.contains("d0/e0/f1.txt"))
        if taskRuns { try repo.spurSucceeds("stop", "flood") }
    }
}
