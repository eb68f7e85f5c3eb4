import CSystem
import Foundation
import SpurGit
import SpurHookCore

/// Runs one lane's task to its end, detached from any terminal: starts the command in the lane's
/// worktree, waits on the kernel (pidfd, signalfd) without polling, enforces the timeout, marks
/// stalls, then records the result commit, the state and the notification.
public struct Supervisor {
    public let workspace: Workspace
    public let name: String
    /// Seconds between TERM and KILL when ending a task.
    public var gracePeriod: Double = 5

    public init(workspace: Workspace, name: String) {
        self.workspace = workspace
        self.name = name
        if let grace = ProcessInfo.processInfo.environment["SPUR_KILL_GRACE"].flatMap(Double.init) { gracePeriod = grace }
    }

    var store: LaneStore { LaneStore(workspace: workspace) }
    public var logPath: String { Supervisor.logPath(workspace, name) }
    public static func logPath(_ workspace: Workspace, _ name: String) -> String { workspace.stateDir + "/logs/\(name).log" }

    /// Supervises the task. `ready` (if given) is written "ok" once the task runs, or the error.
    public func run(ready readyPipe: Int32?) throws {
        var ready = readyPipe
        let signals = OwnedDescriptor(taking: spur_signalfd_for_termination())
        // The readiness pipe must not leak into the task, or spawn would wait for the task's end.
        if let ready { _ = fcntl(ready, F_SETFD, FD_CLOEXEC) }
        var lane = try store.require(name)
        guard let command = lane.command, !command.isEmpty else { throw SpurError("lane '\(name)' has no command to run") }
        if lane.state == .queued {
            let me = ProcessIdentity.current()
            lane = try store.update(name) { lane in
                lane.supervisorPID = me.pid
                lane.supervisorStartTicks = me.startTicks
            }
            switch try waitForTurn(of: lane, signals: signals, ready: &ready) {
            case .start:
                lane = try store.require(name)
            case .abandon(let reason, let state):
                guard let abandoned = try? store.update(name, { lane in
                    lane.state = state
                    lane.reason = reason
                    lane.finishedAt = Date()
                }) else { return }
                Notifier(workspace: workspace).laneEnded(abandoned)
                return
            }
        }
        try FileManager.default.createDirectory(atPath: workspace.stateDir + "/logs", withIntermediateDirectories: true)
        // Emptied first: a lane discarded earlier under this name left its log behind.
        let log = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw SpurError("cannot open log \(logPath)") }
        defer { close(log) }
        // So do the task's progress and result files.
        for path in [TaskResult.progressPath(workspace, name), TaskResult.resultPath(workspace, name)] {
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if file >= 0 { close(file) }
        }

        // Watching starts before the task can change anything: status then reads the journal.
        var watcher = try? WorktreeWatcher(lane: lane, workspace: workspace)
        let started = Date()
        // The lane's setup command first (LaneSetup); false when it ended the lane.
        guard try runSetup(lane: &lane, started: started, signals: signals, log: log, ready: &ready, watcher: &watcher) else { return }
        let pid: Int32
        do {
            pid = try spawnTask(command, environment: environment(for: lane), cwd: lane.worktree, output: log)
        } catch {
            lane = try store.update(name) { lane in
                lane.state = .failed
                lane.exitCode = 127
                lane.startedAt = started
                lane.finishedAt = Date()
                lane.reason = "\(error)"
            }
            ReadyPipe.answer(ready, "\(error)")
            Notifier(workspace: workspace).laneEnded(lane)
            return
        }
        let me = ProcessIdentity.current()
        lane = try store.update(name) { lane in
            lane.state = .running
            lane.startedAt = started
            lane.taskPID = pid
            lane.supervisorPID = me.pid
            lane.supervisorStartTicks = me.startTicks
        }
        ReadyPipe.answer(ready, "ok")

