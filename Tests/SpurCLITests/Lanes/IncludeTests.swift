import Foundation
import Testing
import SpurTestSupport

/// `.worktreeinclude` and `spur.include`: a new lane gets copies of the ignored files the user's
/// tree has and the patterns name; they stay ignored in the lane, so never part of its result.
@Suite struct IncludeTests {
    /// A committed project ignoring `node_modules/`, `.env` and `*.log`, with those ignored files
    /// present in the user's tree only.
    static func project() throws -> TestRepository {
        let repository = try TestRepository.empty()
        try repository.write(".gitignore", "node_modules/\n.env\n*.log\n")
        try repository.write("src/app.js", "require('x')\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "project")
        try repository.write(".env", "TOKEN=secret\n")
        try repository.write("node_modules/x/index.js", "module.exports = 42\n")
        try repository.write("node_modules/x/package.json", "{}\n")
        try repository.write("debug.log", "noise\n")
        try repository.write(".worktreeinclude", ".env\nnode_modules/\n")
        return repository
    }

    static func lstat(_ path: String) -> stat? {
        var info = stat()
        return Glibc.lstat(path, &info) == 0 ? info : nil
    }

    @Test func aTaskInALaneReadsTheEnvFileAndNodeModulesOnlyTheUserHad() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        let before = try repository.userState()
        let task = "cat .env node_modules/x/index.js > seen.txt"
        try repository.spurSucceeds("spawn", "task", "--", "sh", "-c", task)
        #expect(try repository.spur("wait", "task").status == 0)
        let lane = repository.defaultLanePath("task")
        #expect(try String(contentsOfFile: lane + "/seen.txt", encoding: .utf8) == "TOKEN=secret\nmodule.exports = 42\n")
        // What was included is not the task's work: not in the result, the diff or git's status.
        #expect(try repository.git("diff", "--name-only", "refs/spur/lanes/task/base", "spur/task") == "seen.txt\n")
        #expect(try repository.spurSucceeds("diff", "task", "--name-only").lines == ["seen.txt"])
        #expect(try repository.git("ls-tree", "-r", "--name-only", "spur/task").split(separator: "\n").allSatisfy {
            !$0.hasPrefix("node_modules") && $0 != ".env"
        })
        // debug.log is ignored but no pattern names it.
        #expect(!FileManager.default.fileExists(atPath: lane + "/debug.log"))
        #expect(try repository.userState() == before)
    }

    @Test func listAndShowReportWhatWasIncluded() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        let lane = try repository.spawnLane("l")
        #expect(try repository.porcelainStatus(in: lane) == "")
        let entry = try #require(try repository.laneJSON("l"))
        let included = try #require(entry["included"] as? [String: Any])
        // .env (13 bytes), index.js (20), package.json (3).
        #expect(included["files"] as? Int == 3)
        #expect(included["bytes"] as? Int == 36)
        #expect(try repository.spurSucceeds("show", "l").stdout.contains("included:    3 files, 36 bytes"))
        let shown = try JSONSerialization.jsonObject(with: Data(try repository.spurSucceeds("show", "l", "--json").stdout.utf8)) as? [String: Any]
        #expect((shown?["included"] as? [String: Any])?["files"] as? Int == 3)
    }

    @Test func aLaneWithoutPatternsRecordsNothingIncluded() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try FileManager.default.removeItem(atPath: repository.path(".worktreeinclude"))
        let lane = try repository.spawnLane("plain")
        #expect(!FileManager.default.fileExists(atPath: lane + "/.env"))
        let entry = try #require(try repository.laneJSON("plain"))
        #expect(entry["included"] is NSNull)
    }

    /// Tracked files and untracked files git does not ignore are the snapshot's: never copied.
    @Test func onlyIgnoredMatchesAreCopied() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        // A tracked file an ignore rule matches (force-added), changed since, and an untracked
        // file no rule ignores: both match the include pattern `*.txt`.
        try repository.write(".gitignore", "node_modules/\n.env\n*.log\n*.txt\n")
        try repository.write("kept.txt", "committed\n")
        try repository.git("add", "-f", "kept.txt", ".gitignore")
        try repository.git("commit", "-qm", "kept")
        try repository.write("kept.txt", "changed by the user\n")
        try repository.write("notes.md", "untracked, not ignored\n")
        try repository.write("cache.txt", "ignored\n")
        try repository.write(".worktreeinclude", "*.txt\n*.md\n")
        // From HEAD: the lane must not get the untracked notes nor the user's version of kept.txt.
        let lane = try repository.spawnLane("fromhead", "--base", "head")
        #expect(try String(contentsOfFile: lane + "/kept.txt", encoding: .utf8) == "committed\n")
        #expect(!FileManager.default.fileExists(atPath: lane + "/notes.md"))
        #expect(try String(contentsOfFile: lane + "/cache.txt", encoding: .utf8) == "ignored\n")
        #expect((try repository.laneJSON("fromhead")?["included"] as? [String: Any])?["files"] as? Int == 1)
        // From the working tree the snapshot holds kept.txt and notes.md; only cache.txt is copied.
        let snapshot = try repository.spawnLane("fromtree")
        #expect(try String(contentsOfFile: snapshot + "/kept.txt", encoding: .utf8) == "changed by the user\n")
        #expect((try repository.laneJSON("fromtree")?["included"] as? [String: Any])?["files"] as? Int == 1)
        #expect(try repository.porcelainStatus(in: snapshot) == "")
    }

    @Test func linksModesAndEmptyFoldersAreKept() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try repository.shell("""
            mkdir -p node_modules/.bin node_modules/empty/inner && chmod 755 node_modules/x/index.js && \
            ln -s ../x/index.js node_modules/.bin/x && ln -s /nonexistent/target node_modules/dangling && \
            chmod 700 node_modules/x && touch -d '2001-02-03 04:05:06' node_modules/x/package.json
            """)
        let lane = try repository.spawnLane("l")
        let link = try #require(Self.lstat(lane + "/node_modules/.bin/x"))
        #expect(link.st_mode & S_IFMT == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: lane + "/node_modules/.bin/x") == "../x/index.js")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: lane + "/node_modules/dangling") == "/nonexistent/target")
        #expect(try String(contentsOfFile: lane + "/node_modules/.bin/x", encoding: .utf8) == "module.exports = 42\n")
        #expect(try #require(Self.lstat(lane + "/node_modules/x/index.js")).st_mode & 0o777 == 0o755)
        #expect(try #require(Self.lstat(lane + "/node_modules/x")).st_mode & 0o777 == 0o700)
        #expect(try #require(Self.lstat(lane + "/node_modules/empty/inner")).st_mode & S_IFMT == S_IFDIR)
        let copied = try #require(Self.lstat(lane + "/node_modules/x/package.json"))
        let original = try #require(Self.lstat(repository.path("node_modules/x/package.json")))
        #expect(copied.st_mtim.tv_sec == original.st_mtim.tv_sec)
        // A copy, not a hard link: a task writing there cannot reach the user's file.
        #expect(copied.st_ino != original.st_ino)
        try "changed\n".write(toFile: lane + "/node_modules/x/package.json", atomically: false, encoding: .utf8)
        #expect(try repository.read("node_modules/x/package.json") == "{}\n")
    }

    @Test func linkIncludedGivesTheLaneALinkToTheUsersFolderAndDiscardLeavesItAlone() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        // Ignored without a trailing slash, so the link is ignored in the lane too.
        try repository.write(".gitignore", "node_modules\n.env\n*.log\n")
        try repository.git("commit", "-qam", "ignore links too")
        try repository.git("config", "spur.linkIncluded", "node_modules")
        let lane = try repository.spawnLane("linked")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: lane + "/node_modules") == repository.path("node_modules"))
        #expect(try repository.porcelainStatus(in: lane) == "")
        let included = try #require(try repository.laneJSON("linked")?["included"] as? [String: Any])
        #expect(included["links"] as? Int == 1)
        #expect(included["files"] as? Int == 1)
        try repository.spurSucceeds("discard", "linked")
        #expect(try repository.read("node_modules/x/index.js") == "module.exports = 42\n")
    }

    @Test func linkIncludedIsRefusedWhenTheLinkWouldNotBeIgnored() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try repository.git("config", "spur.linkIncluded", "node_modules")
        let result = try repository.spur("spawn", "copied", "--no-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("node_modules is copied, not linked"))
        let lane = repository.defaultLanePath("copied")
        #expect(try #require(Self.lstat(lane + "/node_modules")).st_mode & S_IFMT == S_IFDIR)
    }

    @Test func patternsFromGitConfigAndIgnoredOnlyThroughInfoExcludeOrExcludesFile() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try FileManager.default.removeItem(atPath: repository.path(".worktreeinclude"))
        try repository.write("local/settings.json", "{\"port\": 1}\n")
        try repository.write("private.key", "k\n")
        try "local/\n".write(toFile: repository.path(".git/info/exclude"), atomically: false, encoding: .utf8)
        try "*.key\n".write(toFile: repository.scratch + "/excludes", atomically: false, encoding: .utf8)
        try repository.git("config", "core.excludesFile", repository.scratch + "/excludes")
        try repository.git("config", "--add", "spur.include", "/local/")
        try repository.git("config", "--add", "spur.include", "*.key")
        let lane = try repository.spawnLane("l")
        #expect(try String(contentsOfFile: lane + "/local/settings.json", encoding: .utf8) == "{\"port\": 1}\n")
        #expect(FileManager.default.fileExists(atPath: lane + "/private.key"))
        #expect(!FileManager.default.fileExists(atPath: lane + "/.env"))
        #expect(try repository.porcelainStatus(in: lane) == "")
    }

    @Test(arguments: [("ok\nnode_modules/\nbad\\\n", 3, "backslash"), ("[abc\n", 1, "'['")])
    func aBadPatternRefusesTheSpawnNamingItsLine(content: String, line: Int, words: String) throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try repository.write(".worktreeinclude", content)
        let before = try repository.userState()
        let result = try repository.spur("spawn", "bad", "--no-run")
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("spur: .worktreeinclude:\(line): "), "\(result.stderr)")
        #expect(result.stderr.contains(words))
        #expect(result.stderr.split(separator: "\n").count == 1)
        try repository.expectNoTraceOfLane("bad")
        #expect(try repository.userState() == before)
    }

    @Test func aBadConfigPatternNamesItsValue() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try repository.git("config", "--add", "spur.include", "fine")
        try repository.git("config", "--add", "spur.include", "broken\\")
        let result = try repository.spur("spawn", "bad", "--no-run")
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("spur: git config spur.include:2: "), "\(result.stderr)")
        try repository.expectNoTraceOfLane("bad")
    }

    @Test func aFullDiskDuringTheCopyLeavesNoHalfLane() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        let before = try repository.userState()
        let result = try repository.spur("spawn", "full", "--no-run", env: ["SPUR_FAULT": "include-copy@2"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
        try repository.expectNoTraceOfLane("full")
        #expect(try repository.userState() == before)
    }

    /// The same on a real small file system, when this machine lets the test mount one.
    @Test func aRealFullDiskLeavesNoHalfLane() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        let small = repository.scratch + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        guard (try? ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small], cwd: repository.root,
                                      environment: [:]))?.status == 0 else { return }  // no permission to mount: nothing to prove here
        defer { _ = try? ProcessRunner.run("/bin/umount", [small], cwd: repository.root, environment: [:]) }
        try repository.shell("head -c 3000000 /dev/zero > node_modules/x/big.bin")
        try repository.git("config", "spur.worktreeRoot", small)
        let before = try repository.userState()
        let result = try repository.spur("spawn", "full", "--no-run")
        #expect(result.status == 1)
        #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
        #expect(try repository.spurRefs().isEmpty)
        #expect((try FileManager.default.contentsOfDirectory(atPath: small)).isEmpty)
        #expect(try repository.userState() == before)
    }

    @Test func aFolderDeletedDuringTheCopyLeavesTheLaneWhatWasThereWithAWarning() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try repository.write("node_modules/y/other.js", "y\n")
        try repository.write(".worktreeinclude", "node_modules/\n")
        // When the first file is about to be copied, its folder (one inside node_modules) goes.
        let hook = "folder=$(dirname \"$SPUR_FAULT_DETAIL\"); case $folder in node_modules/*) rm -rf \"\(repository.root)/$folder\";; esac"
        let result = try repository.spur("spawn", "racy", "--no-run",
                                         env: ["SPUR_FAULT": "include-copy@1:exec", "SPUR_FAULT_EXEC": hook])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("vanished while being copied"), "\(result.stderr)")
        let lane = repository.defaultLanePath("racy")
        #expect(FileManager.default.fileExists(atPath: lane + "/src/app.js"))
        #expect(try repository.porcelainStatus(in: lane) == "")
    }

    /// Lanes kept inside the working tree (`spur.worktreeRoot`) are never copied into a lane,
    /// even when a pattern names their folder: the copy would hold the lane being made.
    @Test func theLanesFolderInsideTheTreeIsNeverCopied() throws {
        let repository = try Self.project()
        defer { repository.remove() }
        try repository.write(".gitignore", "node_modules/\n.env\n*.log\n.lanes/\n")
        try repository.git("commit", "-qam", "lanes inside")
        try repository.git("config", "spur.worktreeRoot", repository.path(".lanes"))
        try repository.write(".worktreeinclude", "/.lanes/\nnode_modules/\n")
        let first = try repository.spawnLane("first")
        let second = try repository.spawnLane("second")
        for lane in [first, second] {
            #expect(FileManager.default.fileExists(atPath: lane + "/node_modules/x/index.js"))
            #expect(!FileManager.default.fileExists(atPath: lane + "/.lanes"))
        }
    }

    @Test func aPythonProjectRunsWithItsIncludedVirtualEnvironment() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write(".gitignore", ".venv/\n")
        try repository.write("test_app.py", "import sys\nassert sys.prefix != sys.base_prefix\nprint(sys.prefix)\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "python project")
        try repository.shell("python3 -m venv --without-pip .venv")
        try repository.write(".worktreeinclude", ".venv/\n")
        let task = ".venv/bin/python3 -c 'import sys; print(sys.prefix)' > prefix.txt && .venv/bin/python3 test_app.py > test.txt"
        try repository.spurSucceeds("spawn", "py", "--", "sh", "-c", task)
        #expect(try repository.spur("wait", "py").status == 0)
        let lane = repository.defaultLanePath("py")
        let prefix = try String(contentsOfFile: lane + "/prefix.txt", encoding: .utf8)
        #expect(prefix == lane + "/.venv\n")
        #expect(try String(contentsOfFile: lane + "/test.txt", encoding: .utf8) == prefix)
        #expect(try #require(Self.lstat(lane + "/.venv/bin/python3")).st_mode & S_IFMT == S_IFLNK)
    }
}
