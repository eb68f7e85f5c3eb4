import Foundation
import Testing
import SpurTestSupport

/// A lane's setup command (`--setup`, git config `spur.setup`): run in the worktree before the
/// task, under the task's supervisor, with its output in the lane's log (issue #17 §2).
@Suite struct SetupTests {
    /// A committed project with a lockfile a setup may rewrite.
    static func project() throws -> TestRepository {
        let repo = try TestRepository.scenario("small-project")
        try repo.write("package-lock.json", "{\"lock\": 1}\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "lockfile")
        return repo
    }

    static func log(_ repo: TestRepository, _ name: String) throws -> String {
        try repo.spurSucceeds("logs", name).stdout
    }

    static func setupObject(_ repo: TestRepository, _ name: String) throws -> [String: Any] {
        let lane = try #require(try repo.laneJSON(name))
        return try #require(lane["setup"] as? [String: Any], "no setup outcome in list --json: \(lane)")
    }

    @Test func theSetupsOutputIsInTheLogBetweenMarkersBeforeTheTasks() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        try repo.spawn("web", "--setup", "echo installing; echo \"lane=$SPUR_LANE\"", "--", "sh", "-c", "echo testing")
        #expect(try repo.spur("wait", "web").status == 0)
        let log = try Self.log(repo, "web")
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(log)")
        #expect(lines.first == "--- spur setup: echo installing; echo \"lane=$SPUR_LANE\"")
        #expect(Array(lines.dropFirst().prefix(2)) == ["installing", "lane=web"])
        #expect(lines.count > 3 && lines[3].hasPrefix("--- spur setup: exit 0 (took "))
        #expect(lines.suffix(2) == ["--- spur task: sh -c echo testing", "testing"])
        let setup = try Self.setupObject(repo, "web")
        #expect(setup["exitCode"] as? Int == 0)
        #expect(setup["passed"] as? Bool == true)
        #expect(setup["durationSeconds"] is Double)
        #expect(try repo.laneJSON("web")?["setupCommand"] as? String == "echo installing; echo \"lane=$SPUR_LANE\"")
        let show = try repo.spurSucceeds("show", "web").stdout
        #expect(show.contains("setup:       passed: echo installing"))
        // The task's result is its own output, not the setup's.
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(repo.spurSucceeds("show", "web", "--json").stdout.utf8)) as? [String: Any])
        #expect((shown["result"] as? [String: Any])?["text"] as? String == "testing")
        #expect((shown["result"] as? [String: Any])?["cut"] as? Bool == false)
    }

    @Test func aFailingSetupFailsTheLaneAndTheTaskDoesNotRun() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        let marker = repo.scratch + "/task-ran"
        try repo.spawn("broken", "--setup", "echo cannot install; exit 3", "--check", "touch \(marker).check",
                       "--", "touch", marker)
        #expect(try repo.spur("wait", "broken").status == 1)
        let lane = try repo.listedLane("broken")
        #expect(lane.state == "failed")
        #expect(lane.reason == "setup failed (exit 3)")
        #expect(lane.exitCode == 3)
        #expect(!FileManager.default.fileExists(atPath: marker), "the task ran after its setup failed")
        #expect(!FileManager.default.fileExists(atPath: marker + ".check"), "the check ran after the setup failed")
        #expect(try Self.setupObject(repo, "broken")["exitCode"] as? Int == 3)
        let log = try Self.log(repo, "broken")
        #expect(log.contains("cannot install\n--- spur setup: exit 3"))
        #expect(!log.contains("--- spur task:"))
        // The end was posted as any end is.
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"kind\":\"failed\",\"lane\":\"broken\""))
        #expect(events.contains("setup failed (exit 3)"))
    }

    @Test func theConfiguredSetupRunsAndTheSetupOptionOverridesOrDisablesIt() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        try repo.git("config", "spur.setup", "echo from-config > setup.txt")
        try repo.spawn("configured", "--", "cat", "setup.txt")
        try repo.spawn("overridden", "--setup", "echo from-option > setup.txt", "--", "cat", "setup.txt")
        try repo.spawn("disabled", "--setup", "", "--", "sh", "-c", "test ! -e setup.txt && echo no-setup")
        #expect(try repo.spur("wait", "configured", "overridden", "disabled").status == 0)
        #expect(try Self.log(repo, "configured").hasSuffix("from-config\n"))
        #expect(try Self.log(repo, "overridden").hasSuffix("from-option\n"))
        #expect(try Self.log(repo, "disabled") == "no-setup\n")
        #expect(try repo.laneJSON("disabled")?["setupCommand"] is NSNull)
        #expect(try repo.laneJSON("configured")?["setupCommand"] as? String == "echo from-config > setup.txt")
    }

    @Test func aSetupReadingStandardInputGetsEndOfFile() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        try repo.spawn("reader", "--timeout", "30s", "--setup", "cat; echo \"cat returned $?\"", "--", "true")
        #expect(try repo.spur("wait", "reader", "--timeout", "30s").status == 0)
        #expect(try Self.log(repo, "reader").contains("cat returned 0\n--- spur setup: exit 0"))
    }

    @Test func aHangingSetupIsEndedByTheTimeoutWithAReasonNamingTheSetup() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        let marker = repo.scratch + "/task-ran"
        try repo.spawn("hangs", "--timeout", "2s", "--setup", "exec sleep 1000", "--", "touch", marker)
        #expect(try repo.spur("wait", "hangs", "--timeout", "30s").status == 1)
        let lane = try repo.listedLane("hangs")
        #expect(lane.state == "killed")
        #expect(lane.reason?.hasPrefix("setup timed out after 2s") == true, "\(lane.reason ?? "")")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func theTimeoutCoversSetupAndTaskTogether() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        // Each alone fits in 3 s; together they do not.
        try repo.spawn("both", "--timeout", "3s", "--setup", "sleep 2", "--", "sh", "-c", "echo started; exec sleep 2")
        #expect(try repo.spur("wait", "both", "--timeout", "30s").status == 1)
        let lane = try repo.listedLane("both")
        #expect(lane.state == "killed")
        #expect(lane.reason == "timed out after 3s")
        #expect(try Self.log(repo, "both").contains("--- spur task: sh -c echo started; exec sleep 2\nstarted\n"))
    }

    @Test func stopDuringSetupKillsTheLaneAndTheTaskNeverRuns() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        let marker = repo.scratch + "/task-ran"
        try repo.spawn("slow", "--setup", "exec sleep 1000", "--", "touch", marker)
        // spawn returns once the setup runs: the lane shows it.
        let live = try #require(try repo.laneJSON("slow"))
        #expect(live["state"] as? String == "running")
        #expect(live["phase"] as? String == "setup")
        #expect(try repo.spurSucceeds("list").stdout.contains("setting up"))
        let stop = try repo.spur("stop", "slow")
        #expect(stop.status == 0)
        let lane = try repo.listedLane("slow")
        #expect(lane.state == "killed")
        #expect(lane.reason == "stopped by 'spur stop' during setup")
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try repo.laneJSON("slow")?["phase"] is NSNull)
    }

    @Test func idleMarksAStalledSetup() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        try repo.spawn("quiet", "--idle", "1s", "--setup", "exec sleep 1000", "--", "true")
        #expect(try repo.spur("wait", "quiet", "--timeout", "3s").status == 124)
        #expect(try repo.listedLane("quiet").stalledSince != nil)
        #expect(try repo.spurSucceeds("list").stdout.contains("stalled"))
        _ = try repo.spur("stop", "quiet")
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"kind\":\"stalled\",\"lane\":\"quiet\""))
    }

    /// What the setup changes in tracked files is the lane's work: while the lane is live (the
    /// overlap guard, status) and after (diff, the result, merge) everyone says so.
    @Test func aSetupsRewriteOfATrackedFileIsPartOfTheLanesWork() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        let go = repo.scratch + "/go"
        let lockfile = repo.scratch + "/lockfile-written"
        try repo.spawn("deps", "--setup", "echo '{\"lock\": 2}' > package-lock.json; touch \(lockfile); while [ ! -e \(go) ]; do sleep 0.1; done",
                       "--", "sh", "-c", "echo done > task.txt")
        // Live, and still in its setup: the setup has written the lockfile and waits.
        var waited = 0
        while !FileManager.default.fileExists(atPath: lockfile), waited < 100 {
            usleep(100_000)
            waited += 1
        }
        #expect(try repo.laneJSON("deps")?["phase"] as? String == "setup")
        let check = try repo.spur("check", "package-lock.json")
        #expect(check.status == 1)
        #expect(check.lines == ["package-lock.json: changed in lane deps"])
        let liveStatus = try repo.spurSucceeds("status", "--json").stdout
        #expect(liveStatus.contains("package-lock.json"))

        try "".write(toFile: go, atomically: true, encoding: .utf8)
        #expect(try repo.spur("wait", "deps").status == 0)
        let lane = try repo.listedLane("deps")
        #expect(lane.changedFiles == ["package-lock.json", "task.txt"])
        let diff = try repo.spurSucceeds("diff", "deps").stdout
        #expect(diff.contains("+{\"lock\": 2}"))
        #expect(try repo.spurSucceeds("merge", "deps").status == 0)
        #expect(try repo.read("package-lock.json") == "{\"lock\": 2}\n")
        #expect(try repo.read("task.txt") == "done\n")
    }

    @Test func exploreRunsTheSetupInEachLane() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        try repo.spurSucceeds("explore", "try", "--setup", "echo \"$SPUR_VARIANT\" > prepared.txt", "--variants", "2",
                              "--", "sh", "-c", "cat prepared.txt")
        #expect(try repo.spur("wait", "try-1", "try-2").status == 0)
        #expect(try Self.log(repo, "try-1").hasSuffix("--- spur task: sh -c cat prepared.txt\n1\n"))
        #expect(try Self.log(repo, "try-2").hasSuffix("--- spur task: sh -c cat prepared.txt\n2\n"))
    }

    @Test func noRunLanesRunTheSetupInSpawnItself() throws {
        let repo = try Self.project()
        defer { repo.remove() }
        let spawned = try repo.spur("spawn", "hand", "--no-run", "--setup", "echo prepared; echo '{\"lock\": 3}' > package-lock.json")
        #expect(spawned.status == 0)
        #expect(spawned.stderr.contains("running setup: echo prepared;"))
        let worktree = try #require(spawned.lines.last)
        #expect(try String(contentsOfFile: worktree + "/package-lock.json", encoding: .utf8) == "{\"lock\": 3}\n")
        #expect(try repo.listedLane("hand").state == "created")
        #expect(try Self.setupObject(repo, "hand")["exitCode"] as? Int == 0)
        #expect(try Self.log(repo, "hand").hasPrefix("--- spur setup: echo prepared;"))
        // Its change is the lane's work: the overlap guard sees it at once.
        #expect(try repo.spur("check", "package-lock.json").lines == ["package-lock.json: changed in lane hand"])

        let failed = try repo.spur("spawn", "handfail", "--no-run", "--setup", "exit 4")
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("setup failed (exit 4)"))
        let lane = try repo.listedLane("handfail")
        #expect(lane.state == "failed")
        #expect(lane.reason == "setup failed (exit 4)")
    }
}