        let ending = waitForTask(pid: pid, lane: lane, signals: signals, log: log, watcher: &watcher)
        // From here on nobody answers readers' sync requests: they scan until the result is recorded.
        watcher?.stop(reason: "the task ended")
        try finish(ending)
    }

    /// The task's environment: spur's own, the lane's extras, and SPUR_LANE, SPUR_BASE, SPUR_REPO,
    /// SPUR_PROGRESS (a file whose last line `spur list` shows) and SPUR_RESULT (a file whose
    /// text is the lane's result), both outside the worktree.
    func environment(for lane: Lane) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in lane.environment ?? [:] { environment[key] = value }
        environment["SPUR_LANE"] = lane.name
        environment["SPUR_BASE"] = lane.base.hex
        environment["SPUR_REPO"] = workspace.root
        environment["SPUR_PROGRESS"] = TaskResult.progressPath(workspace, lane.name)
        environment["SPUR_RESULT"] = TaskResult.resultPath(workspace, lane.name)
        environment["SPUR_PORT_BASE"] = lane.portBase.map(String.init)
        for variable in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { environment.removeValue(forKey: variable) }
        return environment
    }

    /// Runs the lane's check command in its worktree (after the result is committed, so the
    /// check cannot change it); its output goes to the lane's log, its last lines are kept.
    func runCheck(_ command: String, in worktree: String, environment: [String: String]) -> CheckResult {
        let started = Date()
        let outputPath = workspace.stateDir + "/logs/\(name).check.log"
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var exitCode: Int32?
        if output >= 0, let pid = try? spawnTask(["/bin/sh", "-c", command], environment: environment, cwd: worktree, output: output) {
            close(output)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if spur_wifexited(status) != 0 { exitCode = spur_wexitstatus(status) }
        } else if output >= 0 {
            close(output)
        }
        let tail = OutputTail.lastLines(of: outputPath, count: 21)?.text ?? ""
        let log = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if log >= 0 {
            // The banner, then the check's output byte for byte (TaskResult finds the task's own output before them).
            Self.appendAll(Data(Self.checkBanner(command: command, exitCode: exitCode).utf8), to: log)
            if let output = FileHandle(forReadingAtPath: outputPath) {
                while let chunk = try? output.read(upToCount: 1 << 20), !chunk.isEmpty { Self.appendAll(chunk, to: log) }
                try? output.close()
            }
            close(log)
        }
        return CheckResult(command: command, passed: exitCode == 0, exitCode: exitCode,
                           durationSeconds: Date().timeIntervalSince(started),
                           outputTail: tail.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The line written into the task's log before the check's output.
    static func checkBanner(command: String, exitCode: Int32?) -> String {
        "\n--- spur check: \(command) (exit \(exitCode.map(String.init) ?? "?"))\n"
    }

    /// Writes all of `data` to `descriptor` (retrying short writes and EINTR; gives up on an error).
    static func appendAll(_ data: Data, to descriptor: Int32) {
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var written = 0
            while written < buffer.count {
                let count = write(descriptor, base + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                written += count
            }
        }
    }

    func spawnTask(_ command: [String], environment: [String: String], cwd: String, output: Int32) throws -> Int32 {
        let arguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { arguments.forEach { free($0) }; variables.forEach { free($0) } }
        var pid: pid_t = 0
        let result = arguments.map { UnsafePointer($0) }.withUnsafeBufferPointer { argv in
            variables.map { UnsafePointer($0) }.withUnsafeBufferPointer { envp in
                spur_spawn_detached(argv.baseAddress, envp.baseAddress, cwd, output, -1, &pid)
            }
        }
        guard result == 0 else {
            let reason = result == ENOENT ? "command not found: \(command[0])" : String(cString: strerror(result))
            throw SpurError("cannot start \(command[0]): \(reason)")
        }
        return pid
    }

    /// How the task ended.
    struct Ending {
        var exitCode: Int32?
        var signal: Int32?
        var killReason: String?
        /// Why it failed, when that is not its exit code alone (its setup failed).
        var reason: String?
        /// False when the task never started (its setup ended the lane): no check runs.
        var taskRan = true
    }

    /// Waits for the task, handling timeout, `spur stop` (SIGTERM to us) and stall detection.
    /// `watcher` is replaced by a new one that catches up when the kernel dropped events (at
    /// most three times; after that status scans this lane).
    func waitForTask(pid: Int32, lane: Lane, signals: OwnedDescriptor?, log: Int32, watcher: inout WorktreeWatcher?) -> Ending {
        var ending = Ending()
        guard let exitWatch = ProcessExitWatch(pid: pid) else {
            return reap(pid, into: ending)
        }
        // One deadline for the setup and the task: counted from the start of the first.
        let deadline = lane.timeoutSeconds.map { (lane.startedAt ?? Date()).addingTimeInterval($0) }
        let idle = lane.idleSeconds ?? 600
        var stall = StallWatch(idle: idle, logPath: logPath, lane: lane, workspace: workspace, watcher: watcher)
        var rebuilds = 0
        // A task whose worktree was removed can leave no result: it is ended.
        let removal = WorktreeRemovalWatch(lane: lane, workspace: workspace)
        if removal?.worktreeRemoved() == true {
            ending.killReason = RemovedWorktreeWording.endReason(lane)
            return terminate(pid, exitWatch: exitWatch, into: ending)
        }
        while true {
            if let lost = watcher, lost.lostEvents, rebuilds < 3 {
                rebuilds += 1
                watcher = nil
                watcher = try? WorktreeWatcher(lane: lane, workspace: workspace, catchUp: true)
                stall.watcher = watcher
            }
            let wakeAt = [deadline, stall.nextCheck].compactMap { $0 }.min()
            // A stopped watcher's slot is nil: poll skips it, and the positions stay the same.
            let descriptors: [OwnedDescriptor?] = [exitWatch.descriptor, signals, watcher?.descriptor, removal?.descriptor]
            switch KernelWait.readable(descriptors, until: wakeAt) {
            case .readable(0), .failed:
                return reap(pid, into: ending)
            case .readable(2):
                watcher?.drain()
            case .readable(3):
                if removal?.worktreeRemoved() == true {
                    ending.killReason = RemovedWorktreeWording.endReason(lane)
                    return terminate(pid, exitWatch: exitWatch, into: ending)
                }
            case .readable(_):
                let number = signals?.withRaw { spur_signalfd_read($0) } ?? -1
                ending.killReason = number == SIGTERM ? "stopped by 'spur stop'" : "supervisor received signal \(number)"
                return terminate(pid, exitWatch: exitWatch, into: ending)
            case .timeout:
                if let deadline, Date() >= deadline {
                    ending.killReason = "timed out after \(Summary.duration(lane.timeoutSeconds ?? 0))"
                    return terminate(pid, exitWatch: exitWatch, into: ending)
                }
                switch stall.check() {
                case .stalled(let since): markStalled(since)
                case .resumed: markStalled(nil)
                case .unchanged: break
                }
            }
        }
    }

    /// TERM to the whole process group, KILL after the grace period, then reap.
    func terminate(_ pid: Int32, exitWatch: ProcessExitWatch, into ending: Ending) -> Ending {
        kill(-pid, SIGTERM)
        if KernelWait.readable([exitWatch.descriptor], until: Date().addingTimeInterval(gracePeriod)) == .timeout {
            kill(-pid, SIGKILL)
        }
        return reap(pid, into: ending)
    }

    func reap(_ pid: Int32, into ending: Ending) -> Ending {
        var ending = ending
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if spur_wifexited(status) != 0 { ending.exitCode = spur_wexitstatus(status) }
        if spur_wifsignaled(status) != 0 { ending.signal = spur_wtermsig(status) }
        // Whatever the task left running in its group must not keep writing after the result is taken.
        kill(-pid, SIGKILL)
        return ending
    }

    func markStalled(_ since: Date?) {
        guard let lane = try? store.update(name, { $0.stalledSince = since }) else { return }
        if since != nil {
            Notifier(workspace: workspace).post(LaneEvent(
                time: Date(), lane: name, kind: .stalled, state: lane.state.rawValue,
                summary: "lane \(name) stalled: no output and no file change for \(Summary.duration(lane.idleSeconds ?? 600)); it keeps running"))
        }
    }

    /// Commits the result, sets the final state and posts the notification.
    func finish(_ ending: Ending) throws {
        let taskState: LaneState = ending.killReason != nil || (ending.exitCode == nil && ending.signal != nil) ? .killed
            : (ending.exitCode == 0 ? .done : .failed)
        var outcome = taskState.rawValue
        if let code = ending.exitCode { outcome += " (exit \(code))" }
        if let signal = ending.signal { outcome += " (signal \(signal))" }
        var lane = try store.require(name)
        // The lane was discarded meanwhile (and perhaps made anew under its name): not ours.
        guard lane.supervisorPID == getpid() else { return }
        var commitError: String?
        do { try LaneResults(workspace: workspace).record(&lane, outcome: outcome) } catch {
            commitError = RemovedWorktreeWording.resultError(lane, ending: ending.killReason, workspace: workspace) ?? LaneResults.describe(error)
        }
        // A result that could not be recorded is a failure, and its worktree keeps the files.
        let state: LaneState = commitError != nil && taskState == .done ? .failed : taskState
        lane = try store.update(name) { stored in
            stored.head = lane.head
            stored.changedFiles = lane.changedFiles
            stored.state = state
            stored.exitCode = ending.exitCode
            stored.signal = ending.signal
            stored.finishedAt = Date()
            stored.stalledSince = nil
            stored.settling = true
            stored.reason = [ending.killReason, ending.reason, commitError]
                .compactMap { $0 }.joined(separator: "; ").nilIfEmpty
        }
        if let checkCommand = lane.checkCommand, lane.head != nil, ending.taskRan {
            let result = runCheck(checkCommand, in: lane.worktree, environment: environment(for: lane))
            lane = try store.update(name) { $0.check = result }
        }
        let checkPassed = lane.check?.passed ?? true
        let outlook = state == .done ? (try? OverlapAnalyzer(workspace: workspace).reports(for: [lane]).first?.mergeOutlook) ?? nil : nil
        var verdict = state == .done && lane.onFinish == .merge && checkPassed ? mergeAutomatically(lane) : outlook
        if state == .done && lane.onFinish == .merge && !checkPassed {
            let reason = "not merged: the check '\(lane.checkCommand ?? "")' failed"
            lane = try store.update(name) { $0.reason = reason }
            verdict = "flagged: " + reason
        }
        // The event is in the log before the lane stops settling, so whoever `wait` tells of the
        // end finds it there (and the hook delivers it); spur.notify, which may take its time, runs after.
        var ended = try store.require(name)
        ended.verdict = verdict
        let notifier = Notifier(workspace: workspace)
        let event = notifier.endEvent(for: ended, verdict: verdict, flagged: verdict?.hasPrefix("flagged") == true)
        try? FaultInjection.point("lane-event")
        notifier.append(event)
        _ = try store.update(name) { lane in
            lane.verdict = verdict
            lane.settling = nil
        }
        notifier.runNotifyCommand(event)
    }
}

extension Supervisor {
    /// `spawn --on-finish merge`: see `LaneVerdict.mergeAutomatically`.
    func mergeAutomatically(_ lane: Lane) -> String {
        LaneVerdict(workspace: workspace).mergeAutomatically(lane)
    }
}
