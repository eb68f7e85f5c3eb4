import CSystem
import Foundation
import SpurGit
import SpurHookCore

/// How a lane's setup command ended (issue #17 §2): recorded on the lane, shown by `show`
/// and `list --json`.
public struct SetupResult: Codable, Sendable, Equatable {
    public var command: String
    /// True when it exited 0 (the task then ran).
    public var passed: Bool
    public var exitCode: Int32?
    /// The signal that ended it, if one did.
    public var signal: Int32?
    public var startedAt: Date
    public var durationSeconds: Double
    /// Where the task's own output starts in the lane's log (after the setup's and the
    /// `--- spur task:` line); the task's result is read from there on.
    public var taskOutputOffset: UInt64?
}

/// What part of its life a running lane is in, when that is not its task.
public enum LanePhase: String, Codable, Sendable {
    /// Its setup command runs; the task has not started.
    case setup
}

/// A lane's setup: a shell command (`spawn --setup CMD`, or git config `spur.setup`) run with
/// `/bin/sh -c` in the lane's worktree after checkout and before the task, with the task's
/// environment, standard input at end of file and its output in the lane's log between
/// markers. What it changes in tracked files is part of the lane's work, as the task's
/// changes are: the journal watches the worktree before it starts, and the result commit,
/// diff, status, merge and the overlap guard all see those changes.
public enum LaneSetup {
    /// The git config key naming the default setup command.
    public static let configKey = "spur.setup"

    /// The setup command for a new lane: `requested` when given (empty: none, even when
    /// `spur.setup` names one), else `spur.setup`; nil when there is none.
    public static func command(requested: String?, workspace: Workspace) throws -> String? {
        if let requested { return requested.isEmpty ? nil : requested }
        let configured = try workspace.openRepository().config().string(configKey)
        return configured?.isEmpty == false ? configured : nil
    }

    /// For a lane no supervisor runs its task in (`spawn --no-run`, a worktree another tool asked
    /// for): runs its setup now, in the foreground, and returns the lane as recorded after it.
    /// Nothing happens for a lane without one. When the setup fails (or is interrupted, or
    /// overruns the lane's `--timeout`) its result is recorded, the lane ends `failed` (or
    /// `killed`) with the reason, the event is posted, and the reason is thrown.
    public static func runBeforeHandWork(lane: Lane, workspace: Workspace) throws -> Lane {
        guard let command = lane.setupCommand, !command.isEmpty else { return lane }
        let supervisor = Supervisor(workspace: workspace, name: lane.name)
        let store = LaneStore(workspace: workspace)
        try FileManager.default.createDirectory(atPath: workspace.stateDir + "/logs", withIntermediateDirectories: true)
        // Emptied first: a lane discarded earlier under this name left its log behind.
        let log = open(supervisor.logPath, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw SpurError("cannot open log \(supervisor.logPath)") }
        defer { close(log) }
        let signals = OwnedDescriptor(taking: spur_signalfd_for_termination())
        let started = Date()
        appendText(startMarker(command), to: log)
        var ending = Supervisor.Ending()
        do {
            let pid = try supervisor.spawnTask(["/bin/sh", "-c", command], environment: supervisor.environment(for: lane),
                                               cwd: lane.worktree, output: log)
            let deadline = lane.timeoutSeconds.map { started.addingTimeInterval($0) }
            ending = supervisor.waitInForeground(pid: pid, signals: signals, until: deadline, timeout: lane.timeoutSeconds ?? 0)
        } catch {
            ending.exitCode = 127
            ending.reason = "setup could not start: \(error)"
        }
        let result = outcome(of: ending, command: command, started: started)
        appendText(endMarker(result), to: log)
        guard !result.passed else {
            return try store.update(lane.name) { $0.setup = result }
        }
        let reason = failureReason(ending)
        var ended = try store.require(lane.name)
        var commitError: String?
        do { try LaneResults(workspace: workspace).record(&ended, outcome: "failed (its setup did not succeed)") } catch {
            commitError = LaneResults.describe(error)
        }
        ended = try store.update(lane.name) { stored in
            stored.head = ended.head
            stored.changedFiles = ended.changedFiles
            stored.state = ending.killReason != nil || ending.exitCode == nil ? .killed : .failed
            stored.exitCode = ending.exitCode
            stored.signal = ending.signal
            stored.startedAt = started
            stored.finishedAt = Date()
            stored.setup = result
            stored.reason = [reason, commitError].compactMap { $0 }.joined(separator: "; ")
        }
        Notifier(workspace: workspace).laneEnded(ended)
        throw SpurError("lane '\(lane.name)' \(ended.state.rawValue): \(reason) ('spur logs \(lane.name)' shows its output)")
    }

    /// The lines around the setup's output in the lane's log.
    static func startMarker(_ command: String) -> String { "--- spur setup: \(command.escapingControlCharacters)\n" }
    static func endMarker(_ result: SetupResult) -> String {
        let end = result.exitCode.map { "exit \($0)" } ?? result.signal.map { "signal \($0)" } ?? "exit ?"
        return "--- spur setup: \(end) (took \(Summary.duration(result.durationSeconds)))\n"
    }
    static func taskMarker(_ command: [String]) -> String {
        "--- spur task: \(command.joined(separator: " ").escapingControlCharacters)\n"
    }

