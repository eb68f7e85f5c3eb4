import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import SpurTestSupport

/// A live lane's change journal must give exactly what a scan of its worktree gives, and git's
/// own view of it, or not be used at all.
@Suite struct ChangeJournalTests {
    /// A repository with folders two deep, an ignore rule for files and one for a folder.
    func journalRepository() throws -> TestRepository {
        let repo = try TestRepository.empty()
        for folder in ["d0", "d0/e0", "d0/e1", "d1", "d1/e0", "d2"] {
            for file in 0..<3 { try repo.write("\(folder)/f\(file).txt", "\(folder) \(file)\nsecond line\n") }
        }
        try repo.write("top.txt", "top\n")
        try repo.write(".gitignore", "*.o\n/out/\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "base")
        return repo
    }

    /// `status NAME --json` as (changesFrom, changedFiles).
    func laneChanges(_ repo: TestRepository, _ name: String, journal: Bool = true) throws -> (from: String, files: [String]) {
        let result = try repo.spurSucceeds("status", name, "--json", env: journal ? [:] : ["SPUR_JOURNAL": "off"])
        let lane = try #require(try jsonArray(result.stdout).first)
        return (lane["changesFrom"] as? String ?? "none", lane["changedFiles"] as? [String] ?? [])
    }

    /// The oracle: the paths where `git add -A` of the worktree differs from the lane's base.
    func gitChanges(_ repo: TestRepository, worktree: String, base: String) throws -> [String] {
        let index = repo.scratch + "/journal-oracle-index"
        defer { try? FileManager.default.removeItem(atPath: index) }
        let env = ["GIT_INDEX_FILE": index]
        try repo.git("read-tree", base, cwd: worktree, env: env)
        try repo.git("add", "-A", cwd: worktree, env: env)
        let tree = try repo.git("write-tree", cwd: worktree, env: env).trimmingCharacters(in: .whitespacesAndNewlines)
        return try repo.git("diff-tree", "-r", "--no-renames", "--name-only", base, tree, cwd: worktree)
            .split(separator: "\n").map(String.init).sorted()
    }

    func watcherPID(_ repo: TestRepository, _ name: String) throws -> Int32 {
        let data = try Data(contentsOf: URL(fileURLWithPath: repo.path(".git/worktrees/spur-\(name)/spur-journal-state")))
        let state = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((state["pid"] as? NSNumber)?.int32Value)
    }

    func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !["Z", "X"].contains(stat[stat.index(close, offsetBy: 2)])
    }

    /// Waits (bounded) for a process that was asked to end.
    func ended(_ pid: Int32) -> Bool {
        for _ in 0..<100 where isRunning(pid) { usleep(50_000) }
        return !isRunning(pid)
    }

