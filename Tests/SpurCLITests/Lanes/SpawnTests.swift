import Foundation
import Testing
import SpurTestSupport

@Suite struct SpawnTests {
    @Test func theTestsRunTheFreshlyBuiltExecutable() throws {
        #expect(CLI.executableIsBuilt, "no spur executable at \(SpurExecutable.path)")
        let help = try ProcessRunner.run(SpurExecutable.path, ["--help"], cwd: "/", environment: [:])
        #expect(help.status == 0 && help.stdout.contains("spawn"))
    }

    @Test func subprocessesStartWithNoSignalBlocked() throws {
        // The test runner's threads block signals; children must not inherit that mask
        // (a blocked SIGCHLD makes `sh -c 'cmd & wait'` hang forever).
        let result = try ProcessRunner.run("/bin/sh", ["-c", "grep SigBlk /proc/self/status; (true) & wait"], cwd: "/", environment: [:])
        #expect(result.stdout.contains("0000000000000000"), "\(result.stdout)")
    }

    @Test(arguments: ["everything-dirty", "type-changes", "ignore-rules", "unborn"])
    func spawnMakesALaneAtASnapshotOfTheWorkingTreeAndTouchesNothingOfTheUsers(scenario: String) throws {
        let repository = try TestRepository.scenario(scenario)
        defer { repository.remove() }
        let before = try repository.userState()
        let expectedTree = try repository.gitSnapshotTree()
        let head = try? repository.revParse("HEAD")

        let result = try repository.spurSucceeds("spawn", "snap", "--no-run")
        let lane = try #require(result.lines.last)
        #expect(lane == repository.defaultLanePath("snap"))
        #expect(lane.hasPrefix("/"))

        let after = try repository.userState()
        #expect(after == before, "spawn changed: \(after.differences(from: before))")
        // The branch and the base ref point at the snapshot: HEAD's child (or a root commit).
        let base = try repository.revParse("refs/spur/lanes/snap/base")
        #expect(try repository.revParse("spur/snap") == base)
        #expect(try repository.revParse("\(base)^{tree}") == expectedTree)
        let parents = try repository.git("rev-list", "--parents", "-n", "1", base)
            .split(whereSeparator: \.isWhitespace).dropFirst().map(String.init)
        #expect(parents == (head.map { [$0] } ?? []))
        // A linked worktree on the branch, whose files are the snapshot's, nothing more.
        #expect(try repository.worktreePaths().contains(lane))
        #expect(try repository.git("symbolic-ref", "HEAD", cwd: lane) == "refs/heads/spur/snap\n")
        #expect(try repository.porcelainStatus(in: lane, ignored: true) == "")
        #expect(try repository.gitSnapshotTree(of: lane) == expectedTree)
    }

