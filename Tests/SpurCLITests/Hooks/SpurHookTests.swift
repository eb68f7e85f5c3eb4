import Foundation
import Testing
import SpurTestSupport
import SpurHookCore

/// `spur-hook claude`, the executable the Bash hooks run: it answers the common Bash calls
/// itself, exactly as `spur hook claude` would, and gives everything else to `spur hook claude`.
@Suite struct SpurHookTests {
    func repositoryWithOverlap() throws -> (TestRepository, String) { try BashGuardTests().repositoryWithOverlap() }

    func payload(_ fixture: String, _ repo: TestRepository, command: String = "make test", toolUseID: String) throws -> String {
        try BashGuardTests().payload(fixture, cwd: repo.root, command: command, toolUseID: toolUseID)
    }

    /// A copy of `spur-hook` alone in a folder, and a PATH holding only that folder: it can
    /// start no `spur`, so whatever it answers it answered itself.
    func loneSpurHook(_ repo: TestRepository) throws -> (executable: String, env: [String: String]) {
        let folder = repo.scratch + "/lone"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SpurExecutable.hookPath, toPath: folder + "/spur-hook")
        return (folder + "/spur-hook", ["PATH": folder])
    }

    func record(_ repo: TestRepository, _ toolUseID: String) -> BashWriteRecord? {
        PlainFile.read(repo.path(".git/spur/bash/session-1-\(toolUseID)")).flatMap(BashWriteRecord.decoded)
    }

    @Test func theCommonBashCallsAreAnsweredWithoutStartingSpur() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let lone = try loneSpurHook(repo)
        // Before spur has cached the watched list, spur-hook does not guess: it hands over.
        let early = try repo.spurHook(env: lone.env, stdin: payload("pre-tool-use-bash", repo, toolUseID: "toolu_0"),
                                      executable: lone.executable)
        #expect(early.status == 0 && early.stdout.isEmpty)
        #expect(early.stderr.hasPrefix("spur: warning: hook: cannot run spur hook claude ("), "\(early.stderr)")
        #expect(record(repo, "toolu_0") == nil)
        // spur caches the list once the lane's files are a second old.
        usleep(BashGuardCacheTests.settle)
        #expect(try repo.spur("hook", "claude", stdin: payload("pre-tool-use-bash", repo, toolUseID: "toolu_spur")).status == 0)
        #expect(FileManager.default.fileExists(atPath: repo.path(".git/spur/cache/bash-watched")))
        let bySpur = try #require(record(repo, "toolu_spur"))

        // PreToolUse: the same record spur writes.
        let pre = try repo.spurHook(env: lone.env, stdin: payload("pre-tool-use-bash", repo, toolUseID: "toolu_1"),
                                    executable: lone.executable)
        #expect(pre.status == 0 && pre.stdout.isEmpty && pre.stderr.isEmpty, "\(pre.stderr)")
        let byHook = try #require(record(repo, "toolu_1"))
        #expect(byHook.root == bySpur.root && byHook.session == bySpur.session && byHook.toolUseID == "toolu_1")
        #expect(BashGuardCacheTests.fields(byHook) == BashGuardCacheTests.fields(bySpur))
        #expect(byHook.files.map { String(decoding: $0.path, as: UTF8.self) }.contains("a.txt"))

        // PostToolUse of a command that changed no watched file: no answer, record gone.
        try repo.shell("echo other > other.txt")
        let post = try repo.spurHook(env: lone.env, stdin: payload("post-tool-use-bash", repo, toolUseID: "toolu_1"),
                                     executable: lone.executable)
        #expect(post.status == 0 && post.stdout.isEmpty && post.stderr.isEmpty, "\(post.stderr)")
        #expect(record(repo, "toolu_1") == nil)
        // No record at all (no PreToolUse seen): no answer either.
        let alone = try repo.spurHook(env: lone.env, stdin: payload("post-tool-use-failure-bash", repo, toolUseID: "toolu_none"),
                                      executable: lone.executable)
        #expect(alone.status == 0 && alone.stdout.isEmpty && alone.stderr.isEmpty, "\(alone.stderr)")

        // A command that changed a.txt: the answer is spur's to give, and the record is left for it.
        #expect(try repo.spurHook(env: lone.env, stdin: payload("pre-tool-use-bash", repo, toolUseID: "toolu_2"),
                                  executable: lone.executable).stderr.isEmpty)
        try repo.shell("echo x >> a.txt")
        let changed = try repo.spurHook(env: lone.env, stdin: payload("post-tool-use-bash", repo, toolUseID: "toolu_2"),
                                        executable: lone.executable)
        #expect(changed.status == 0 && changed.stdout.isEmpty)
        #expect(changed.stderr.hasPrefix("spur: warning: hook: cannot run spur hook claude ("), "\(changed.stderr)")
        #expect(record(repo, "toolu_2") != nil)
        let installed = try repo.spurHook(stdin: payload("post-tool-use-bash", repo, toolUseID: "toolu_2"))
        #expect(jsonPath(try hookAnswerObject(installed.stdout), "systemMessage") as? String == BashGuardTests.aTxtMessage)
    }

    /// With the cache holding, spur-hook answers alone from a subfolder, after a failed command,
    /// and prunes day-old records as spur does; what it cannot settle plainly it hands over
    /// (here it can start no spur, so it says so and changes nothing).
    @Test func spurHookAnswersAloneOnlyWhatItCanSettlePlainly() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let lone = try loneSpurHook(repo)
        try repo.shell("mkdir -p sub")
        usleep(BashGuardCacheTests.settle)
        #expect(try repo.spur("hook", "claude", stdin: payload("pre-tool-use-bash", repo, toolUseID: "toolu_spur")).status == 0)
        try FileManager.default.removeItem(atPath: repo.path(".git/spur/bash/session-1-toolu_spur"))
        // Left over from a killed session a day ago (spur's own PreToolUse would have pruned it).
        try repo.write(".git/spur/bash/old-toolu_old", "old")
        try repo.shell("touch -d '25 hours ago' .git/spur/bash/old-toolu_old")
        func alone(_ fixture: String, _ toolUseID: String, cwd: String? = nil, env: [String: String] = [:]) throws -> ProcessResult {
            let text = try BashGuardTests().payload(fixture, cwd: cwd ?? repo.root, command: "make", toolUseID: toolUseID)
            return try repo.spurHook(cwd: cwd, env: lone.env.merging(env) { $1 }, stdin: text, executable: lone.executable)
        }
        func handedOver(_ result: ProcessResult) -> Bool {
            result.status == 0 && result.stdout.isEmpty && result.stderr.hasPrefix("spur: warning: hook: cannot run spur hook claude (")
        }

        let fromSub = try alone("pre-tool-use-bash", "toolu_sub", cwd: repo.path("sub"))
        #expect(fromSub.status == 0 && fromSub.stderr.isEmpty, "\(fromSub.stderr)")
        #expect(record(repo, "toolu_sub")?.root == URL(fileURLWithPath: repo.root).resolvingSymlinksInPath().path)
        #expect(!FileManager.default.fileExists(atPath: repo.path(".git/spur/bash/old-toolu_old")), "a day-old record is pruned")
        let failed = try alone("post-tool-use-failure-bash", "toolu_sub", cwd: repo.path("sub"))
        #expect(failed.status == 0 && failed.stdout.isEmpty && failed.stderr.isEmpty, "\(failed.stderr)")
        #expect(record(repo, "toolu_sub") == nil)

        // Left to spur: a lane's agent, no journal, a record spur cannot read, a config changed.
        #expect(handedOver(try alone("pre-tool-use-bash", "toolu_lane", env: ["SPUR_LANE": "task"])))
        #expect(handedOver(try alone("pre-tool-use-bash", "toolu_off", env: ["SPUR_JOURNAL": "off"])))
        #expect(record(repo, "toolu_lane") == nil && record(repo, "toolu_off") == nil)
        try repo.write(".git/spur/bash/session-1-toolu_bad", "not a record")
        #expect(handedOver(try alone("post-tool-use-bash", "toolu_bad")))
        #expect(FileManager.default.fileExists(atPath: repo.path(".git/spur/bash/session-1-toolu_bad")), "kept for spur to report")
        #expect(try alone("pre-tool-use-bash", "toolu_cfg").stderr.isEmpty)
        try repo.git("config", "core.bare", "true")
        #expect(handedOver(try alone("post-tool-use-bash", "toolu_cfg")))
        #expect(record(repo, "toolu_cfg") != nil, "spur, which cannot open a bare repository's working tree, would keep it")
        #expect(handedOver(try alone("pre-tool-use-bash", "toolu_cfg2")))
    }

    /// Every other event, as Claude Code sends it, gets the answer `spur hook claude` gives
    /// (each run with its own session, since lane news is told once per session).
    @Test func everyOtherEventIsAnsweredBySpurHookClaude() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        let fixtures = ["pre-tool-use-edit", "pre-tool-use-write", "pre-tool-use-multiedit", "pre-tool-use-notebookedit",
                        "pre-tool-use-read", "user-prompt-submit", "session-start", "notification", "stop", "subagent-stop",
                        "worktree-remove", "malformed"]
        for fixture in fixtures {
            let bySpur = try repo.spur("hook", "claude", stdin: Fixtures.hookPayload(fixture, cwd: repo.root, file: repo.path("a.txt"),
                                                                                     session: "by-spur"))
            let byHook = try repo.spurHook(stdin: Fixtures.hookPayload(fixture, cwd: repo.root, file: repo.path("a.txt"),
                                                                       session: "by-spur-hook"))
            #expect(byHook.status == bySpur.status, "\(fixture)")
            #expect(byHook.stdout == bySpur.stdout, "\(fixture)")
            #expect(byHook.stderr == bySpur.stderr, "\(fixture)")
        }
        // WorktreeCreate answers with a new lane's path.
        let created = try repo.spurHook(stdin: Fixtures.hookPayload("worktree-create", cwd: repo.root))
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: created.lines.last ?? "/nonexistent/"))
    }

    @Test func aPayloadLargerThanAPipeHoldsIsHandedOnWhole() throws {
        let (repo, _) = try repositoryWithOverlap()
        defer { repo.remove() }
        #expect(try repo.spurHook(stdin: payload("pre-tool-use-bash", repo, toolUseID: "toolu_big")).stderr.isEmpty)
        try repo.shell("echo x >> a.txt")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(payload("post-tool-use-bash", repo, toolUseID: "toolu_big").utf8))
            as? [String: Any])
        object["tool_response"] = ["stdout": String(repeating: "output line\n", count: 100_000), "stderr": "", "interrupted": false]
        let big = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(big.utf8.count > 1_000_000)
        let result = try repo.spurHook(stdin: big)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        #expect(jsonPath(try hookAnswerObject(result.stdout), "systemMessage") as? String == BashGuardTests.aTxtMessage)
    }

    @Test func helpTeachesAndAnythingButClaudeIsAUsageError() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        let help = try ProcessRunner.run(SpurExecutable.hookPath, ["--help"], cwd: repo.root, environment: repo.environment)
        #expect(help.status == 0 && help.stdout.contains("spur hook claude") && help.stdout.hasPrefix("usage: spur-hook claude"))
        let wrong = try ProcessRunner.run(SpurExecutable.hookPath, ["git-pre-commit"], cwd: repo.root, environment: repo.environment)
        #expect(wrong.status == 1 && wrong.stdout.isEmpty && wrong.stderr.contains("spur-hook claude"))
    }
}