    @Test(arguments: [0x5EED, 7, 2026] as [UInt64])
    func randomEditsInALiveLaneGiveTheSameChangesFromTheJournalAsFromAScanAndFromGit(seed: UInt64) throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("hand")
        let base = try #require(try repo.laneJSON("hand")?["base"] as? String)
        let outside = repo.scratch + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        var editor = RandomWorktreeEditor(root: worktree, outside: outside, seed: seed)
        for round in 0..<8 {
            let done = try editor.edit(count: 6)
            let expected = try gitChanges(repo, worktree: worktree, base: base)
            let journal = try laneChanges(repo, "hand")
            let scan = try laneChanges(repo, "hand", journal: false)
            #expect(journal.from == "journal", "round \(round)")
            #expect(scan.from == "scan")
            #expect(journal.files == expected, "seed \(seed) round \(round) after \(done)")
            #expect(scan.files == expected, "round \(round) after \(done)")
        }
    }

    @Test func aRunningTasksChangesComeFromItsJournal() throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let script = "echo more >> d0/f0.txt; mkdir -p new/deep; echo n > new/deep/f.txt; rm d1/f1.txt; mv d2 d3; echo ready; exec sleep 600"
        try repo.spurSucceeds("spawn", "busy", "--", "sh", "-c", script)
        let log = repo.path(".git/spur/logs/busy.log")
        for _ in 0..<200 where !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("ready") { usleep(25_000) }
        let changes = try laneChanges(repo, "busy")
        #expect(changes.from == "journal")
        #expect(changes.files == ["d0/f0.txt", "d1/f1.txt", "d2/f0.txt", "d2/f1.txt", "d2/f2.txt",
                                  "d3/f0.txt", "d3/f1.txt", "d3/f2.txt", "new/deep/f.txt"])
        try repo.spurSucceeds("stop", "busy")
        #expect(try laneChanges(repo, "busy").from == "result")
    }

    @Test func aChangeJustMadeIsInTheJournalStatusReads() throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("quick")
        for round in 0..<20 {
            try "round \(round)\n".write(toFile: worktree + "/r\(round).txt", atomically: false, encoding: .utf8)
            let changes = try laneChanges(repo, "quick")
            #expect(changes.from == "journal")
            #expect(changes.files.count == round + 1, "round \(round): \(changes.files)")
        }
    }

    @Test func withoutItsWatcherTheLaneIsScannedAndNothingIsMissed() throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("orphan")
        let watcher = try watcherPID(repo, "orphan")
        kill(watcher, SIGKILL)
        #expect(ended(watcher))
        try "changed after the watcher died\n".write(toFile: worktree + "/d1/f2.txt", atomically: false, encoding: .utf8)
        let changes = try laneChanges(repo, "orphan")
        #expect(changes.from == "scan")
        #expect(changes.files == ["d1/f2.txt"])
    }

    @Test func filesAnIgnoreRuleHidUntilItChangedAreFound() throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("rules")
        try FileManager.default.createDirectory(atPath: worktree + "/out", withIntermediateDirectories: true)
        try "built\n".write(toFile: worktree + "/out/early.txt", atomically: false, encoding: .utf8)
        try "object\n".write(toFile: worktree + "/d1/e0/x.o", atomically: false, encoding: .utf8)
        #expect(try laneChanges(repo, "rules").files == [])
        try "later\n".write(toFile: worktree + "/out/later.txt", atomically: false, encoding: .utf8)
        try "# nothing ignored now\n".write(toFile: worktree + "/.gitignore", atomically: false, encoding: .utf8)
        let changes = try laneChanges(repo, "rules")
        #expect(changes.from == "journal")
        #expect(changes.files == [".gitignore", "d1/e0/x.o", "out/early.txt", "out/later.txt"])
        #expect(changes.files == (try laneChanges(repo, "rules", journal: false)).files)
    }

    @Test func nestedRepositoriesAndIgnoredFilesCountAsAScanCountsThem() throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("nested")
        try repo.shell("mkdir -p vendor/lib && cd vendor/lib && git init -q && echo x > inside.txt", cwd: worktree)
        try repo.shell("echo y > d0/e1/.git && echo z > d0/e1/f0.txt", cwd: worktree)
        try repo.shell("echo o > d2/x.o && mkdir -p out/deep && echo o > out/deep/y.txt && echo t > d2/kept.txt", cwd: worktree)
        let journal = try laneChanges(repo, "nested")
        #expect(journal.from == "journal")
        #expect(journal.files == (try laneChanges(repo, "nested", journal: false)).files)
        #expect(journal.files.contains("d2/kept.txt"))
        #expect(!journal.files.contains { $0.hasPrefix("vendor/") || $0.hasPrefix("out/") || $0.hasSuffix(".o") })
    }

    @Test func theWatcherEndsWithItsLane() throws {
        let repo = try journalRepository()
        defer { repo.remove() }
        let finished = try repo.spawnLane("finished")
        try "done\n".write(toFile: finished + "/top.txt", atomically: false, encoding: .utf8)
        let first = try watcherPID(repo, "finished")
        try repo.spurSucceeds("finish", "finished")
        #expect(ended(first))

        _ = try repo.spawnLane("discarded")
        let second = try watcherPID(repo, "discarded")
        try repo.spurSucceeds("discard", "discarded", "--force")
        #expect(!isRunning(second), "discard waits for the watcher to end")
        try repo.expectNoTraceOfLane("discarded")

        let removed = try repo.spawnLane("removed")
        let third = try watcherPID(repo, "removed")
        try FileManager.default.removeItem(atPath: removed)
        #expect(ended(third))
        #expect(try repo.listedLane("removed").state == "removed")
    }
}

/// Seeded random file operations on a worktree: edits, creations, deletions, renames of files
/// and folders (within it, out of it and into it), mode and type changes, ignored files,
/// touches and writes of unchanged content.
struct RandomWorktreeEditor {
    let root: String
    let outside: String
    var generator: SeededGenerator
    var counter = 0

    init(root: String, outside: String, seed: UInt64) {
        self.root = root
        self.outside = outside
        generator = SeededGenerator(seed: seed)
    }