    @Test func laneFilesMatchTheWorkingTreeByteForByteWithModesAndLinks() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let lane = try repository.spawnLane("copy")
        #expect(try repository.filesAndLinks(under: lane).filter { $0.key != ".git" } == repository.filesAndLinks(under: repository.root))
    }

    @Test func laneCheckoutEqualsWhatGitWorktreeAddChecksOut() throws {
        // Attributes (eol, ident) force checkout filters; their result must be git's.
        let repository = try TestRepository.scenario("attributes")
        defer { repository.remove() }
        let lane = try repository.spawnLane("filtered", "--base", "head")
        let reference = repository.scratch + "/git-worktree"
        try repository.git("worktree", "add", "-q", "--detach", reference, "HEAD")
        let expected = try repository.filesAndLinks(under: reference).filter { $0.key != ".git" }
        #expect(try repository.filesAndLinks(under: lane).filter { $0.key != ".git" } == expected)
        #expect(expected["crlf.txt"] != nil)
    }

    @Test func laneCheckoutHonoursCoreAutocrlf() throws {
        let repository = try TestRepository.scenario("clean")
        defer { repository.remove() }
        try repository.git("config", "core.autocrlf", "true")
        let lane = try repository.spawnLane("crlf", "--base", "head")
        #expect(try String(contentsOfFile: lane + "/a.txt", encoding: .utf8) == "a\r\n")
    }

    @Test func baseHeadStartsTheLaneAtHeadIgnoringUncommittedWork() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let head = try repository.revParse("HEAD")
        let lane = try repository.spawnLane("from-head", "--base", "head")
        #expect(try repository.revParse("spur/from-head") == head)
        #expect(try repository.revParse("refs/spur/lanes/from-head/base") == head)
        #expect(try String(contentsOfFile: lane + "/README.md", encoding: .utf8) == "hello\n")
        #expect(!FileManager.default.fileExists(atPath: lane + "/notes.txt"))
    }

    @Test(arguments: ["HEAD~1", "main~1", "first-tag"])
    func baseRevisionStartsTheLaneAtThatCommit(revision: String) throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        try repository.git("tag", "first-tag", "HEAD~1")
        let expected = try repository.revParse("HEAD~1")
        let lane = try repository.spawnLane("rev", "--base", revision)
        #expect(try repository.revParse("spur/rev") == expected)
        #expect(!FileManager.default.fileExists(atPath: lane + "/src/helper.rs"))
        #expect(FileManager.default.fileExists(atPath: lane + "/src/main.rs"))
    }

    @Test func anUnknownBaseRevisionIsABadRequestThatCreatesNothing() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let result = try repository.spur("spawn", "x", "--no-run", "--base", "no-such-branch")
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        try repository.expectNoTraceOfLane("x")
    }

    @Test func baseHeadOnAnUnbornHeadIsABadRequestThatCreatesNothing() throws {
        let repository = try TestRepository.scenario("unborn")
        defer { repository.remove() }
        let result = try repository.spur("spawn", "x", "--no-run", "--base", "head")
        #expect(result.status == 2)
        #expect(result.stderr.contains("no commit"))
        try repository.expectNoTraceOfLane("x")
    }

    @Test func aSpurRefKeepsTheSnapshotAliveThroughGarbageCollection() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        _ = try repository.spawnLane("kept")
        let base = try repository.revParse("refs/spur/lanes/kept/base")
        // Even without the branch (and the worktree's HEAD), refs/spur keeps the commit.
        try repository.git("worktree", "remove", "--force", repository.defaultLanePath("kept"))
        try repository.git("branch", "-D", "spur/kept")
        try repository.git("reflog", "expire", "--expire=now", "--all")
        try repository.git("gc", "-q", "--prune=now")
        #expect(try repository.git("cat-file", "-t", base) == "commit\n")
    }

    @Test func spurWorktreeRootPlacesLanesThereRelativeOrAbsolute() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        try repository.git("config", "spur.worktreeRoot", "../lanes")
        let relative = try repository.spawnLane("rel")
        let parent = (repository.root as NSString).deletingLastPathComponent
        #expect(relative == parent + "/lanes/rel")
        let absoluteRoot = repository.scratch + "/absolute lanes"
        try repository.git("config", "spur.worktreeRoot", absoluteRoot)
        let absolute = try repository.spawnLane("abs")
        #expect(absolute == absoluteRoot + "/abs")
        for (name, path) in [("rel", relative), ("abs", absolute)] {
            #expect(try repository.worktreePaths().contains(path))
            #expect(try repository.laneJSON(name)?["worktree"] as? String == path)
            #expect(try repository.porcelainStatus(in: path) == "")
        }
        try repository.spurSucceeds("discard", "rel")
        try repository.spurSucceeds("discard", "abs")
        try repository.expectNoTraceOfLane("rel", worktree: relative)
        try repository.expectNoTraceOfLane("abs", worktree: absolute)
    }

    @Test func messageAndCommandAreRecordedAndNoRunRunsNothing() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("described", "-m", "make the tests pass", "--", "sh", "-c", "touch ran")
        let listed = try #require(try repository.laneJSON("described"))
        #expect(listed["description"] as? String == "make the tests pass")
        #expect(listed["command"] as? [String] == ["sh", "-c", "touch ran"])
        #expect(listed["state"] as? String == "created")
        #expect(!FileManager.default.fileExists(atPath: lane + "/ran"))
        #expect(!FileManager.default.fileExists(atPath: repository.path("ran")))
    }

    @Test func aLaneNameCanBeReusedAfterDiscard() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        _ = try repository.spawnLane("again")
        try repository.spurSucceeds("discard", "again")
        let lane = try repository.spawnLane("again", "--base", "head")
        #expect(try repository.porcelainStatus(in: lane) == "")
    }
}