    static func outcome(of ending: Supervisor.Ending, command: String, started: Date) -> SetupResult {
        SetupResult(command: command, passed: ending.exitCode == 0 && ending.killReason == nil && ending.reason == nil,
                    exitCode: ending.exitCode, signal: ending.signal, startedAt: started,
                    durationSeconds: Date().timeIntervalSince(started), taskOutputOffset: nil)
    }

    /// Why a setup that did not pass ended the lane, in words.
    static func failureReason(_ ending: Supervisor.Ending) -> String {
        if let reason = ending.reason { return reason }
        if let kill = ending.killReason {
            return kill.hasPrefix("timed out") ? "setup \(kill) (--timeout covers setup and task)" : "\(kill) during setup"
        }
        if let code = ending.exitCode { return "setup failed (exit \(code))" }
        return "setup failed (signal \(ending.signal.map(String.init) ?? "?"))"
    }

    static func appendText(_ text: String, to descriptor: Int32) {
        Supervisor.appendAll(Data(text.utf8), to: descriptor)
    }
}

extension Supervisor {
    /// Runs the lane's setup command, if it has one, before its task: the lane is `running`
    /// (phase `setup`) meanwhile, and `ready` is answered once the setup runs. It is waited on
    /// as the task is (`waitForTask`: `spur stop`, the timeout counted from `started`, stalls,
    /// the journal). Returns true when the task should start; false when the setup ended the
    /// lane (its result recorded, its state, reason and event as for any end).
    func runSetup(lane: inout Lane, started: Date, signals: OwnedDescriptor?, log: Int32, ready: inout Int32?,
                  watcher: inout WorktreeWatcher?) throws -> Bool {
        guard let command = lane.setupCommand, !command.isEmpty else { return true }
        LaneSetup.appendText(LaneSetup.startMarker(command), to: log)
        var ending = Ending()
        let me = ProcessIdentity.current()
        do {
            let pid = try spawnTask(["/bin/sh", "-c", command], environment: environment(for: lane), cwd: lane.worktree, output: log)
            lane = try store.update(name) { lane in
                lane.state = .running
                lane.phase = .setup
                lane.startedAt = started
                lane.taskPID = pid
                lane.supervisorPID = me.pid
                lane.supervisorStartTicks = me.startTicks
            }
            ReadyPipe.answer(ready, "ok")  // nil once answered (a queued lane's wait answered it)
            ready = nil
            ending = waitForTask(pid: pid, lane: lane, signals: signals, log: log, watcher: &watcher)
        } catch {
            lane = try store.update(name) { lane in
                lane.startedAt = started
                lane.supervisorPID = me.pid
                lane.supervisorStartTicks = me.startTicks
            }
            ReadyPipe.answer(ready, "setup could not start: \(error)")
            ready = nil
            ending.exitCode = 127
            ending.reason = "setup could not start: \(error)"
        }
        var result = LaneSetup.outcome(of: ending, command: command, started: started)
        LaneSetup.appendText(LaneSetup.endMarker(result), to: log)
        if result.passed {
            LaneSetup.appendText(LaneSetup.taskMarker(lane.command ?? []), to: log)
            var info = stat()
            if fstat(log, &info) == 0 { result.taskOutputOffset = UInt64(max(info.st_size, 0)) }
        }
        lane = try store.update(name) { lane in
            lane.setup = result
            lane.phase = nil
            lane.stalledSince = nil
        }
        if result.passed { return true }
        if ending.killReason != nil {
            ending.killReason = LaneSetup.failureReason(ending)
        } else {
            ending.reason = LaneSetup.failureReason(ending)
        }
        ending.taskRan = false
        watcher?.stop(reason: "the setup ended the lane")
        try finish(ending)
        return false
    }

    /// Waits in the foreground for a process spur started (a `--no-run` lane's setup): until it
    /// exits, a termination signal arrives (it is then ended: TERM, KILL after the grace period)
    /// or `deadline` passes.
    func waitInForeground(pid: Int32, signals: OwnedDescriptor?, until deadline: Date?, timeout: Double) -> Ending {
        var ending = Ending()
        guard let exitWatch = ProcessExitWatch(pid: pid) else { return reap(pid, into: ending) }
        switch KernelWait.readable([exitWatch.descriptor, signals], until: deadline) {
        case .readable(0), .failed:
            return reap(pid, into: ending)
        case .readable(_):
            let number = signals?.withRaw { spur_signalfd_read($0) } ?? -1
            ending.killReason = "interrupted by signal \(number)"
            return terminate(pid, exitWatch: exitWatch, into: ending)
        case .timeout:
            ending.killReason = "timed out after \(Summary.duration(timeout))"
            return terminate(pid, exitWatch: exitWatch, into: ending)
        }
    }
}
