import Foundation
import Testing
import SpurTestSupport

/// spur as Claude Code's worktree provider: `spur hook claude` fed the WorktreeCreate,
/// SubagentStop and Stop payloads of `fixtures/hooks/` (issue #18 §1).
@Suite struct ClaudeWorktreeTests {
    /// a.txt and b.txt committed; then a.txt changed (unstaged), s.txt staged, new.txt untracked.
    func dirtyRepository() throws -> TestRepository {
        let repo = try TestRepository.empty()
        try repo.write("a.txt", (1...10).map(String.init).joined(separator: "\n") + "\n")
        try repo.write("b.txt", "b\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "base")
        try repo.write("a.txt", (1...10).map(String.init).joined(separator: "\n") + "\nuser line\n")
        try repo.write("s.txt", "staged\n")
        try repo.git("add", "s.txt")
        try repo.write("new.txt", "untracked\n")
        return repo
    }

    func hook(_ repo: TestRepository, _ fixture: String, cwd: String, name: String = "", agent: String = "agent-1",
              session: String = "parent-session", file: String = "", env: [String: String] = [:]) throws -> ProcessResult {
        let payload = try Fixtures.hookPayload(fixture, cwd: cwd, file: file, session: session)
            .replacingOccurrences(of: "{{NAME}}", with: name)
            .replacingOccurrences(of: "{{AGENT}}", with: agent)
        return try repo.spur("hook", "claude", cwd: cwd, env: env, stdin: payload)
    }

    /// WorktreeCreate that must succeed; returns the printed path.
    func createWorktree(_ repo: TestRepository, name: String, cwd: String? = nil, session: String = "parent-session") throws -> String {
        let result = try hook(repo, "worktree-create", cwd: cwd ?? repo.root, name: name, session: session)
        guard result.status == 0, result.lines.count == 1, let path = result.lines.first else {
            throw TestFailure("WorktreeCreate exited \(result.status), stdout \(result.stdout), stderr \(result.stderr)")
        }
        return path
    }

    func laneRecord(_ repo: TestRepository, _ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: repo.path(".git/spur/lanes/\(name).json")))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw TestFailure("no lane record") }
        return object
    }

    func watcherPID(_ repo: TestRepository, _ name: String) throws -> Int32? {
        let state = try Data(contentsOf: URL(fileURLWithPath: repo.path(".git/worktrees/spur-\(name)/spur-journal-state")))
        return ((try JSONSerialization.jsonObject(with: state) as? [String: Any])?["pid"] as? NSNumber)?.int32Value
    }

    func events(_ repo: TestRepository) -> [String] {
        ((try? repo.read(".git/spur/events.jsonl")) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func worktreeCreatePrintsOnlyTheCanonicalPathOfALaneHoldingTheUncommittedEdits() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        // Claude Code runs in the repository through a symlink: the answer must not go through it.
        let link = repo.scratch + "/through-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: repo.root)
        let result = try hook(repo, "worktree-create", cwd: link, name: "agent-a1b2c3", session: "s-42")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == repo.defaultLanePath("agent-a1b2c3") + "\n")
        let path = result.stdout.trimmingCharacters(in: .newlines)
        #expect(URL(fileURLWithPath: path).resolvingSymlinksInPath().path == path)
        #expect(!path.contains("/../") && !path.contains("/./"))
        #expect(try String(contentsOfFile: path + "/a.txt", encoding: .utf8) == repo.read("a.txt"))
        #expect(try String(contentsOfFile: path + "/s.txt", encoding: .utf8) == "staged\n")
        #expect(try String(contentsOfFile: path + "/new.txt", encoding: .utf8) == "untracked\n")
        let record = try laneRecord(repo, "agent-a1b2c3")
        #expect(record["createdBy"] as? String == "claude-worktree")
        #expect(record["claudeSession"] as? String == "s-42")
        #expect(record["state"] as? String == "created")
        #expect(try repo.git("status", "--porcelain") == " M a.txt\nA  s.txt\n?? new.txt\n")
    }

    @Test func theDocumentedWorktreeNameFieldIsReadToo() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let result = try hook(repo, "worktree-create-documented", cwd: repo.root, name: "feat-auth")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [repo.defaultLanePath("feat-auth")])
    }

    @Test func namesAreMadeValidAndUniqueWithinSixtyFourCharacters() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        #expect(try createWorktree(repo, name: "Fix Auth/Retry!") == repo.defaultLanePath("fix-auth-retry"))
        #expect(try createWorktree(repo, name: "fix-auth-retry") == repo.defaultLanePath("fix-auth-retry-2"))
        #expect(try createWorktree(repo, name: "FIX_auth..retry") == repo.defaultLanePath("fix_auth.retry"))
        let long = String(repeating: "x", count: 80)
        #expect(try createWorktree(repo, name: long) == repo.defaultLanePath(String(repeating: "x", count: 64)))
        #expect(try createWorktree(repo, name: long) == repo.defaultLanePath(String(repeating: "x", count: 62) + "-2"))
    }

    @Test func badInputFailsWithOneLineAndANonZeroExitAndLeavesNoLane() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let bare = repo.scratch + "/bare.git"
        try repo.git("init", "-q", "--bare", bare)
        let outside = repo.scratch + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let before = try repo.userState()
        let noName = #"{"session_id":"s","cwd":"\#(repo.root)","hook_event_name":"WorktreeCreate"}"#
        let numberName = #"{"session_id":"s","cwd":"\#(repo.root)","hook_event_name":"WorktreeCreate","name":7}"#
        let cases: [(String, ProcessResult, String)] = [
            ("no name", try repo.spur("hook", "claude", stdin: noName), "spur: the WorktreeCreate event has no name"),
            ("a number for a name", try repo.spur("hook", "claude", stdin: numberName),
             "spur: WorktreeCreate: the hook input has an unexpected shape at name"),
            ("no letter in the name", try hook(repo, "worktree-create", cwd: repo.root, name: "/-/"),
             "spur: the WorktreeCreate name '/-/' has no letter or digit to name a lane after"),
            ("outside a repository", try hook(repo, "worktree-create", cwd: outside, name: "x"),
             "spur: not a git repository (or any parent folder): \(outside)"),
            ("a bare repository", try hook(repo, "worktree-create", cwd: bare, name: "x"), "bare repository"),
            ("the disk fills during checkout", try hook(repo, "worktree-create", cwd: repo.root, name: "x",
                                                         env: ["SPUR_FAULT": "spawn-after-worktree"]),
             "spur: fault injected at spawn-after-worktree"),
        ]
        for (what, result, message) in cases {
            #expect(result.status != 0, "\(what)")
            #expect(result.stdout.isEmpty, "\(what): \(result.stdout)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(what): \(result.stderr)")
            #expect(result.stderr.hasPrefix("spur: ") && result.stderr.contains(message), "\(what): \(result.stderr)")
        }
        try repo.git("config", "spur.claudeBase", "tip")
        let badBase = try hook(repo, "worktree-create", cwd: repo.root, name: "x")
        #expect(badBase.status == 2 && badBase.stdout.isEmpty)
        #expect(badBase.stderr == "spur: git config spur.claudeBase is 'tip'; it takes worktree or head\n")
        try repo.expectNoTraceOfLane("x")
        #expect(try repo.listJSON().isEmpty)
        #expect(try repo.userState() == before)
    }

    @Test func claudeBaseHeadStartsTheLaneFromHead() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        try repo.git("config", "spur.claudeBase", "head")
        let path = try createWorktree(repo, name: "clean")
        #expect(try String(contentsOfFile: path + "/a.txt", encoding: .utf8) == repo.git("show", "HEAD:a.txt"))
        #expect(!FileManager.default.fileExists(atPath: path + "/new.txt"))
    }

    /// The issue's "Done when": WorktreeCreate, edits, SubagentStop, the parent hears it once, merge, undo.
    @Test func theWholeCycleFromWorktreeCreateToMergeAndUndo() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let path = try createWorktree(repo, name: "agent-7f3e")
        // Made as spawn --no-run makes a lane: its watcher journals the worktree until the result is recorded.
        let watcher = try #require(try watcherPID(repo, "agent-7f3e"))
        #expect(processIsRunning(watcher))
        try "b from the agent\n".write(toFile: path + "/b.txt", atomically: true, encoding: .utf8)
        try "made by the agent\n".write(toFile: path + "/agent.txt", atomically: true, encoding: .utf8)

        let stop = try hook(repo, "subagent-stop", cwd: path, agent: "7f3e")
        #expect(stop.status == 0 && stop.stdout.isEmpty && stop.stderr.isEmpty, "\(stop.stderr)")
        #expect(try repo.git("log", "-1", "--format=%s", "spur/agent-7f3e") == "spur: agent-7f3e finished by its Claude Code agent\n")
        #expect(try repo.git("show", "spur/agent-7f3e:b.txt") == "b from the agent\n")
        #expect(try repo.git("show", "spur/agent-7f3e:agent.txt") == "made by the agent\n")
        let record = try laneRecord(repo, "agent-7f3e")
        #expect(record["state"] as? String == "done")
        #expect(record["claudeAgent"] as? String == "7f3e")
        let deadline = Date().addingTimeInterval(10)
        while processIsRunning(watcher) && Date() < deadline { usleep(20_000) }
        #expect(!processIsRunning(watcher), "the lane's watcher outlived its result")
        #expect(events(repo).count == 1)
        #expect(events(repo).first?.contains(#""summary":"lane agent-7f3e done; 2 files changed; ready to merge cleanly""#) == true)

        let heard = try hook(repo, "user-prompt-submit", cwd: repo.root)
        #expect(heard.status == 0)
        let context = jsonPath(try hookAnswerObject(heard.stdout), "hookSpecificOutput.additionalContext") as? String
        #expect(context?.contains("- lane agent-7f3e done; 2 files changed; ready to merge cleanly") == true, "\(heard.stdout)")
        let again = try hook(repo, "user-prompt-submit", cwd: repo.root)
        #expect(again.status == 0 && again.stdout.isEmpty)

        let beforeMerge = try repo.fingerprint()
        try repo.spurSucceeds("merge", "agent-7f3e")
        #expect(try repo.read("b.txt") == "b from the agent\n")
        #expect(try repo.read("agent.txt") == "made by the agent\n")
        #expect(try repo.read("a.txt").hasSuffix("user line\n"))
        try repo.spurSucceeds("undo")
        #expect(try repo.fingerprint() == beforeMerge)
    }

    @Test func claudeOnFinishMergeMergesACleanResultIntoTheDirtyTree() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        try repo.git("config", "spur.claudeOnFinish", "merge")
        let path = try createWorktree(repo, name: "merger")
        try "b merged\n".write(toFile: path + "/b.txt", atomically: true, encoding: .utf8)
        let stop = try hook(repo, "subagent-stop", cwd: path)
        #expect(stop.status == 0 && stop.stdout.isEmpty, "\(stop.stderr)")
        #expect(try repo.read("b.txt") == "b merged\n")
        #expect(try repo.read("new.txt") == "untracked\n")
        #expect(try laneRecord(repo, "merger")["state"] as? String == "merged")
        #expect(events(repo).last?.contains("merged into your working tree (1 files written; 'spur undo' reverts)") == true)
        try repo.spurSucceeds("undo")
        #expect(try repo.read("b.txt") == "b\n")
    }

    @Test func aSecondStopRecordsTheNewerWorkAndAnUnchangedOneSaysNothing() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let path = try createWorktree(repo, name: "resumed")
        try "first\n".write(toFile: path + "/b.txt", atomically: true, encoding: .utf8)
        // Stopped in its worktree: the lane is found by cwd, and agent ag-9 is bound to it.
        #expect(try hook(repo, "subagent-stop", cwd: path, agent: "ag-9").status == 0)
        let first = try repo.revParse("spur/resumed")
        #expect(try repo.git("show", "spur/resumed:b.txt") == "first\n")
        try "second\n".write(toFile: path + "/b.txt", atomically: true, encoding: .utf8)
        // Resumed and stopped again: found by its agent_id, now that the lane is no longer waiting.
        #expect(try hook(repo, "subagent-stop", cwd: repo.root, agent: "ag-9").status == 0)
        #expect(try repo.git("show", "spur/resumed:b.txt") == "second\n")
        #expect(try repo.git("rev-parse", "spur/resumed~1") == first + "\n")
        #expect(events(repo).count == 2)
        let unchanged = try hook(repo, "subagent-stop", cwd: path, agent: "ag-9")
        #expect(unchanged.status == 0 && unchanged.stdout.isEmpty && unchanged.stderr.isEmpty)
        #expect(try repo.git("show", "spur/resumed:b.txt") == "second\n")
        #expect(events(repo).count == 2)
    }

    /// SubagentStop names no worktree and its cwd may be the parent's: the subagent's own
    /// transcript says where it worked, so with two waiting lanes the right one is recorded.
    @Test func aSubagentsTranscriptTellsWhichOfTheSessionsLanesItWorkedIn() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let first = try createWorktree(repo, name: "first")
        let second = try createWorktree(repo, name: "second")
        try "work\n".write(toFile: second + "/w.txt", atomically: true, encoding: .utf8)
        let transcript = repo.scratch + "/agent-ag-2.jsonl"
        let lines = ["{\"type\":\"user\",\"cwd\":\"\(repo.root)\",\"message\":\"start\"}",
                     "{\"type\":\"assistant\",\"cwd\":\"\(second)\",\"message\":\"done\"}"]
        try (lines.joined(separator: "\n") + "\n").write(toFile: transcript, atomically: true, encoding: .utf8)
        let payload = try Fixtures.hookPayload("subagent-stop", cwd: repo.root, file: "", session: "parent-session")
            .replacingOccurrences(of: "{{AGENT}}", with: "ag-2")
            .replacingOccurrences(of: "/home/user/.claude/projects/-work-project/parent-session/subagents/agent-ag-2.jsonl", with: transcript)
        #expect(payload.contains(transcript))
        #expect(try repo.spur("hook", "claude", cwd: repo.root, stdin: payload).status == 0)
        #expect(try repo.git("show", "spur/second:w.txt") == "work\n")
        #expect(try laneRecord(repo, "second")["claudeAgent"] as? String == "ag-2")
        #expect(try laneRecord(repo, "first")["state"] as? String == "created")
        _ = first
    }

    /// With one waiting lane and nothing else to go by, the stop is taken as that lane's, but it
    /// may be another subagent's: the result is recorded and flagged, never merged, and no agent
    /// is bound to the lane (so its own subagent's stop still finds it).
    @Test func aGuessedLaneIsRecordedButNeverMergedAutomatically() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        try repo.git("config", "spur.claudeOnFinish", "merge")
        let path = try createWorktree(repo, name: "guessed")
        try "guess\n".write(toFile: path + "/g.txt", atomically: true, encoding: .utf8)
        #expect(try hook(repo, "subagent-stop", cwd: repo.root, agent: "someone-else").status == 0)
        #expect(try repo.git("show", "spur/guessed:g.txt") == "guess\n")
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/g.txt"))
        #expect(try laneRecord(repo, "guessed")["claudeAgent"] == nil)
        #expect(try laneRecord(repo, "guessed")["state"] as? String == "done")
    }

    /// Claude Code's lanes are lanes like any other: `.worktreeinclude` copies and `spur.setup`
    /// before the path is given; a failing setup fails the creation and leaves no lane.
    @Test func aClaudeLaneGetsIncludedFilesAndRunsTheSetupBeforeItsPathIsPrinted() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        try repo.write(".gitignore", ".env\n")
        try repo.write(".env", "SECRET=1\n")
        try repo.write(".worktreeinclude", ".env\n")
        try repo.git("config", "spur.setup", "echo ready > setup-ran.txt")
        let path = try createWorktree(repo, name: "set-up")
        #expect(try String(contentsOfFile: path + "/.env", encoding: .utf8) == "SECRET=1\n")
        #expect(try String(contentsOfFile: path + "/setup-ran.txt", encoding: .utf8) == "ready\n")
        try repo.git("config", "spur.setup", "exit 3")
        let failed = try hook(repo, "worktree-create", cwd: repo.root, name: "broken")
        #expect(failed.status != 0 && failed.stdout.isEmpty, "\(failed.stdout)")
        #expect(failed.stderr.contains("setup failed (exit 3)"), "\(failed.stderr)")
        #expect(try repo.spur("show", "broken").status != 0)
        #expect(!FileManager.default.fileExists(atPath: repo.defaultLanePath("broken")))
    }

    @Test func stopOfABackgroundSessionInTheLaneRecordsItAndStopElsewhereIsSilent() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let path = try createWorktree(repo, name: "background", session: "bg-session")
        try "from the background session\n".write(toFile: path + "/bg.txt", atomically: true, encoding: .utf8)
        let inMainTree = try hook(repo, "stop", cwd: repo.root, session: "bg-session")
        #expect(inMainTree.status == 0 && inMainTree.stdout.isEmpty && inMainTree.stderr.isEmpty)
        #expect(try laneRecord(repo, "background")["state"] as? String == "created")
        let inLane = try hook(repo, "stop", cwd: path + "/", session: "bg-session")
        #expect(inLane.status == 0 && inLane.stdout.isEmpty && inLane.stderr.isEmpty, "\(inLane.stderr)")
        #expect(try repo.git("show", "spur/background:bg.txt") == "from the background session\n")
        #expect(try laneRecord(repo, "background")["state"] as? String == "done")
    }

    @Test func aStopForALaneSpurDidNotMakeForClaudeGetsNoAnswer() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        let outside = repo.scratch + "/elsewhere"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let spawned = try repo.spawnLane("by-hand")
        try "x\n".write(toFile: spawned + "/b.txt", atomically: true, encoding: .utf8)
        for (fixture, cwd) in [("subagent-stop", repo.root), ("subagent-stop", spawned), ("stop", spawned), ("subagent-stop", outside)] {
            let result = try hook(repo, fixture, cwd: cwd)
            #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(fixture) in \(cwd): \(result.stderr)")
        }
        #expect(try laneRecord(repo, "by-hand")["state"] as? String == "created")
        #expect(events(repo).isEmpty)
    }

    @Test func installWorktreesAddsTheThreeEventsKeepsTheUsersAndUninstallTakesThemOut() throws {
        let repo = try dirtyRepository()
        defer { repo.remove() }
        try repo.write(".claude/settings.json", HooksInstallTests.existingSettings)
        let refused = try repo.spur("hooks", "install", "--worktrees")
        #expect(refused.status == 2)
        let installed = try repo.spurSucceeds("hooks", "install", "--claude", "--worktrees")
        #expect(installed.stdout.contains("(PreToolUse, PostToolUse, PostToolUseFailure, UserPromptSubmit, SessionStart, WorktreeCreate, SubagentStop, Stop)"))
        let settings = try JSONSerialization.jsonObject(with: Data(try repo.read(".claude/settings.json").utf8))
        for event in ["WorktreeCreate", "SubagentStop", "Stop"] {
            let groups = jsonPath(settings, "hooks.\(event)") as? [[String: Any]] ?? []
            let commands = groups.flatMap { ($0["hooks"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String } }
            #expect(commands.contains("spur hook claude"), "\(event)")
            #expect(groups.allSatisfy { $0["matcher"] == nil }, "\(event)")
        }
        let stopCommands = (jsonPath(settings, "hooks.Stop") as? [[String: Any]] ?? [])
            .flatMap { ($0["hooks"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String } }
        #expect(stopCommands == ["notify-send done", "spur hook claude"])
        let twice = try repo.spurSucceeds("hooks", "install", "--claude", "--worktrees")
        #expect(twice.stdout.contains("already"))
        try repo.spurSucceeds("hooks", "uninstall", "--claude")
        let back = try JSONSerialization.jsonObject(with: Data(try repo.read(".claude/settings.json").utf8)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(HooksInstallTests.existingSettings.utf8)) as? NSDictionary
        #expect(back == original)
        let help = try repo.spurSucceeds("hooks", "install", "--help").stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("WorktreeCreate replaces Claude Code's own worktree creation"))
        #expect(help.contains("Claude Code no longer copies .worktreeinclude files itself"))
    }
}
