import Foundation
import Testing
import SpurTestSupport

/// `git config spur.maxRunning N`: lanes beyond N running tasks wait `queued` and start in
/// spawn order as slots free up; each queued lane starts from the snapshot taken at its spawn.
@Suite struct SlotTests {
    /// A task that waits for `folder/go`, then records when it started and ended (in `folder`,
    /// outside the worktree), sleeping between. `name` is shell text (e.g. "$SPUR_LANE").
    static func recordingTask(_ folder: String, name: String = "$SPUR_LANE", seconds: String) -> [String] {
        ["sh", "-c", "while [ ! -f '\(folder)/go' ]; do sleep 0.05; done; date +%s.%N > '\(folder)'/\"\(name)\".start; "
            + "sleep \(seconds); date +%s.%N > '\(folder)'/\"\(name)\".end"]
    }

    static func go(_ folder: String) {
        _ = FileManager.default.createFile(atPath: folder + "/go", contents: nil)
    }

    /// The recorded (start, end) of each name, read from `folder`.
    static func intervals(_ names: [String], in folder: String) throws -> [String: (start: Double, end: Double)] {
        var result: [String: (start: Double, end: Double)] = [:]
        for name in names {
            let read = { (suffix: String) throws -> Double in
                let text = try String(contentsOfFile: "\(folder)/\(name).\(suffix)", encoding: .utf8)
                guard let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw TestFailure("\(name).\(suffix) holds '\(text)'")
                }
                return value
            }
            result[name] = (try read("start"), try read("end"))
        }
        return result
    }

    /// The most tasks running at any one moment (checked at every start).
    static func mostAtOnce(_ intervals: [String: (start: Double, end: Double)]) -> Int {
        intervals.values.map { moment in
            intervals.values.filter { $0.start <= moment.start && moment.start < $0.end }.count
        }.max() ?? 0
    }

    func supervisorPID(of name: String, in repo: TestRepository) throws -> Int32 {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repo.root + "/.git/spur/lanes/\(name).json")))
        guard let pid = ((object as? [String: Any])?["supervisorPID"] as? NSNumber)?.int32Value else {
            throw TestFailure("lane \(name) has no supervisor recorded")
        }
        return pid
    }

    @Test func sixLanesWithMaxRunningTwoNeverRunMoreThanTwoAtOnceAndStartInSpawnOrder() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "2")
        let names = (1...6).map { "lane\($0)" }
        var outputs: [String] = []
        for (index, name) in names.enumerated() {
            // Odd lanes sleep 1 s, even ones 1.6 s: slots free one at a time, at least 0.4 s apart.
            let spawned = try repo.spurArguments(["spawn", name, "--"] + Self.recordingTask(repo.scratch, seconds: index % 2 == 0 ? "1" : "1.6"))
            #expect(spawned.status == 0, "\(spawned.stderr)")
            #expect(spawned.lines.last == repo.defaultLanePath(name), "the worktree's path is the last line")
            outputs.append(spawned.stdout)
        }
        #expect(outputs[0].hasPrefix("lane lane1 running"))
        #expect(outputs[1].hasPrefix("lane lane2 running"))
        #expect(outputs[2].hasPrefix("lane lane3 queued (1st for a slot, maxRunning 2)"), "\(outputs[2])")
        #expect(outputs[5].hasPrefix("lane lane6 queued (4th for a slot, maxRunning 2)"), "\(outputs[5])")
        let listed = try repo.listJSON()
        let positions = listed.compactMap { lane in (lane["queuePosition"] as? NSNumber).map { (lane["name"] as? String ?? "", $0.intValue) } }
        #expect(positions.map(\.0) == ["lane3", "lane4", "lane5", "lane6"] && positions.map(\.1) == [1, 2, 3, 4],
                "list --json before any slot freed: \(positions)")
        #expect(try repo.spurSucceeds("list").stdout.contains("queued (1st for a slot, maxRunning 2)"))
        Self.go(repo.scratch)

        let wait = try repo.spur("wait", "--timeout", "60s")
        #expect(wait.status == 0, "\(wait.stdout)\(wait.stderr)")
        for name in names { #expect(try repo.listedLane(name).state == "done") }
        let recorded = try Self.intervals(names, in: repo.scratch)
        #expect(Self.mostAtOnce(recorded) == 2, "\(recorded)")
        // The queued lanes started in the order they were spawned.
        let queuedStarts = names.dropFirst(2).compactMap { recorded[$0]?.start }
        #expect(queuedStarts == queuedStarts.sorted(), "\(recorded)")
    }

    @Test func exploreSixVariantsWithMaxRunningTwoRunsTwoAtATime() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "2")
        let explored = try repo.spurArguments(["explore", "try", "--variants", "6", "--"]
                                              + Self.recordingTask(repo.scratch, name: "v$SPUR_VARIANT", seconds: "1"))
        #expect(explored.status == 0, "\(explored.stderr)")
        #expect(explored.lines.filter { $0.contains(" queued (") }.count == 4, "\(explored.stdout)")
        Self.go(repo.scratch)
        #expect(try repo.spur("wait", "--timeout", "60s").status == 0)
        let recorded = try Self.intervals((1...6).map { "v\($0)" }, in: repo.scratch)
        #expect(Self.mostAtOnce(recorded) == 2, "\(recorded)")
        for index in 1...6 { #expect(try repo.listedLane("try-\(index)").state == "done") }
    }

    @Test func aQueuedLaneCanBeStoppedDiscardedAndWaitedFor() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("busy", "--", "sleep", "1000")
        let marker = { (name: String) in ["sh", "-c", "echo ran > '\(repo.scratch)/\(name).ran'"] }
        _ = try repo.spurArguments(["spawn", "stopped", "--"] + marker("stopped"))
        _ = try repo.spurArguments(["spawn", "dropped", "--"] + marker("dropped"))
        _ = try repo.spurArguments(["spawn", "awaited", "--"] + marker("awaited"))
        #expect(try repo.listedLane("stopped").state == "queued")

        // stop: killed, nothing ran.
        #expect(try repo.spur("stop", "stopped").status == 0)
        let stopped = try repo.listedLane("stopped")
        #expect(stopped.state == "killed")
        #expect(stopped.reason?.contains("while queued") == true, "\(stopped.reason ?? "")")
        // discard: no stop needed, nothing left of it.
        #expect(try repo.spur("discard", "dropped").status == 0)
        try repo.expectNoTraceOfLane("dropped")
        // wait: blocks while it is queued, returns when it has run.
        #expect(try repo.spur("wait", "awaited", "--timeout", "1s").status == 124)
        #expect(try repo.listedLane("awaited").state == "queued")
        #expect(try repo.spur("stop", "busy").status == 0)
        let waited = try repo.spur("wait", "awaited", "--timeout", "30s")
        #expect(waited.status == 0 && waited.stdout.contains("lane awaited done"), "\(waited.stdout)\(waited.stderr)")
        #expect(FileManager.default.fileExists(atPath: repo.scratch + "/awaited.ran"))
        #expect(!FileManager.default.fileExists(atPath: repo.scratch + "/stopped.ran"))
        #expect(!FileManager.default.fileExists(atPath: repo.scratch + "/dropped.ran"))
    }

    @Test func raisingMaxRunningStartsAWaitingLane() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("busy", "--", "sleep", "1000")
        try repo.spawn("next", "--", "true")
        #expect(try repo.listedLane("next").state == "queued")
        try repo.git("config", "spur.maxRunning", "2")
        let waited = try repo.spur("wait", "next", "--timeout", "30s")
        #expect(waited.status == 0, "\(waited.stdout)\(waited.stderr)")
        #expect(try repo.listedLane("busy").state == "running")
        try repo.spurSucceeds("stop", "busy")
    }

    @Test func aQueuedLaneStartsFromTheTreeAsItWasAtSpawnNotAtStart() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("busy", "--", "sleep", "1000")
        try repo.write("src/main.txt", "at spawn\n")
        try repo.spawn("later", "--", "sh", "-c", "cat src/main.txt > '\(repo.scratch)/seen'")
        try repo.write("src/main.txt", "after spawn\n")
        try repo.spurSucceeds("stop", "busy")
        #expect(try repo.spur("wait", "later", "--timeout", "30s").status == 0)
        #expect(try String(contentsOfFile: repo.scratch + "/seen", encoding: .utf8) == "at spawn\n")
        let base = try repo.listedLane("later").base
        #expect(try repo.git("show", "\(base):src/main.txt") == "at spawn\n")
    }

    @Test func aSupervisorKilledWhileHoldingASlotFreesIt() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("busy", "--", "sleep", "1000")
        try repo.spawn("next", "--", "true")
        #expect(try repo.listedLane("next").state == "queued")
        kill(try supervisorPID(of: "busy", in: repo), SIGKILL)
        let waited = try repo.spur("wait", "next", "--timeout", "30s")
        #expect(waited.status == 0, "\(waited.stdout)\(waited.stderr)")
        #expect(try repo.listedLane("busy").state == "killed")
    }

    @Test func aBadMaxRunningIsRefusedAtSpawnWithNothingMade() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        for value in ["0", "two", "-1"] {
            try repo.git("config", "spur.maxRunning", value)
            let refused = try repo.spur("spawn", "bad", "--", "true")
            #expect(refused.status == 2)
            #expect(refused.stderr.hasPrefix("spur: ") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("spur.maxRunning is '\(value)'"))
            try repo.expectNoTraceOfLane("bad")
            let explored = try repo.spur("explore", "group", "--variants", "2", "--", "true")
            #expect(explored.status == 2)
            #expect(try repo.listJSON().isEmpty)
        }
        // A lane that runs nothing takes no slot, so the setting does not concern it.
        _ = try repo.spawnLane("hand")
    }

    @Test func aLaneQueuedForASlotSleepsInTheKernel() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("busy", "--", "sleep", "1000")
        try repo.spawn("waiting", "--", "true")
        let pid = try supervisorPID(of: "waiting", in: repo)
        Thread.sleep(forTimeInterval: 3)
        let cost = WaitingCostTests()
        let used = try cost.cpuSeconds(fromStat: String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))
        #expect(try repo.listedLane("waiting").state == "queued")
        #expect(used < WaitingCostTests.bound, "the queued lane's supervisor used \(used) s of CPU in 3 s")
        try repo.spurSucceeds("stop", "waiting")
        try repo.spurSucceeds("stop", "busy")
    }

    @Test func aLaneHoldsItsSlotUntilItsCheckEnds() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        let checkEnd = repo.scratch + "/check.end"
        try repo.spawn("checked", "--check", "sleep 1; date +%s.%N > '\(checkEnd)'", "--", "true")
        try repo.spawn("next", "--", "sh", "-c", "date +%s.%N > '\(repo.scratch)/next.start'")
        #expect(try repo.spur("wait", "checked", "next", "--timeout", "30s").status == 0)
        let ended = try #require(Double(String(contentsOfFile: checkEnd, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let started = try #require(Double(String(contentsOfFile: repo.scratch + "/next.start", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(started > ended, "the queued lane started before the running lane's check ended")
    }

    @Test func aLaneAfterAnotherWaitsForItThenForASlot() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("first", "--", "sh", "-c", "while [ ! -f '\(repo.scratch)/go' ]; do sleep 0.05; done; echo one > one.txt")
        // Spawned before second, so it is ahead of second in the queue for the slot.
        try repo.spawn("busy", "--", "sleep", "1000")
        try repo.spawn("second", "--after", "first", "--", "sh", "-c", "cat one.txt > two.txt")
        #expect(!FileManager.default.fileExists(atPath: repo.defaultLanePath("second")), "no worktree before first is done")
        Self.go(repo.scratch)
        #expect(try repo.spur("wait", "first", "--timeout", "30s").status == 0)
        // first is done, but busy took the only slot: second waits for it, its worktree made from first's result.
        #expect(try repo.spur("wait", "second", "--timeout", "1s").status == 124)
        #expect(try repo.listedLane("busy").state == "running")
        #expect(try repo.listedLane("second").state == "queued")
        #expect(try repo.listJSON().first { $0["name"] as? String == "second" }?["queuePosition"] as? NSNumber == 1)
        #expect(FileManager.default.fileExists(atPath: repo.defaultLanePath("second") + "/one.txt"))
        try repo.spurSucceeds("stop", "busy")
        #expect(try repo.spur("wait", "second", "--timeout", "30s").status == 0)
        let head = try #require(try repo.listedLane("second").head)
        #expect(try repo.git("show", "\(head):two.txt") == "one\n")
    }

    @Test func aLaneAfterOneAlreadyDoneWaitsForASlotOnly() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("first", "--", "sh", "-c", "echo one > one.txt")
        #expect(try repo.spur("wait", "first", "--timeout", "30s").status == 0)
        try repo.git("config", "spur.maxRunning", "1")
        try repo.spawn("busy", "--", "sleep", "1000")
        let spawned = try repo.spawn("second", "--after", "first", "--", "sh", "-c", "cat one.txt > two.txt")
        #expect(spawned.stdout.hasPrefix("lane second queued (1st for a slot, maxRunning 1)"), "\(spawned.stdout)")
        try repo.spurSucceeds("stop", "busy")
        #expect(try repo.spur("wait", "second", "--timeout", "30s").status == 0)
        let head = try #require(try repo.listedLane("second").head)
        #expect(try repo.git("show", "\(head):two.txt") == "one\n")
    }

    @Test func concurrentSpawnsNeverBothTakeTheLastSlot() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.git("config", "spur.maxRunning", "1")
        Self.go(repo.scratch)
        let names = (1...5).map { "race\($0)" }
        let task = Self.recordingTask(repo.scratch, seconds: "0.5").map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let script = names.map { "'\(SpurExecutable.path)' spawn \($0) -- \(task) >/dev/null &" }.joined(separator: "\n") + "\nwait\n"
        let run = try ProcessRunner.run("/bin/bash", ["-c", script], cwd: repo.root, environment: repo.environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try repo.spur("wait", "--timeout", "60s").status == 0)
        let recorded = try Self.intervals(names, in: repo.scratch)
        #expect(Self.mostAtOnce(recorded) == 1, "\(recorded)")
    }
}
