import Foundation
import Testing
import SpurTestSupport

@Suite struct ListTests {
    @Test func listJSONHasEveryDocumentedField() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let started = Date()
        let lane = try repository.spawnLane("fields", "-m", "write docs", "--", "make", "docs")
        _ = try repository.spawnLane("plain", "--base", "head")
        let lanes = try repository.listJSON()
        #expect(lanes.map { $0["name"] as? String } == ["fields", "plain"])
        let fields = try #require(lanes.first)
        for key in ["name", "state", "description", "command", "base", "head", "branch", "worktree", "createdAt", "changedFiles"] {
            #expect(fields.keys.contains(key), "missing \(key)")
        }
        #expect(fields["state"] as? String == "created")
        #expect(fields["description"] as? String == "write docs")
        #expect(fields["command"] as? [String] == ["make", "docs"])
        #expect(fields["base"] as? String == (try repository.revParse("refs/spur/lanes/fields/base")))
        #expect(fields["head"] is NSNull)
        #expect(fields["branch"] as? String == "spur/fields")
        #expect(fields["worktree"] as? String == lane)
        #expect(fields["changedFiles"] as? [String] == [])
        let createdAt = try #require(fields["createdAt"] as? String)
        let date = try #require(ISO8601DateFormatter().date(from: createdAt), "not ISO-8601: \(createdAt)")
        #expect(abs(date.timeIntervalSince(started)) < 120)
        let plain = try #require(lanes.last)
        #expect(plain["command"] is NSNull)
        #expect(plain["description"] is NSNull)
        #expect(plain["base"] as? String == (try repository.revParse("HEAD")))
    }

    @Test func changedFilesAreTheSortedRepoRelativePathsThatDifferFromTheBase() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("edits")
        try repository.shell("""
            printf 'edited\\n' >> README.md
            rm src/main.rs
            mkdir -p 'z dir/ü' && printf 'new\\n' > 'z dir/ü/new file.txt'
            printf 'a\\n' > a-first.txt
            chmod +x src/helper.rs
            git add a-first.txt && git commit -q -m 'a lane commit'
            printf 'ignored by nothing\\n' > notes.txt
            """, cwd: lane)
        let listed = try #require(try repository.laneJSON("edits"))
        #expect(listed["changedFiles"] as? [String] == ["README.md", "a-first.txt", "notes.txt", "src/helper.rs", "src/main.rs", "z dir/ü/new file.txt"])
    }

    @Test func aLaneWhoseWorktreeWasDeletedByHandIsListedAsRemoved() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("gone")
        _ = try repository.spawnLane("fine")
        try FileManager.default.removeItem(atPath: lane)
        let json = try repository.listJSON()
        #expect(json.first { $0["name"] as? String == "gone" }?["state"] as? String == "removed")
        #expect(json.first { $0["name"] as? String == "fine" }?["state"] as? String == "created")
        let table = try repository.spurSucceeds("list")
        let row = try #require(table.lines.first { $0.hasPrefix("gone ") })
        #expect(row.contains("removed"))
        #expect(table.stdout.contains("was removed before the lane had a result"))
        // And it can still be discarded, leaving nothing behind.
        try repository.spurSucceeds("discard", "gone")
        try repository.expectNoTraceOfLane("gone")
        #expect(try repository.worktreePaths() == [repository.root, repository.defaultLanePath("fine")])
    }

    @Test func aLaneWhoseWorktreeGitAlreadyPrunedCanBeListedAndDiscarded() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("pruned")
        try FileManager.default.removeItem(atPath: lane)
        try repository.git("worktree", "prune")
        #expect(try repository.laneJSON("pruned")?["state"] as? String == "removed")
        try repository.spurSucceeds("discard", "pruned")
        try repository.expectNoTraceOfLane("pruned")
    }

    @Test func listPrintsATableWithOneRowPerLane() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        #expect(try repository.spurSucceeds("list").stdout.contains("no lanes"))
        _ = try repository.spawnLane("one", "-m", "first task")
        _ = try repository.spawnLane("two", "--", "echo", "hi")
        let lines = try repository.spurSucceeds("list").lines
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("NAME") && lines[0].contains("STATE"))
        #expect(lines[1].hasPrefix("one ") && lines[1].contains("created") && lines[1].hasSuffix("first task"))
        #expect(lines[2].hasPrefix("two ") && lines[2].hasSuffix("echo hi"))
        #expect(!lines.joined().contains("\u{1B}["), "no colour when not on a terminal")
    }

    @Test func listOnATerminalColoursStatesUnlessNoColorIsSet() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("gone")
        try FileManager.default.removeItem(atPath: lane)
        let command = "'\(SpurExecutable.path)' list"
        var env = repository.environment
        env["NO_COLOR"] = nil
        env["TERM"] = "xterm"
        let coloured = try ProcessRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], cwd: repository.root, environment: env)
        #expect(coloured.stdout.contains("\u{1B}[31mremoved"))
        env["NO_COLOR"] = "1"
        let plain = try ProcessRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], cwd: repository.root, environment: env)
        #expect(plain.stdout.contains("removed") && !plain.stdout.contains("\u{1B}["))
    }
}
