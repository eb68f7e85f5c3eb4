import Foundation
import Testing
import SpurTestSupport

/// `spur hook claude` fed the payloads of `fixtures/hooks/` in real repositories with live lanes.
@Suite struct HookCommandTests {
    /// A repository whose lane "task" changed a.txt (line 3); b.txt is untouched everywhere.
    func repositoryWithOverlap() throws -> (TestRepository, String) {
        let (repo, worktree) = try overlapRepositoryWithLane()
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        return (repo, worktree)
    }

    func hook(_ repo: TestRepository, _ fixture: String, cwd: String, file: String = "", session: String = "session-1",
              env: [String: String] = [:]) throws -> ProcessResult {
        try repo.spur("hook", "claude", cwd: cwd, env: env,
                      stdin: Fixtures.hookPayload(fixture, cwd: cwd, file: file, session: session))
    }

    @Test func aFileALiveLaneChangedAsksThePersonByDefaultForEveryEditTool() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let reason = "spur: lane task (created) has also changed a.txt; editing it here may conflict when that lane is merged "
            + "(git config spur.guard=ask)."
        for (tool, fixture) in Fixtures.editToolPayloads {
            let result = try hook(repo, fixture, cwd: repo.root, file: repo.path("a.txt"))
            #expect(result.status == 0, "\(tool)")
            #expect(result.stderr.isEmpty, "\(tool)")
            #expect(try hookAnswerObject(result.stdout) == expectedDecision("ask", reason), "\(tool)")
        }
    }

    @Test func guardWarnAllowsAndTellsTheAgentWhichLaneChangedTheFile() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.git("config", "spur.guard", "warn")
        let result = try hook(repo, "pre-tool-use-edit", cwd: repo.root, file: repo.path("a.txt"))
        #expect(result.status == 0)
        #expect(try hookAnswerObject(result.stdout) == expectedContext("PreToolUse",
            "spur: lane task (created) has also changed a.txt. The edit is allowed (git config spur.guard=warn), but merging "
            + "that lane into this working tree later may conflict with it. If you can, leave a.txt alone until the lane is "
            + "merged (`spur status` shows the overlap, `spur merge task` brings its work in); if you edit it, tell the user."))
    }

    @Test func guardDenyRefusesTheEditAndSaysWhatToDo() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.git("config", "spur.guard", "deny")
        let result = try hook(repo, "pre-tool-use-write", cwd: repo.root, file: "a.txt")
        #expect(result.status == 0)
        #expect(try hookAnswerObject(result.stdout) == expectedDecision("deny",
            "spur: lane task (created) has also changed a.txt, so editing it here is refused (git config spur.guard=deny). "
            + "Work on other files, wait until the lane is merged (`spur status`, `spur merge task`), or ask the user to "
            + "merge or discard it."))
    }

    @Test func twoLanesAreBothNamedAndAnUnknownGuardValueFallsBackToAskWithAWarning() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let other = try repo.spur("spawn", "other", "--no-run").lines.last ?? ""
        try repo.shell("echo other > a.txt", cwd: other)
        try repo.git("config", "spur.guard", "loud")
        let result = try hook(repo, "pre-tool-use-multiedit", cwd: repo.path("."), file: repo.path("a.txt"))
        #expect(result.status == 0)
        #expect(result.stderr == "spur: warning: git config spur.guard is 'loud'; expected warn, ask or deny (using ask)\n")
        #expect(try hookAnswerObject(result.stdout) == expectedDecision("ask",
            "spur: lanes other (created) and task (created) have also changed a.txt; editing it here may conflict when "
            + "that lane is merged (git config spur.guard=ask)."))
    }

    @Test func unrelatedFilesOtherToolsAndFilesOutsideTheRepositoryPassSilently() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.git("config", "spur.guard", "deny")
        let cases: [(String, String)] = [
            ("pre-tool-use-edit", repo.path("b.txt")),          // no lane changed it
            ("pre-tool-use-write", repo.path("new/file.txt")),  // a new file no lane has
            ("pre-tool-use-read", repo.path("a.txt")),          // reading is not guarded
            ("pre-tool-use-write", repo.scratch + "/notes.md"), // outside the repository
            ("pre-tool-use-edit", repo.path(".git/config")),    // git's own files
            ("pre-tool-use-edit", worktree + "/a.txt"),         // the lane's own copy
        ]
        for (fixture, file) in cases {
            let result = try hook(repo, fixture, cwd: repo.root, file: file)
            #expect(result.status == 0, "\(fixture) \(file)")
            #expect(result.stdout.isEmpty, "\(fixture) \(file)")
            #expect(result.stderr.isEmpty, "\(fixture) \(file)")
        }
    }

    @Test func aBackgroundAgentCannotWriteOutsideItsLane() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        let escape = try hook(repo, "pre-tool-use-write", cwd: worktree, file: repo.path("b.txt"))
        #expect(escape.status == 0)
        #expect(try hookAnswerObject(escape.stdout) == expectedDecision("deny",
            "spur: this session works in lane task's worktree \(worktree); writing \(repo.path("b.txt")) outside it is refused, "
            + "because it would race the user's own working tree. Make the change in \(worktree)/b.txt instead; spur brings "
            + "the lane's work back when the task ends."))
        // Climbing out with a relative path is the same write.
        let relative = try hook(repo, "pre-tool-use-edit", cwd: worktree + "/", file: "../../../../../repo/a.txt")
        #expect(jsonPath(try hookAnswerObject(relative.stdout), "hookSpecificOutput.permissionDecision") as? String == "deny")
        let elsewhere = try hook(repo, "pre-tool-use-notebookedit", cwd: worktree, file: repo.scratch + "/n.ipynb")
        #expect(try hookAnswerObject(elsewhere.stdout) == expectedDecision("deny",
            "spur: this session works in lane task's worktree \(worktree); writing \(repo.scratch)/n.ipynb outside it is "
            + "refused, because it would race the user's own working tree. Keep every change inside the worktree."))
        // Inside its worktree, even a file the user changes too, it writes freely.
        try repo.shell("echo mine > b.txt")
        for (_, fixture) in Fixtures.editToolPayloads {
            let inside = try hook(repo, fixture, cwd: worktree, file: worktree + "/b.txt")
            #expect(inside.status == 0 && inside.stdout.isEmpty && inside.stderr.isEmpty, "\(fixture)")
        }
    }

    @Test func aBackgroundAgentCannotChangeItsWorktreesGitFile() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        let reason = "spur: \(worktree)/.git links lane task's worktree to its repository; a lane's agent must not "
            + "change it (spur would refuse the lane's result). Keep every change to the lane's own files."
        for (tool, fixture) in Fixtures.editToolPayloads {
            for file in [worktree + "/.git", ".git", "./src/../.git", worktree + "/.git/config"] {
                let result = try hook(repo, fixture, cwd: worktree, file: file)
                #expect(result.status == 0, "\(tool) \(file)")
                #expect(try hookAnswerObject(result.stdout) == expectedDecision("deny", reason), "\(tool) \(file)")
            }
        }
        // A file merely named like it elsewhere in the lane is the lane's own.
        let nested = try hook(repo, "pre-tool-use-write", cwd: worktree, file: worktree + "/docs/.git")
        #expect(nested.stdout.isEmpty)
    }

    @Test func spurLaneInTheEnvironmentConfinesAnAgentThatStartedElsewhere() throws {
        let (repo, worktree) = try repositoryWithOverlap()
        defer { repo.remove() }
        let result = try hook(repo, "pre-tool-use-edit", cwd: repo.root, file: repo.path("b.txt"), env: ["SPUR_LANE": "task"])
        #expect(jsonPath(try hookAnswerObject(result.stdout), "hookSpecificOutput.permissionDecision") as? String == "deny")
        let inside = try hook(repo, "pre-tool-use-edit", cwd: repo.root, file: worktree + "/b.txt", env: ["SPUR_LANE": "task"])
        #expect(inside.stdout.isEmpty)
    }

    @Test func laneEventsAreDeliveredOncePerSession() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.spawn("fix", "--", "sh", "-c", "echo fixed > b.txt")
        #expect(try repo.spur("wait", "fix").status == 0)
        let first = try hook(repo, "session-start", cwd: repo.root, session: "A")
        #expect(first.status == 0)
        let context = try #require(jsonPath(try hookAnswerObject(first.stdout), "hookSpecificOutput.additionalContext") as? String)
        #expect(jsonPath(try hookAnswerObject(first.stdout), "hookSpecificOutput.hookEventName") as? String == "SessionStart")
        let lines = context.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "spur: news from background lanes (each item is reported once):")
        #expect(lines.dropFirst().first?.hasPrefix("- lane fix done in ") == true)
        #expect(lines.dropFirst().first?.contains("1 file changed") == true)
        // Delivered: the next prompt of the same session hears nothing.
        let again = try hook(repo, "user-prompt-submit", cwd: repo.root, session: "A")
        #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.isEmpty)
        // Another session hears it once too.
        let other = try hook(repo, "user-prompt-submit", cwd: repo.root, session: "B")
        #expect(try hookAnswerObject(other.stdout) == expectedContext("UserPromptSubmit", context))
        #expect(try hook(repo, "user-prompt-submit", cwd: repo.root, session: "B").stdout.isEmpty)
        // A new event reaches both, once.
        try repo.spawn("docs", "--", "sh", "-c", "exit 3")
        #expect(try repo.spur("wait", "docs").status != 0)
        for session in ["A", "B"] {
            let news = try hook(repo, "user-prompt-submit", cwd: repo.root, session: session)
            let text = jsonPath(try hookAnswerObject(news.stdout), "hookSpecificOutput.additionalContext") as? String ?? ""
            #expect(text.contains("- lane docs failed"), "\(session)")
            #expect(!text.contains("lane fix"), "\(session)")
            #expect(try hook(repo, "user-prompt-submit", cwd: repo.root, session: session).stdout.isEmpty)
        }
    }

    @Test func aBackgroundAgentIsNotToldOtherLanesNews() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.spawn("fix", "--", "true")
        #expect(try repo.spur("wait", "fix").status == 0)
        let result = try hook(repo, "session-start", cwd: worktree, session: "lane-agent")
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty)
    }

    @Test func whatSpurCannotReadOrDecideFailsOpenWithOneWarning() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        try repo.git("config", "spur.guard", "deny")
        let outside = repo.scratch + "/plain"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let cases: [(String, String, String)] = [
            ("malformed JSON", try Fixtures.hookPayload("malformed", cwd: repo.root, file: repo.path("a.txt")),
             "spur: warning: hook: the hook input is not valid JSON (allowing)\n"),
            ("not an object", "[1, 2]", "spur: warning: hook: the hook input has an unexpected shape at the top level (allowing)\n"),
            ("no event", "{\"cwd\": \"\(repo.root)\"}", "spur: warning: hook: the hook input has no hook_event_name (allowing)\n"),
            ("empty", "", "spur: warning: hook: the hook input is not valid JSON (allowing)\n"),
            ("unknown event", try Fixtures.hookPayload("notification", cwd: repo.root),
             "spur: warning: hook: spur does not handle Notification events (allowing)\n"),
            ("no repository", try Fixtures.hookPayload("pre-tool-use-edit", cwd: outside, file: outside + "/x.txt"),
             "spur: warning: hook: not a git repository (or any parent folder): \(outside) (allowing)\n"),
            ("no file", "{\"hook_event_name\": \"PreToolUse\", \"cwd\": \"\(repo.root)\", \"tool_name\": \"Edit\", \"tool_input\": {}}",
             "spur: warning: hook: the Edit call names no file (tool_input.file_path) (allowing)\n"),
            ("no session", "{\"hook_event_name\": \"UserPromptSubmit\", \"cwd\": \"\(repo.root)\", \"prompt\": \"hi\"}",
             "spur: warning: hook: the UserPromptSubmit event has no session_id (allowing)\n"),
        ]
        for (label, input, warning) in cases {
            let result = try repo.spur("hook", "claude", cwd: outside, stdin: input)
            #expect(result.status == 0, "\(label)")
            #expect(result.stdout.isEmpty, "\(label)")
            #expect(result.stderr == warning, "\(label)")
        }
    }

    @Test func gitPreCommitWarnsAboutStagedFilesALaneChangedAndBlocksOnlyWithDeny() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let staged = "a.txt\u{0}b.txt\u{0}"
        let warned = try repo.spur("hook", "git-pre-commit", stdin: staged)
        #expect(warned.status == 0)
        #expect(warned.stdout.isEmpty)
        #expect(warned.stderr == "spur: warning: a.txt is also changed by lane task (created); merging that lane later may "
            + "conflict with this commit\n")
        try repo.git("config", "spur.guard", "deny")
        let blocked = try repo.spur("hook", "git-pre-commit", stdin: staged)
        #expect(blocked.status == 1)
        #expect(blocked.stderr.hasSuffix("spur: commit refused (git config spur.guard=deny): merge or discard those lanes "
            + "first (`spur status`, `spur merge LANE`), or commit with --no-verify\n"))
        let clean = try repo.spur("hook", "git-pre-commit", stdin: "b.txt\u{0}")
        #expect(clean.status == 0 && clean.stderr.isEmpty)
    }
}
