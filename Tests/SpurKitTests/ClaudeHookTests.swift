import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport
import SpurHookCore

/// The hook's decisions in-process: payload reading, answers, event delivery, installers.
@Suite struct ClaudeHookTests {
    @Test func everyFixturePayloadIsReadWithItsFile() throws {
        let toolUseIDs = ["Edit": "toolu_01ABCDEFGHJKMNPQRSTVWXYZ1", "Write": "toolu_01ABCDEFGHJKMNPQRSTVWXYZ2",
                          "MultiEdit": "toolu_01ABCDEFGHJKMNPQRSTVWXYZ3", "NotebookEdit": "toolu_01ABCDEFGHJKMNPQRSTVWXYZ4"]
        for (tool, fixture) in Fixtures.editToolPayloads {
            let input = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload(fixture, cwd: "/w", file: "/w/f", session: "s").utf8))
            var expected = ClaudeHookInput(event: "PreToolUse", cwd: "/w", sessionID: "s", toolName: tool, filePath: "/w/f")
            expected.toolUseID = toolUseIDs[tool]
            #expect(input == expected)
        }
        for (event, fixture) in [("PreToolUse", "pre-tool-use-bash"), ("PostToolUse", "post-tool-use-bash"),
                                 ("PostToolUseFailure", "post-tool-use-failure-bash")] {
            let input = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload(fixture, cwd: "/w", session: "s").utf8))
            var expected = ClaudeHookInput(event: event, cwd: "/w", sessionID: "s", toolName: "Bash")
            expected.toolUseID = "toolu_01BASHABCDEFGHJKMNPQRSTVWX"
            expected.command = "sed -i 's/3/three/' a.txt"
            expected.interrupted = event == "PreToolUse" ? nil : false
            #expect(input == expected)
        }
        let start = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload("session-start", cwd: "/w", session: "s").utf8))
        #expect(start == ClaudeHookInput(event: "SessionStart", cwd: "/w", sessionID: "s", source: "startup"))
        let prompt = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload("user-prompt-submit", cwd: "/w", session: "s").utf8))
        #expect(prompt == ClaudeHookInput(event: "UserPromptSubmit", cwd: "/w", sessionID: "s"))
    }

    @Test func answersAreOneLineOfClaudeCodesJSON() {
        #expect(ClaudeHookAnswer.decision(.deny, reason: "r").json
            == #"{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"r"}}"#)
        #expect(ClaudeHookAnswer.context("a/b \"c\"\nd", event: "SessionStart").json
            == #"{"hookSpecificOutput":{"additionalContext":"a/b \"c\"\nd","hookEventName":"SessionStart"}}"#)
        #expect(ClaudeHookAnswer.silent.json == nil)
        #expect(ClaudeHookAnswer.failOpen("line one\nline two").warning == "spur: warning: hook: line one (allowing)")
        #expect(ClaudeHookAnswer.failOpen("x").exitCode == 0)
    }

    @Test func guardModesDecideAnOverlappingFileInProcess() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n", "b.txt": "b\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.writeInLane("task", "a.txt", "task\n")
        let hook = ClaudeHook(environment: [:])
        func decide(_ file: String) -> ClaudeHookAnswer {
            hook.answer(ClaudeHookInput(event: "PreToolUse", cwd: fixture.repo.root, sessionID: "s", toolName: "Write", filePath: file))
        }
        #expect(decide("a.txt").permissionDecision == .ask)
        #expect(decide("b.txt") == .silent)
        try fixture.repo.git("config", "spur.guard", "deny")
        #expect(decide(fixture.repo.path("a.txt")).permissionDecision == .deny)
        try fixture.repo.git("config", "spur.guard", "warn")
        let warned = decide("./a.txt")
        #expect(warned.permissionDecision == nil && warned.event == "PreToolUse" && warned.additionalContext?.contains("lane task") == true)
        // A finished lane still counts until it is merged.
        try fixture.finish("task")
        #expect(decide("a.txt").additionalContext?.contains("lane task (done)") == true)
    }

    @Test func aFileNamedThroughASymlinkedFolderIsStillRecognised() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n"])
        defer { fixture.remove() }
        let worktree = try fixture.spawn("task")
        try fixture.writeInLane("task", "a.txt", "task\n")
        let link = fixture.repo.scratch + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.repo.root)
        let hook = ClaudeHook(environment: [:])
        let main = hook.answer(ClaudeHookInput(event: "PreToolUse", cwd: link, toolName: "Edit", filePath: link + "/a.txt"))
        #expect(main.permissionDecision == .ask)
        let laneLink = fixture.repo.scratch + "/lane-link"
        try FileManager.default.createSymbolicLink(atPath: laneLink, withDestinationPath: worktree)
        let inside = hook.answer(ClaudeHookInput(event: "PreToolUse", cwd: worktree, toolName: "Edit", filePath: laneLink + "/a.txt"))
        #expect(inside == .silent)
        let escape = hook.answer(ClaudeHookInput(event: "PreToolUse", cwd: laneLink, toolName: "Edit", filePath: link + "/a.txt"))
        #expect(escape.permissionDecision == .deny)
    }

    // MARK: - Lane news

    func appendEvents(_ fixture: OverlapFixture, _ events: [(Date, String, String)]) throws {
        let log = fixture.workspace.stateDir + "/events.jsonl"
        var text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        for (time, lane, kind) in events {
            text += try laneEventLine(time: time, lane: lane, kind: kind, state: kind == "ended" ? "done" : kind, summary: "lane \(lane) \(kind)")
        }
        try FileManager.default.createDirectory(atPath: fixture.workspace.stateDir, withIntermediateDirectories: true)
        try text.write(toFile: log, atomically: false, encoding: .utf8)
    }

    @Test func aNewSessionHearsTheLastDaysEventsOfLanesThatStillExistThenOnlyNewOnes() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n"])
        defer { fixture.remove() }
        try fixture.spawn("fresh")
        try fixture.spawn("old")
        let now = Date()
        try appendEvents(fixture, [(now.addingTimeInterval(-3 * 86400), "old", "ended"),
                                   (now.addingTimeInterval(-3600), "gone", "failed"),
                                   (now.addingTimeInterval(-60), "fresh", "ended")])
        let news = LaneNews(workspace: fixture.workspace)
        let lanes: Set = ["fresh", "old"]
        #expect(try news.take(session: "s1", now: now, existingLanes: lanes).map(\.lane) == ["fresh"])
        #expect(try news.take(session: "s1", now: now, existingLanes: lanes).isEmpty)
        try appendEvents(fixture, [(now, "old", "merged")])
        // An event arriving later reaches the session however old its lane's story is.
        #expect(try news.take(session: "s1", now: now, existingLanes: lanes).map(\.kind) == [.merged])
        #expect(try news.take(session: "s2", now: now, existingLanes: lanes).map(\.lane) == ["fresh", "old"])
        // A replaced log starts every session afresh rather than never speaking again.
        try FileManager.default.removeItem(atPath: fixture.workspace.stateDir + "/events.jsonl")
        try appendEvents(fixture, [(now, "fresh", "stalled")])
        #expect(try news.take(session: "s1", now: now, existingLanes: lanes).map(\.kind) == [.stalled])
    }

    @Test func theHookDeliversNewsOnlyOnceAndListsTheNewestTwenty() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        let now = Date()
        try appendEvents(fixture, (1...25).map { (now.addingTimeInterval(Double($0 - 30)), "task", $0 == 25 ? "flagged" : "ended") })
        let hook = ClaudeHook(environment: [:], now: now)
        let input = ClaudeHookInput(event: "UserPromptSubmit", cwd: fixture.repo.root, sessionID: "abc/../x y")
        let answer = hook.answer(input)
        let lines = answer.additionalContext?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 23)
        #expect(lines[1] == "- 5 earlier events not listed (see `spur list`)")
        #expect(lines[21] == "- lane task flagged")
        #expect(hook.answer(input) == .silent)
        #expect(FileManager.default.fileExists(atPath: fixture.workspace.stateDir + "/sessions/abc_.._x_y"))
    }

    @Test func sessionFileNamesStayInsideTheSessionsFolder() {
        #expect(LaneNews.fileName(forSession: "0b9e2f4c-5d1a-4c7e-9a8b-123456789abc") == "0b9e2f4c-5d1a-4c7e-9a8b-123456789abc")
        #expect(LaneNews.fileName(forSession: "../../etc/passwd") == "s.._.._etc_passwd")
        #expect(LaneNews.fileName(forSession: "..") == "s..")
        #expect(LaneNews.fileName(forSession: "é") == "_")
        #expect(LaneNews.fileName(forSession: String(repeating: "a", count: 500)).count == 128)
    }

    @Test func idleSessionsAreForgottenWhenASessionStarts() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n"])
        defer { fixture.remove() }
        let news = LaneNews(workspace: fixture.workspace)
        _ = try news.take(session: "old", now: Date(), existingLanes: [])
        _ = try news.take(session: "recent", now: Date(), existingLanes: [])
        let old = news.directory + "/old"
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-31 * 86400)], ofItemAtPath: old)
        _ = ClaudeHook(environment: [:]).answer(ClaudeHookInput(event: "SessionStart", cwd: fixture.repo.root, sessionID: "new"))
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: news.directory + "/recent"))
        #expect(FileManager.default.fileExists(atPath: news.directory + "/new"))
    }

    // MARK: - Commit guard

    @Test func commitGuardLeavesCommitsInsideALaneAlone() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n"])
        defer { fixture.remove() }
        let worktree = try fixture.spawn("task")
        try fixture.spawn("other")
        try fixture.writeInLane("task", "a.txt", "task\n")
        try fixture.writeInLane("other", "a.txt", "other\n")
        let guardian = CommitGuard(workspace: fixture.workspace)
        #expect(try guardian.review(stagedPaths: ["a.txt"], cwd: worktree) == CommitGuard.Verdict(lines: [], blocks: false))
        let verdict = try guardian.review(stagedPaths: ["a.txt"], cwd: fixture.repo.root)
        #expect(verdict.lines == ["spur: warning: a.txt is also changed by lanes other (created) and task (created); "
            + "merging that lane later may conflict with this commit"])
        #expect(!verdict.blocks)
        // Another worktree of yours is not where lanes merge to.
        let own = fixture.repo.scratch + "/own"
        try fixture.repo.git("worktree", "add", "-q", "--detach", own)
        #expect(try guardian.review(stagedPaths: ["a.txt"], cwd: own).lines.isEmpty)
        #expect(try guardian.review(stagedPaths: ["a.txt"], cwd: fixture.repo.path(".")).lines.count == 1)
    }

    @Test func uninstallKeepsASymlinkedSettingsFileAndEmptiesItsTarget() throws {
        let fixture = try OverlapFixture(["a.txt": "a\n"])
        defer { fixture.remove() }
        let target = fixture.repo.scratch + "/dotfiles-settings.json"
        try "{}\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: fixture.repo.path(".claude"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.repo.path(".claude/settings.json"), withDestinationPath: target)
        let installer = ClaudeSettingsInstaller(workspace: fixture.workspace)
        try installer.apply(try installer.planInstall(fastBash: true))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == ClaudeSettingsInstaller.snippet.rendered() + "\n")
        try installer.apply(try installer.planUninstall())
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.repo.path(".claude/settings.json")) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "{}\n")
    }

    // MARK: - Installers and the files in hooks/

    @Test func theShippedFilesAreWhatTheInstallersWrite() throws {
        #expect(try Fixtures.read("../hooks/claude/settings.json") == ClaudeSettingsInstaller.snippet.rendered() + "\n")
        #expect(try Fixtures.read("../hooks/git/pre-commit") == GitHookInstaller.script)
        #expect(FileManager.default.isExecutableFile(atPath: Fixtures.path("../hooks/git/pre-commit")))
    }

    @Test func spursOwnCommandIsRecognisedHoweverItIsNamed() {
        #expect(ClaudeSettingsInstaller.isSpurCommand("spur hook claude"))
        #expect(ClaudeSettingsInstaller.isSpurCommand("  /usr/local/bin/spur   hook claude "))
        #expect(!ClaudeSettingsInstaller.isSpurCommand("spur hook claude --other"))
        #expect(!ClaudeSettingsInstaller.isSpurCommand("notspur hook claude"))
        #expect(ClaudeSettingsInstaller.isSpurCommand("spur-hook claude"))
        #expect(ClaudeSettingsInstaller.isSpurCommand("/opt/bin/spur-hook  claude"))
        #expect(!ClaudeSettingsInstaller.isSpurCommand("spur-hook hook claude"))
        #expect(!ClaudeSettingsInstaller.isSpurCommand("spur-hook"))
        #expect(!ClaudeSettingsInstaller.isSpurCommand("spur"))
    }

    @Test func jsonKeepsOrderNumbersAndTextExactly() throws {
        let text = #"{"z": 1, "a": [1.50, -2e+10, true, false, null], "s": "tab\t quote\" slash/ \u00e9 \ud83d\ude00 nul\u0000", "e": {}, "l": []}"#
        let value = try JSONValue.parse(text)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["z", "a", "s", "e", "l"])
        #expect(value["a"] == .array([.number("1.50"), .number("-2e+10"), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.stringValue == "tab\t quote\" slash/ é 😀 nul\u{0}")
        #expect(try JSONValue.parse(value.rendered()) == value)
        #expect(value.rendered().contains(#""s": "tab\t quote\" slash/ é 😀 nul\u0000""#))
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "\"\\ud800\"", "1 2", "{\"a\":1,}", "\"a\nb\"", "tru"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }

    @Test func installingIntoSettingsKeepsOtherHooksOnTheSameEvent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spur-settings-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let installer = ClaudeSettingsInstaller(path: folder + "/.claude/settings.json")
        let empty = try installer.planInstall()
        #expect(empty.before == nil && empty.events == ["PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit", "SessionStart"])
        try installer.apply(empty)
        #expect(try installer.planInstall().changesFile == false)
        // The file changed after planning: nothing is written.
        let stale = try installer.planUninstall()
        try "{}\n".write(toFile: installer.path, atomically: true, encoding: .utf8)
        #expect(throws: SpurError.self) { try installer.apply(stale) }
        #expect(try String(contentsOfFile: installer.path, encoding: .utf8) == "{}\n")
    }
}
