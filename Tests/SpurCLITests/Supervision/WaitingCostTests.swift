import Foundation
import Testing
import SpurTestSupport

/// Every process that waits for a lane sleeps in the kernel: over a 3 s task, each uses under
/// 0.1 s of CPU. Run against the release binary too (`bash .ci/test`): a raw descriptor used
/// after its owner was released made the optimizer's build, and only that one, busy-loop.
@Suite struct WaitingCostTests {
    /// The CPU bound for each waiting process over the whole task (start-up included).
    static let bound = 0.1

    @Test func waitLogsFollowTheSupervisorsAndANoRunLanesWatcherUseAlmostNoCPUOverAThreeSecondTask() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        _ = try repo.spawnLane("hand")
        let watcherPID = try #require(try pid(in: repo.root + "/.git/worktrees/spur-hand/spur-journal-state", field: "pid"))
        // A queued lane's supervisor waits for its predecessor (which outlives the 3 s task).
        try repo.spawn("block", "--", "sleep", "1000")
        try repo.spawn("queued", "--after", "block", "--", "true")
        let queuedSupervisorPID = try #require(try pid(in: repo.root + "/.git/spur/lanes/queued.json", field: "supervisorPID"))
        // The task's parent is its supervisor: the task records the supervisor's CPU as it ends.
        let supervisorStat = repo.scratch + "/supervisor.stat"
        try repo.spawn("nap", "--", "sh", "-c", "sleep 3; cat /proc/$PPID/stat > '\(supervisorStat)'")
        // bash's `times` in each subshell reports the CPU of that subshell's children: one spur each.
        let spur = SpurExecutable.path
        let script = """
            ( '\(spur)' wait nap >/dev/null; times ) > '\(repo.scratch)/wait.times' &
            ( '\(spur)' logs -f nap >/dev/null; times ) > '\(repo.scratch)/logs.times' &
            wait
            """
        let run = try ProcessRunner.run("/bin/bash", ["-c", script], cwd: repo.root, environment: repo.environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try repo.listedLane("nap").state == "done")

        let wait = try childCPUSeconds(fromTimesOutput: String(contentsOfFile: repo.scratch + "/wait.times", encoding: .utf8))
        let logs = try childCPUSeconds(fromTimesOutput: String(contentsOfFile: repo.scratch + "/logs.times", encoding: .utf8))
        let supervisor = try cpuSeconds(fromStat: String(contentsOfFile: supervisorStat, encoding: .utf8))
        let watcher = try cpuSeconds(fromStat: String(contentsOfFile: "/proc/\(watcherPID)/stat", encoding: .utf8))
        #expect(try repo.listedLane("queued").state == "queued")
        let queued = try cpuSeconds(fromStat: String(contentsOfFile: "/proc/\(queuedSupervisorPID)/stat", encoding: .utf8))
        #expect(wait < Self.bound, "spur wait used \(wait) s of CPU")
        #expect(logs < Self.bound, "spur logs -f used \(logs) s of CPU")
        #expect(supervisor < Self.bound, "the task's supervisor used \(supervisor) s of CPU")
        #expect(watcher < Self.bound, "the --no-run lane's watcher used \(watcher) s of CPU")
        #expect(queued < Self.bound, "the queued lane's supervisor used \(queued) s of CPU")
        try repo.spurSucceeds("stop", "block")
        try repo.spurSucceeds("discard", "hand", "--force")
    }

    /// A pid recorded in a JSON file of spur's (a lane record, the journal's state: its watcher).
    func pid(in file: String, field: String) throws -> Int32? {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
        return ((object as? [String: Any])?[field] as? NSNumber)?.int32Value
    }

    /// user + system time of a process, from fields 14 and 15 of `/proc/PID/stat` (clock ticks).
    func cpuSeconds(fromStat stat: String) throws -> Double {
        guard let close = stat.lastIndex(of: ")") else { throw TestFailure("not a stat line: \(stat)") }
        // Fields after the command name start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("not a stat line: \(stat)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The children's line of bash's `times` ("0m0.012s 0m0.004s"), in seconds.
    func childCPUSeconds(fromTimesOutput output: String) throws -> Double {
        guard let line = output.split(separator: "\n").last else { throw TestFailure("no `times` output") }
        return line.split(separator: " ").map { field -> Double in
            let parts = field.split(separator: "m")
            guard parts.count == 2 else { return .infinity }
            return (Double(parts[0]) ?? .infinity) * 60 + (Double(parts[1].dropLast()) ?? .infinity)
        }.reduce(0, +)
    }
}
