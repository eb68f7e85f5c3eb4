import Foundation
import Testing
import SpurTestSupport

/// `spur hooks install|uninstall` and the installed git pre-commit hook at work.
@Suite struct HooksInstallTests {
    /// A settings file a user already has: other settings, and hooks of their own on the same events.
    static let existingSettings = """
        {
          "permissions": {
            "allow": [
              "Bash(npm test:*)"
            ]
          },
          "hooks": {
            "PreToolUse": [
              {
                "matcher": "Bash",
                "hooks": [
                  {
                    "type": "command",
                    "command": "./scripts/check-bash.sh",
                    "timeout": 2.5
                  }
                ]
              }
            ],
            "Stop": [
              {
                "hooks": [
                  {
                    "type": "command",
                    "command": "notify-send done"
                  }
                ]
              }
            ]
          },
          "model": "opus"
        }

        """

    func settings(_ repo: TestRepository) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try repo.read(".claude/settings.json").utf8))
    }

    /// A PATH on which `spur-hook` is found (the build folder), as after the README's install.
    func pathWithSpurHook(_ repo: TestRepository) -> [String: String] {
        ["PATH": URL(fileURLWithPath: SpurExecutable.hookPath).deletingLastPathComponent().path + ":" + (repo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    @Test func installMakesTheSettingsFileFromTheSnippetAndIsIdempotent() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let first = try repo.spur("hooks", "install", "--claude", env: pathWithSpurHook(repo))
        #expect(first.status == 0)
        #expect(first.stderr.isEmpty)
        #expect(first.lines == ["added spur's Claude Code hooks (PreToolUse, PostToolUse, PostToolUseFailure, UserPromptSubmit, SessionStart) to \(repo.path(".claude/settings.json"))"])
        #expect(try repo.read(".claude/settings.json") == Fixtures.read("../hooks/claude/settings.json"))
        let second = try repo.spur("hooks", "install", "--claude", env: pathWithSpurHook(repo))
        #expect(second.status == 0)
        #expect(second.lines == ["spur's Claude Code hooks are already in \(repo.path(".claude/settings.json"))"])
        #expect(try repo.read(".claude/settings.json") == Fixtures.read("../hooks/claude/settings.json"))
    }

    /// Once spur-hook is installed, running the install again moves the Bash hooks to it; once
    /// it is gone from PATH, back to spur (a hook command not found would fail every Bash call).
    @Test func withoutSpurHookOnPathTheBashHooksRunSpurAndTheInstallSaysSo() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let result = try repo.spur("hooks", "install", "--claude", env: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("spur-hook is not on PATH, so the Bash hooks run 'spur hook claude'"), "\(result.stderr)")
        let written = try repo.read(".claude/settings.json")
        #expect(try written == Fixtures.read("../hooks/claude/settings.json").replacingOccurrences(of: "spur-hook claude", with: "spur hook claude"))
        #expect(!written.contains("spur-hook"))
        let again = try repo.spur("hooks", "install", "--claude", env: pathWithSpurHook(repo))
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
        #expect(again.lines == ["switched the Bash hooks (PreToolUse, PostToolUse, PostToolUseFailure) to spur-hook in \(repo.path(".claude/settings.json"))"])
        #expect(try repo.read(".claude/settings.json") == Fixtures.read("../hooks/claude/settings.json"))
        #expect(try repo.spur("hooks", "install", "--claude", env: pathWithSpurHook(repo)).lines
            == ["spur's Claude Code hooks are already in \(repo.path(".claude/settings.json"))"])
        let back = try repo.spur("hooks", "install", "--claude", env: ["PATH": "/usr/bin:/bin"])
        #expect(back.lines == ["switched the Bash hooks (PreToolUse, PostToolUse, PostToolUseFailure) to 'spur hook claude' in \(repo.path(".claude/settings.json"))"])
        #expect(back.stderr.contains("spur-hook is not on PATH"))
        #expect(try repo.read(".claude/settings.json") == written)
        #expect(try repo.spur("hooks", "uninstall", "--claude").status == 0)
        #expect(!FileManager.default.fileExists(atPath: repo.path(".claude/settings.json")))
    }

    @Test func installKeepsEveryExistingSettingAndHookAndUninstallRestoresTheFile() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.write(".claude/settings.json", Self.existingSettings)
        let result = try repo.spur("hooks", "install", "--claude")
        #expect(result.status == 0)
        let installed = try repo.read(".claude/settings.json")
        let object = try #require(try settings(repo) as? NSDictionary)
        #expect(object["model"] as? String == "opus")
        #expect(jsonPath(object, "permissions.allow") as? [String] == ["Bash(npm test:*)"])
        let preToolUse = try #require(jsonPath(object, "hooks.PreToolUse") as? [NSDictionary])
        #expect(preToolUse.map { $0["matcher"] as? String } == ["Bash", "Edit|Write|MultiEdit|NotebookEdit", "Bash"])
        #expect((jsonPath(object, "hooks.Stop") as? [Any])?.count == 1)
        #expect((jsonPath(object, "hooks.SessionStart") as? [Any])?.count == 1)
        // Order and numbers are kept as written.
        #expect(installed.contains("\"timeout\": 2.5"))
        #expect(installed.range(of: "\"permissions\"")?.lowerBound ?? installed.endIndex < installed.range(of: "\"model\"")?.lowerBound ?? installed.startIndex)
        // Idempotent, also when the user's own hooks sit beside spur's.
        #expect(try repo.spur("hooks", "install", "--claude").status == 0)
        #expect(try repo.read(".claude/settings.json") == installed)
        let removed = try repo.spur("hooks", "uninstall", "--claude")
        #expect(removed.status == 0)
        #expect(try repo.read(".claude/settings.json") == Self.existingSettings)
    }

    @Test func aHookTheUserMovedOrRenamedCountsAsInstalled() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let custom = """
            {"hooks": {"PreToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "/opt/bin/spur hook claude"}]}]}}
            """
        try repo.write(".claude/settings.json", custom)
        #expect(try repo.spur("hooks", "install", "--claude").lines
            == ["added spur's Claude Code hooks (PreToolUse, PostToolUse, PostToolUseFailure, UserPromptSubmit, SessionStart) to \(repo.path(".claude/settings.json"))"])
        let object = try #require(try settings(repo) as? NSDictionary)
        #expect((jsonPath(object, "hooks.PreToolUse") as? [NSDictionary])?.map { $0["matcher"] as? String } == ["Write|Edit", "Bash"])
    }

    @Test func dryRunPrintsTheResultAndWritesNothing() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.write(".claude/settings.json", Self.existingSettings)
        let result = try repo.spur("hooks", "install", "--claude", "--git", "--dry-run")
        #expect(result.status == 0)
        #expect(result.lines.first == "would add spur's Claude Code hooks (PreToolUse, PostToolUse, PostToolUseFailure, UserPromptSubmit, SessionStart) to \(repo.path(".claude/settings.json"))")
        #expect(result.stdout.contains("\"command\": \"spur hook claude\""))
        #expect(result.lines.last == "would install the pre-commit hook \(repo.path(".git/hooks/pre-commit"))")
        #expect(try repo.read(".claude/settings.json") == Self.existingSettings)
        #expect(!FileManager.default.fileExists(atPath: repo.path(".git/hooks/pre-commit")))
    }

    @Test func aDamagedSettingsFileIsRefusedAndLeftAlone() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        for damaged in ["{\"hooks\": [", "[]", "{\"hooks\": []}", "{\"hooks\": {\"PreToolUse\": {}}}"] {
            try repo.write(".claude/settings.json", damaged)
            let result = try repo.spur("hooks", "install", "--claude")
            #expect(result.status == 1, "\(damaged)")
            #expect(result.stderr.hasSuffix("nothing changed\n"), "\(damaged)")
            #expect(try repo.read(".claude/settings.json") == damaged)
        }
        #expect(try repo.spur("hooks", "install").status == 2)
    }

    @Test func uninstallRemovesAFileThatHeldOnlySpursHooks() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        #expect(try repo.spur("hooks", "install", "--claude", "--git").status == 0)
        let result = try repo.spur("hooks", "uninstall")
        #expect(result.status == 0)
        #expect(!repo.exists(".claude"))
        #expect(!repo.exists(".git/hooks/pre-commit"))
        #expect(try repo.spur("hooks", "uninstall").lines == ["no spur hooks in \(repo.path(".claude/settings.json"))",
                                                              "spur's pre-commit hook is not installed in \(repo.path(".git/hooks"))"])
    }

    // MARK: - git

    /// Runs `git commit` with spur's executable reachable by the hook; returns how it went.
    func commit(_ repo: TestRepository, _ message: String) throws -> ProcessResult {
        try ProcessRunner.run("/usr/bin/git", ["commit", "-qm", message], cwd: repo.root,
                              environment: repo.environment.merging(["SPUR": SpurExecutable.path]) { $1 })
    }

    @Test func thePreCommitHookWarnsAboutAStagedFileALaneChangedAndBlocksWithDeny() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        let installed = try repo.spur("hooks", "install", "--git")
        #expect(installed.lines == ["installed the pre-commit hook \(repo.path(".git/hooks/pre-commit"))"])
        #expect(try repo.read(".git/hooks/pre-commit") == Fixtures.read("../hooks/git/pre-commit"))
        #expect(FileManager.default.isExecutableFile(atPath: repo.path(".git/hooks/pre-commit")))

        try repo.shell("sed -i '10s/.*/mine/' a.txt && git add a.txt")
        try repo.git("config", "spur.guard", "deny")
        let refused = try commit(repo, "mine")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("spur: warning: a.txt is also changed by lane task (created)"))
        #expect(refused.stderr.contains("spur: commit refused (git config spur.guard=deny)"))
        #expect(try repo.git("log", "--format=%s").split(separator: "\n") == ["base"])

        try repo.git("config", "spur.guard", "warn")
        let warned = try commit(repo, "mine")
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("spur: warning: a.txt is also changed by lane task (created)"))
        try repo.shell("echo b2 > b.txt && git add b.txt")
        let quiet = try commit(repo, "unrelated")
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        #expect(try repo.git("log", "--format=%s").split(separator: "\n") == ["unrelated", "mine", "base"])
    }

    @Test func anExistingPreCommitHookIsChainedAndPutBackOnUninstall() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        let theirs = "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/their-hook-ran\"\n[ ! -e block-commit ]\n"
        try repo.write(".git/hooks/pre-commit", theirs)
        try repo.shell("chmod +x .git/hooks/pre-commit")
        let installed = try repo.spur("hooks", "install", "--git")
        #expect(installed.lines == ["installed the pre-commit hook \(repo.path(".git/hooks/pre-commit")); the hook that was "
            + "there runs first, as \(repo.path(".git/hooks/pre-commit.spur-chained"))"])
        #expect(try repo.spur("hooks", "install", "--git").lines == ["spur's pre-commit hook is already installed: \(repo.path(".git/hooks/pre-commit"))"])
        #expect(try repo.read(".git/hooks/pre-commit.spur-chained") == theirs)

        // Their hook runs, and its refusal stops the commit before spur's check.
        try repo.shell("echo x > block-commit && echo mine >> a.txt && git add a.txt")
        let blocked = try commit(repo, "blocked")
        #expect(blocked.status != 0)
        #expect(!blocked.stderr.contains("spur:"))
        #expect(try repo.read(".git/their-hook-ran") == "ran\n")
        // When it passes, spur's check follows.
        try repo.shell("rm block-commit")
        let passed = try commit(repo, "passed")
        #expect(passed.status == 0)
        #expect(passed.stderr.contains("spur: warning: a.txt is also changed by lane task (created)"))
        #expect(try repo.read(".git/their-hook-ran") == "ran\nran\n")

        let removed = try repo.spur("hooks", "uninstall", "--git")
        #expect(removed.lines == ["removed spur's pre-commit hook \(repo.path(".git/hooks/pre-commit")); the chained hook is back in its place"])
        #expect(try repo.read(".git/hooks/pre-commit") == theirs)
        #expect(FileManager.default.isExecutableFile(atPath: repo.path(".git/hooks/pre-commit")))
        #expect(!repo.exists(".git/hooks/pre-commit.spur-chained"))
    }

    @Test func installGoesWhereCoreHooksPathPoints() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.git("config", "core.hooksPath", ".githooks")
        #expect(try repo.spur("hooks", "install", "--git").lines == ["installed the pre-commit hook \(repo.path(".githooks/pre-commit"))"])
        #expect(try repo.read(".githooks/pre-commit") == Fixtures.read("../hooks/git/pre-commit"))
        #expect(!repo.exists(".git/hooks/pre-commit"))
    }

    @Test func withoutSpurOnThePathTheCommitGoesAheadWithAWarning() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        #expect(try repo.spur("hooks", "install", "--git").status == 0)
        try repo.git("config", "spur.guard", "deny")
        try repo.shell("echo mine >> a.txt && git add a.txt")
        let result = try ProcessRunner.run("/usr/bin/git", ["commit", "-qm", "mine"], cwd: repo.root,
                                           environment: repo.environment.merging(["SPUR": repo.scratch + "/no-such-spur"]) { $1 })
        #expect(result.status == 0)
        #expect(result.stderr == "spur: warning: spur not found; the lane check before this commit is skipped\n")
    }
}
