import CSystem
import Foundation
import SpurGit
import SpurHookCore

/// Starts, stops, waits for and double-checks lanes' supervisors.
public struct Supervision: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    var store: LaneStore { LaneStore(workspace: workspace) }

    /// Launches `spur __supervise NAME` detached (new session, stdin /dev/null) and returns once
    /// the task runs, or throws the reason it could not start.
    public func launch(_ name: String, spurExecutable: String) throws {
        try startDetached(["__supervise", name], log: "\(name).supervisor.log", spurExecutable: spurExecutable) { answer in
            answer.isEmpty ? "the supervisor of lane '\(name)' exited before the task started: "
                           : "lane '\(name)' could not start its task: "
        }
    }

    /// Launches `spur __supervise NAME --watch-only` for a lane made with `--no-run`: it keeps
    /// the lane's change journal until the lane is finished or discarded. Returns once every
    /// folder is watched.
    public func launchWatcher(_ name: String, spurExecutable: String) throws {
        try startDetached(["__supervise", name, "--watch-only"], log: "\(name).supervisor.log", spurExecutable: spurExecutable) { _ in
            "cannot watch lane '\(name)': "
        }
    }

    /// Starts `spur ARGUMENTS --ready-fd 3` in a new session (stdin /dev/null, output to the
    /// log) and waits for its "ok"; anything else it answers, or its silent exit, is thrown
    /// after `prefix(answer)`.
    private func startDetached(_ subcommand: [String], log: String, spurExecutable: String,
                               prefix: (String) -> String) throws {
        var pipeEnds: [Int32] = [0, 0]
        guard spur_pipe_cloexec(&pipeEnds) == 0 else { throw SpurError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        try FileManager.default.createDirectory(atPath: workspace.stateDir + "/logs", withIntermediateDirectories: true)
        let supervisorLog = workspace.stateDir + "/logs/" + log
        let output = open(supervisorLog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw SpurError("cannot open \(supervisorLog)") }
        let arguments: [UnsafeMutablePointer<CChar>?] = ([spurExecutable] + subcommand + ["--ready-fd", "3"]).map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { arguments.forEach { free($0) }; variables.forEach { free($0) } }
        var pid: pid_t = 0
        let result = arguments.map { UnsafePointer($0) }.withUnsafeBufferPointer { argv in
            variables.map { UnsafePointer($0) }.withUnsafeBufferPointer { envp in
                spur_spawn_detached(argv.baseAddress, envp.baseAddress, workspace.root, output, writeEnd, &pid)
            }
        }
        close(output)
        close(writeEnd)
        defer { close(readEnd) }
        guard result == 0 else { throw SpurError("cannot start spur \(subcommand[0]): \(String(cString: strerror(result)))") }
        // The supervisor answers "ok" once the task runs; EOF without an answer means it died.
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            if count > 0 { answer.append(contentsOf: buffer[0..<count]); continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        let text = String(decoding: answer, as: UTF8.self)
        if text == "ok" { return }
        if text.isEmpty {
            let detail = (try? String(contentsOfFile: supervisorLog, encoding: .utf8))?
                .split(separator: "\n").last.map(String.init) ?? "no message"
            throw SpurError(prefix(text) + detail)
        }
        throw SpurError(prefix(text) + text)
    }

    /// Notices lanes whose supervisor vanished (kill -9, reboot): marks them killed with the
    /// reason, ends what is left of their task, and posts the event. Returns the lanes now.
    @discardableResult
    public func reconcile() throws -> [Lane] {
        var lanes = try store.all()
        for (position, lane) in lanes.enumerated() where lane.settling == true && !supervisorAlive(lane) {
            // The supervisor died after the task ended: the result is recorded, the rest is not.
            lanes[position] = try store.update(lane.name) { $0.settling = nil }
        }
        for (position, lane) in lanes.enumerated() where lane.state.isActive && !supervisorAlive(lane) {
            let updated = try store.update(lane.name) { stored in
                guard stored.state.isActive, !supervisorAlive(stored) else { return }
                stored.state = .killed
                stored.finishedAt = Date()
                stored.reason = "its supervisor (pid \(stored.supervisorPID ?? 0)) is gone (killed or the machine restarted); the worktree is intact: 'spur finish \(stored.name)' commits what the task left"
                if WorktreePresence.of(stored, workspace: workspace) == .removed {
                    stored.reason = "its supervisor (pid \(stored.supervisorPID ?? 0)) is gone and its worktree was removed; no result recorded"
                }
                if let task = stored.taskPID { kill(-task, SIGKILL) }
            }
            if updated.state == .killed && lane.state.isActive {
                Notifier(workspace: workspace).laneEnded(updated)
            }
            lanes[position] = updated
        }
        return lanes
    }

    func supervisorAlive(_ lane: Lane) -> Bool {
        guard let pid = lane.supervisorPID, let ticks = lane.supervisorStartTicks else {
            // Between spawn and the supervisor's first write the lane has no supervisor yet.
            return lane.startedAt == nil
        }
        return ProcessIdentity(pid: pid, startTicks: ticks).isAlive
    }

    /// `spur stop`: asks the supervisor to end the task (TERM, then KILL after a grace period)
    /// and waits until the lane has recorded its result.
    public func stop(_ name: String) throws -> Lane {
        let lane = try store.require(name)
        guard lane.state.isActive else {
            throw SpurError("lane '\(name)' is not running (it is \(lane.state.rawValue))")
        }
        guard let pid = lane.supervisorPID, let ticks = lane.supervisorStartTicks,
              ProcessIdentity(pid: pid, startTicks: ticks).isAlive else {
            try reconcile()
            return try store.require(name)
        }
        kill(pid, SIGTERM)
        let ended = try wait(for: [name], any: false, timeout: nil) { _ in }
        return ended.lanes.first ?? lane
    }

    public struct WaitResult: Sendable {
        public var lanes: [Lane]
        public var timedOut: Bool
    }

    /// Blocks until the named lanes (all running or queued ones when empty) have ended, or any
    /// one of them with `any`. Sleeps in the kernel on inotify (lane records) and pidfds
    /// (supervisors), so it spends no CPU while waiting. Calls `ended` for each lane as it ends.
    public func wait(for names: [String], any: Bool, timeout: Double?, ended: (Lane) -> Void) throws -> WaitResult {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        let events = try FileEvents()
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        events.watch(store.directory, mask: LaneStore.recordEvents)
        var targets = names
        if targets.isEmpty {
            targets = try reconcile().filter { $0.state.isActive }.map(\.name)
        } else {
            for name in targets { _ = try store.require(name) }
        }
        var reported = Set<String>()
        var finished: [Lane] = []
        while true {
            let lanes = try reconcile()
            for name in targets where !reported.contains(name) {
                guard let lane = lanes.first(where: { $0.name == name }) else {
                    throw SpurError("lane '\(name)' was discarded while waiting")
                }
                if !lane.state.isActive && lane.settling != true {
                    reported.insert(name)
                    finished.append(lane)
                    ended(lane)
                }
            }
            if reported.count == targets.count || (any && !reported.isEmpty) {
                return WaitResult(lanes: finished, timedOut: false)
            }
            let watches = lanes.filter { targets.contains($0.name) && ($0.state.isActive || $0.settling == true) }
                .compactMap { lane in lane.supervisorPID.flatMap { ProcessExitWatch(pid: $0) } }
            let wake = KernelWait.readable([events.descriptor] + watches.map { $0.descriptor }, until: deadline)
            if wake == .timeout { return WaitResult(lanes: finished, timedOut: true) }
            events.drain()
        }
    }
}
