import Foundation
import Testing
import SpurTestSupport

/// The Bash guard: `spur hook claude` fed a PreToolUse and a PostToolUse of Bash around a real
/// command, in a repository where lane "task" changed a.txt (line 3).
@Suite struct BashGuardTests {
    func repositoryWithOverlap() throws -> (TestRepository, String) {
        let (repo, worktree) = try overlapRepositoryWithLane()
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        return (repo, worktree)
    }

    /// The fixture `fixtures/hooks/NAME.json` for `command`, with its folder, session and tool use id.
    func payload(_ fixture: String, cwd: String, command: String, toolUseID: String?, session: String = "session-1") throws -> String {
        let text = try Fixtures.hookPayload(fixture, cwd: cwd, session: session)
        guard var object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              var input = object["tool_input"] as? [String: Any] else { throw TestFailure("fixture \(fixture) has no tool_input") }
        input["command"] = command
        object["tool_input"] = input
        object["tool_use_id"] = toolUseID
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Runs the PreToolUse hook, `command` in `cwd` with bash, then the PostToolUse hook; the
    /// PreToolUse must answer nothing. Returns the PostToolUse result. The hooks run as
    /// installed: `spur-hook claude`, which hands what it cannot settle to `spur hook claude`.
    func runBash(_ repo: TestRepository, _ command: String, cwd: String? = nil, toolUseID: String = "toolu_01Bash",
                 env: [String: String] = [:]) throws -> ProcessResult {
        let folder = cwd ?? repo.root
        let before = try repo.spurHook(cwd: folder, env: env,
                                       stdin: payload("pre-tool-use-bash", cwd: folder, command: command, toolUseID: toolUseID))
        #expect(before.status == 0 && before.stdout.isEmpty && before.stderr.isEmpty, "PreToolUse: \(before.stdout) \(before.stderr)")
        _ = try repo.shell(command, cwd: folder)
        return try repo.spurHook(cwd: folder, env: env,
                                 stdin: payload("post-tool-use-bash", cwd: folder, command: command, toolUseID: toolUseID))
    }

    /// `spur-hook claude` (as installed) in the repository's root, fed `fixture` for `command`.
    func hook(_ repo: TestRepository, _ fixture: String, command: String, toolUseID: String) throws -> ProcessResult {
        try repo.spurHook(stdin: payload(fixture, cwd: repo.root, command: command, toolUseID: toolUseID))
    }

    func records(_ repo: TestRepository) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: repo.path(".git/spur/bash"))) ?? []
    }

    static let aTxtWarning = "spur: the Bash command just run changed a.txt, which lane task (created) has also changed. Merging "
        + "that lane into this working tree later may conflict with this change. Check `spur status` (it shows the overlap), "
        + "keep the change in mind, leave these files alone if you can, and tell the user; `spur merge task` brings the "
        + "lane's work in."
    static let aTxtMessage = "spur: a Bash command changed a.txt, which lane task (created) has also changed; merging that lane "
        + "may conflict (see `spur status`)."

    @Test func sedInPlaceOnAFileALaneChangedTellsTheAgentAndThePerson() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let result = try runBash(repo, "sed -i 's/5/five/' a.txt")
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(try hookAnswerObject(result.stdout) == [
            "hookSpecificOutput": ["hookEventName": "PostToolUse", "additionalContext": Self.aTxtWarning],
            "systemMessage": Self.aTxtMessage,
        ] as NSDictionary)
        // The record of the call is gone with its PostToolUse.
        #expect(records(repo).isEmpty)
    }

    @Test func everyWayOfWritingTheFileIsSeen() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.write("other.txt", "other\n")
        try repo.write("a.txt", try repo.read("a.txt") + "mine\n")
        let commands = [
            "echo more >> a.txt",
            "python3 -c \"open('a.txt', 'a').write('python\\n')\"",
            "git checkout -- a.txt",                  // a new file in place of the old
            "cp other.txt a.txt",                     // the same inode, other bytes
            "mv other.txt a.txt",                     // another inode renamed onto it
            "chmod +x a.txt",                         // the mode alone
            "rm a.txt",                               // gone
            "printf '1\\n2\\n' > a.txt",              // back again
        ]
        for (number, command) in commands.enumerated() {
            let result = try runBash(repo, command, toolUseID: "toolu_\(number)")
            #expect(result.status == 0, "\(command)")
            #expect(jsonPath(try hookAnswerObject(result.stdout), "hookSpecificOutput.additionalContext") as? String == Self.aTxtWarning,
                    "\(command): \(result.stdout) \(result.stderr)")
            #expect(jsonPath(try hookAnswerObject(result.stdout), "systemMessage") as? String == Self.aTxtMessage, "\(command)")
        }
        #expect(records(repo).isEmpty)
    }

    @Test func aCommandThatTouchesOnlyOtherFilesGetsNoAnswer() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let result = try runBash(repo, "echo x >> b.txt && touch c.txt && mkdir -p d && cat a.txt > d/copy.txt && git status --short")
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.isEmpty)
        #expect(records(repo).isEmpty)
    }

    @Test func aFileTheLaneAddedIsSeenWhenTheCommandCreatesItAndSeveralFilesAreNamedByLane() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.shell("echo new > new.txt && echo lane > b.txt", cwd: worktree)
        let other = try repo.spur("spawn", "other", "--no-run").lines.last ?? ""
        try repo.shell("echo other > b.txt", cwd: other)
        let result = try runBash(repo, "echo mine > new.txt && echo mine > b.txt && echo mine >> a.txt")
        let context = jsonPath(try hookAnswerObject(result.stdout), "hookSpecificOutput.additionalContext") as? String
        #expect(context == "spur: the Bash command just run changed a.txt and new.txt, which lane task (created) has also "
            + "changed; b.txt, which lanes other (created) and task (created) have also changed. Merging that lane into this "
            + "working tree later may conflict with this change. Check `spur status` (it shows the overlap), keep the change in "
            + "mind, leave these files alone if you can, and tell the user; `spur merge LANE` brings the lane's work in.")
    }

    @Test func aFileInAFolderTheLaneMadeIsWatchedAndOneTheLaneOnlyTouchedIsNot() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        // The journal names b.txt, which is as it was: the report is confirmed against the lane first.
        try repo.shell("cp b.txt b.tmp && mv b.tmp b.txt", cwd: worktree)
        let touched = try runBash(repo, "echo x >> b.txt", toolUseID: "toolu_b")
        #expect(touched.status == 0 && touched.stdout.isEmpty && touched.stderr.isEmpty)
        // The journal names the new folder as a whole.
        try repo.shell("mkdir -p docs/new && echo lane > docs/new/f.txt", cwd: worktree)
        let result = try runBash(repo, "mkdir -p docs/new && echo mine > docs/new/f.txt && echo y >> b.txt")
        #expect(jsonPath(try hookAnswerObject(result.stdout), "systemMessage") as? String
            == "spur: a Bash command changed docs/new/f.txt, which lane task (created) has also changed; merging that lane may "
            + "conflict (see `spur status`).")
    }

    @Test func guardDenyBlocksWithTheReasonAfterTheFact() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.git("config", "spur.guard", "deny")
        let result = try runBash(repo, "sed -i 's/5/five/' a.txt")
        #expect(result.status == 0)
        #expect(try hookAnswerObject(result.stdout) == [
            "decision": "block",
            "reason": "spur: the Bash command just run changed a.txt, which lane task (created) has also changed, and git "
                + "config spur.guard=deny forbids changing files a live lane changed. The change is made (spur undoes nothing). "
                + "Do not change these files again; tell the user what you changed so they can restore it, or merge or discard "
                + "the lane (`spur status`, `spur merge task`).",
            "systemMessage": Self.aTxtMessage,
        ] as NSDictionary)
        // The file keeps what the command wrote: PostToolUse cannot undo.
        #expect(try repo.read("a.txt").contains("five"))
    }

    @Test func aFinishedLaneAndAScannedLaneAreWatchedToo() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        let scanned = try runBash(repo, "echo x >> a.txt", toolUseID: "toolu_scan", env: ["SPUR_JOURNAL": "off"])
        #expect(jsonPath(try hookAnswerObject(scanned.stdout), "hookSpecificOutput.additionalContext") as? String == Self.aTxtWarning)
        try repo.shell("echo lane > b.txt", cwd: worktree)
        let finished = try repo.spur("finish", "task")
        #expect(finished.status == 0, "\(finished.stderr)")
        let result = try runBash(repo, "echo x >> b.txt", toolUseID: "toolu_done")
        #expect(jsonPath(try hookAnswerObject(result.stdout), "systemMessage") as? String
            == "spur: a Bash command changed b.txt, which lane task (done) has also changed; merging that lane may conflict (see `spur status`).")
    }

    @Test func aLanesAgentGetsNoAnswerAndNothingIsRecorded() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        let result = try runBash(repo, "echo x >> a.txt && echo y >> \(repo.path("a.txt"))", cwd: worktree)
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty)
        #expect(records(repo).isEmpty)
        let named = try runBash(repo, "echo x >> a.txt", toolUseID: "toolu_env", env: ["SPUR_LANE": "task"])
        #expect(named.stdout.isEmpty && named.stderr.isEmpty)
        #expect(records(repo).isEmpty)
    }

    @Test func aPostToolUseWithoutItsPreToolUseOrWithoutLiveLanesIsSilent() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.shell("echo x >> a.txt")
        let alone = try repo.spurHook(cwd: repo.root,
                                  stdin: payload("post-tool-use-bash", cwd: repo.root, command: "echo x >> a.txt", toolUseID: "toolu_alone"))
        #expect(alone.status == 0 && alone.stdout.isEmpty && alone.stderr.isEmpty)
        #expect(try repo.spur("discard", "task", "--force").status == 0)
        let none = try runBash(repo, "echo x >> a.txt", toolUseID: "toolu_none")
        #expect(none.stdout.isEmpty && none.stderr.isEmpty)
        #expect(records(repo).isEmpty)
    }

    @Test func theRecordIsFoundWhenTheCommandChangedTheSessionsFolder() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let pre = try repo.spurHook(cwd: repo.root,
                                stdin: payload("pre-tool-use-bash", cwd: repo.root, command: "cd /tmp", toolUseID: "toolu_cd"))
        #expect(pre.stdout.isEmpty)
        try repo.shell("echo x >> a.txt")
        let post = try repo.spurHook(cwd: repo.scratch, env: ["CLAUDE_PROJECT_DIR": repo.root],
                                 stdin: payload("post-tool-use-bash", cwd: repo.scratch, command: "cd /tmp", toolUseID: "toolu_cd"))
        #expect(jsonPath(try hookAnswerObject(post.stdout), "systemMessage") as? String == Self.aTxtMessage)
    }

    @Test func aDamagedLaneIsNamedInAWarningAndTheOthersAreStillWatched() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.write(".git/spur/lanes/broken.json", "{")
        let pre = try repo.spurHook(cwd: repo.root,
                                stdin: payload("pre-tool-use-bash", cwd: repo.root, command: "echo x >> a.txt", toolUseID: "toolu_d"))
        #expect(pre.status == 0 && pre.stdout.isEmpty)
        #expect(pre.stderr.hasPrefix("spur: warning: hook: cannot tell what lane broken changed ("))
        #expect(pre.stderr.hasSuffix("); Bash writes to its files are not watched (allowing)\n"))
        try repo.shell("echo x >> a.txt")
        let post = try repo.spurHook(cwd: repo.root,
                                 stdin: payload("post-tool-use-bash", cwd: repo.root, command: "echo x >> a.txt", toolUseID: "toolu_d"))
        #expect(jsonPath(try hookAnswerObject(post.stdout), "systemMessage") as? String == Self.aTxtMessage)
    }

    @Test func recordsLeftOverForADayArePrunedAndRecentOnesKept() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.write(".git/spur/bash/old-toolu_old", "")
        try repo.write(".git/spur/bash/s-toolu_recent", "")
        try repo.shell("touch -d '25 hours ago' .git/spur/bash/old-toolu_old && touch -d '23 hours ago' .git/spur/bash/s-toolu_recent")
        let pre = try repo.spurHook(cwd: repo.root,
                                stdin: payload("pre-tool-use-bash", cwd: repo.root, command: "true", toolUseID: "toolu/../x", session: "s"))
        #expect(pre.status == 0 && pre.stdout.isEmpty && pre.stderr.isEmpty)
        // The tool use id is made a safe file name.
        #expect(records(repo).sorted() == ["s-toolu_.._x", "s-toolu_recent"])
    }

    @Test func malformedPayloadsPassWithOneWarning() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let cases: [(String, String)] = [
            (try payload("pre-tool-use-bash", cwd: repo.root, command: "true", toolUseID: nil), "the PreToolUse event has no tool_use_id"),
            (try payload("post-tool-use-bash", cwd: repo.root, command: "true", toolUseID: nil), "the PostToolUse event has no tool_use_id"),
            (try payload("pre-tool-use-bash", cwd: repo.root, command: "true", toolUseID: "t", session: ""), "the PreToolUse event has no session_id"),
            ("{\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\",\"tool_input\":\"echo\"}",
             "the hook input has an unexpected shape at tool_input"),
            ("{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",", "the hook input is not valid JSON"),
        ]
        // spur-hook hands each of them to spur hook claude, which says what is wrong.
        for (stdin, reason) in cases {
            for result in [try repo.spur("hook", "claude", cwd: repo.root, stdin: stdin), try repo.spurHook(stdin: stdin)] {
                #expect(result.status == 0, "\(reason)")
                #expect(result.stdout.isEmpty, "\(reason)")
                #expect(result.stderr == "spur: warning: hook: \(reason) (allowing)\n")
            }
        }
        #expect(records(repo).isEmpty)
    }

    @Test func aCommandThatFailsAfterWritingIsReportedThroughPostToolUseFailure() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        for (number, mode) in ["warn", "deny"].enumerated() {
            try repo.git("config", "spur.guard", mode)
            let command = "echo mine >> a.txt && false"
            let toolUseID = "toolu_fail_\(number)"
            let before = try hook(repo, "pre-tool-use-bash", command: command, toolUseID: toolUseID)
            #expect(before.status == 0 && before.stdout.isEmpty)
            #expect((try? repo.shell(command)) == nil, "the command fails")
            let after = try hook(repo, "post-tool-use-failure-bash", command: command, toolUseID: toolUseID)
            #expect(after.status == 0 && after.stderr.isEmpty, "\(after.stderr)")
            let answer = try hookAnswerObject(after.stdout)
            // Claude Code takes no decision from a failure's hook: even deny's refusal is context.
            #expect(jsonPath(answer, "decision") == nil, "\(mode): \(after.stdout)")
            #expect(jsonPath(answer, "hookSpecificOutput.hookEventName") as? String == "PostToolUseFailure")
            let context = jsonPath(answer, "hookSpecificOutput.additionalContext") as? String ?? ""
            #expect(context.hasPrefix("spur: the Bash command just run (it failed) changed a.txt, which lane task (created) has also changed"),
                    "\(mode): \(context)")
            #expect(context.contains("spur.guard=deny") == (mode == "deny"), "\(mode): \(context)")
            #expect(jsonPath(answer, "systemMessage") as? String == Self.aTxtMessage)
        }
        #expect(records(repo).isEmpty)
        // A failing command that wrote nothing a lane changed: no answer.
        let command = "echo x >> b.txt && false"
        _ = try hook(repo, "pre-tool-use-bash", command: command, toolUseID: "toolu_quiet")
        _ = try? repo.shell(command)
        let quiet = try hook(repo, "post-tool-use-failure-bash", command: command, toolUseID: "toolu_quiet")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
        #expect(records(repo).isEmpty)
    }

    @Test func installAddsTheBashPairBesideAnOlderInstallAndKeepsTheUsersBashHook() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        // An install from before the Bash guard, and a Bash hook of the user's own.
        try repo.write(".claude/settings.json", """
            {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./mine.sh"}]},
             {"matcher": "Edit|Write|MultiEdit|NotebookEdit", "hooks": [{"type": "command", "command": "spur hook claude", "timeout": 10}]}]}}
            """)
        #expect(try repo.spur("hooks", "install", "--claude").status == 0)
        let installed = try JSONSerialization.jsonObject(with: Data(try repo.read(".claude/settings.json").utf8))
        let pre = jsonPath(installed, "hooks.PreToolUse") as? [NSDictionary] ?? []
        #expect(pre.map { $0["matcher"] as? String } == ["Bash", "Edit|Write|MultiEdit|NotebookEdit", "Bash"])
        #expect(jsonPath(pre.first, "hooks") as? NSArray == [["type": "command", "command": "./mine.sh"]] as NSArray)
        let post = jsonPath(installed, "hooks.PostToolUse") as? [NSDictionary] ?? []
        #expect(post == [["matcher": "Bash", "hooks": [["type": "command", "command": "spur hook claude", "timeout": 10]]]] as [NSDictionary])
        #expect(jsonPath(installed, "hooks.PostToolUseFailure") as? [NSDictionary] == post)
        let again = try repo.spur("hooks", "install", "--claude")
        #expect(again.lines == ["spur's Claude Code hooks are already in \(repo.path(".claude/settings.json"))"])
        #expect(try repo.spur("hooks", "uninstall", "--claude").status == 0)
        let left = try JSONSerialization.jsonObject(with: Data(try repo.read(".claude/settings.json").utf8))
        #expect(left as? NSDictionary == ["hooks": ["PreToolUse": [["matcher": "Bash", "hooks": [["type": "command", "command": "./mine.sh"]]]]]])
    }
}