    /// Paths under the root (no .git), files and folders apart.
    func listing() -> (files: [String], folders: [String]) {
        var files: [String] = [], folders: [String] = []
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return ([], []) }
        while let path = walker.nextObject() as? String {
            if path == ".git" || path.hasPrefix(".git/") || path == ".gitignore" { walker.skipDescendants(); continue }
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                folders.append(path)
            } else {
                files.append(path)
            }
        }
        return (files.sorted(), folders.sorted())
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(generator.next() % UInt64(items.count))]
    }

    func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(root + "/" + path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    func posix(_ result: Int32, _ what: String) throws {
        guard result == 0 else { throw TestFailure("\(what): \(String(cString: strerror(errno)))") }
    }

    mutating func freshName(_ stem: String) -> String {
        counter += 1
        return "\(stem)\(counter)"
    }

    /// Applies `count` operations; returns what it did, for failure messages.
    mutating func edit(count: Int) throws -> [String] {
        let manager = FileManager.default
        var done: [String] = []
        for _ in 0..<count {
            let (files, folders) = listing()
            let folder = pick([""] + folders) ?? ""
            let inFolder = { (name: String) in folder.isEmpty ? name : folder + "/" + name }
            switch generator.next() % 13 {
            case 0:
                guard let file = pick(files), !isLink(file) else { continue }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/" + file))
                handle.seekToEndOfFile()
                handle.write(Data("appended\n".utf8))
                try handle.close()
                done.append("append \(file)")
            case 1:
                let path = inFolder(freshName("new") + ".txt")
                try "new file\n".write(toFile: root + "/" + path, atomically: false, encoding: .utf8)
                done.append("create \(path)")
            case 2:
                guard let file = pick(files) else { continue }
                try posix(unlink(root + "/" + file), "unlink \(file)")
                done.append("delete \(file)")
            case 3:
                guard let file = pick(files) else { continue }
                let target = inFolder(freshName("moved"))
                try posix(rename(root + "/" + file, root + "/" + target), "move \(file)")
                done.append("move \(file) \(target)")
            case 4:
                let path = inFolder(freshName("dir")) + "/" + freshName("sub")
                try manager.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
                try "a\n".write(toFile: root + "/" + path + "/a.txt", atomically: false, encoding: .utf8)
                try "b\n".write(toFile: root + "/" + path + "/b.txt", atomically: false, encoding: .utf8)
                done.append("mkdir \(path)")
            case 5:
                guard let gone = pick(folders) else { continue }
                try manager.removeItem(atPath: root + "/" + gone)
                done.append("rm -r \(gone)")
            case 6:
                guard let moved = pick(folders) else { continue }
                let target = freshName("renamed")
                try posix(rename(root + "/" + moved, root + "/" + target), "move \(moved)")
                done.append("move folder \(moved) \(target)")
            case 7:
                guard let file = pick(files), !isLink(file) else { continue }
                try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/" + file)
                done.append("chmod +x \(file)")
            case 8:
                guard let file = pick(files) else { continue }
                try posix(unlink(root + "/" + file), "unlink \(file)")
                try manager.createSymbolicLink(atPath: root + "/" + file, withDestinationPath: "top.txt")
                done.append("link \(file)")
            case 9:
                guard let gone = pick(folders) else { continue }
                try manager.removeItem(atPath: root + "/" + gone)
                try "was a folder\n".write(toFile: root + "/" + gone, atomically: false, encoding: .utf8)
                done.append("folder to file \(gone)")
            case 10:
                try manager.createDirectory(atPath: root + "/out/" + freshName("o"), withIntermediateDirectories: true)
                try "ignored\n".write(toFile: root + "/" + inFolder(freshName("ign") + ".o"), atomically: false, encoding: .utf8)
                done.append("ignored files")
            case 11:
                guard let file = pick(files), !isLink(file) else { continue }
                let full = root + "/" + file
                if let same = manager.contents(atPath: full) {
                    try same.write(to: URL(fileURLWithPath: full))
                }
                done.append("rewrite unchanged \(file)")
            default:
                if generator.next() % 2 == 0, let moved = pick(folders) {
                    try? manager.removeItem(atPath: outside + "/away")
                    try posix(rename(root + "/" + moved, outside + "/away"), "move out \(moved)")
                    done.append("move out \(moved)")
                } else {
                    let arriving = outside + "/" + freshName("arrive")
                    try manager.createDirectory(atPath: arriving + "/inner", withIntermediateDirectories: true)
                    try "came in\n".write(toFile: arriving + "/inner/c.txt", atomically: false, encoding: .utf8)
                    let target = inFolder(freshName("arrived"))
                    try posix(rename(arriving, root + "/" + target), "move in \(target)")
                    done.append("move in \(target)")
                }
            }
        }
        return done
    }
}
