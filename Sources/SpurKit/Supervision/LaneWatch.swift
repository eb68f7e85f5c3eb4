import CSystem
import Foundation
import SpurGit
import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the change journal of a lane no task runs in (`spawn --no-run`, worked in by hand),
/// so `status` need not scan its worktree. Runs detached (`spur __supervise NAME --watch-only`)
/// until the lane leaves `created` (finish, merge, discard), its worktree goes, or it gets
/// SIGTERM. It sleeps in the kernel between events.
public struct LaneWatch {
    public let workspace: Workspace
    public let name: String

    public init(workspace: Workspace, name: String) {
        self.workspace = workspace
        self.name = name
    }

    /// Watches until the lane no longer needs it. `ready` (if given) is written "ok" once every
    /// folder is watched, or the error.
    public func run(ready: Int32?) throws {
        let signals = OwnedDescriptor(taking: spur_signalfd_for_termination())
        if let ready { _ = fcntl(ready, F_SETFD, FD_CLOEXEC) }
        let store = LaneStore(workspace: workspace)
        var watcher: WorktreeWatcher
        do {
            let lane = try store.require(name)
            guard lane.state == .created else { throw SpurError("lane '\(name)' is \(lane.state.rawValue); only a created lane is watched this way") }
            watcher = try WorktreeWatcher(lane: lane, workspace: workspace)
        } catch {
            ReadyPipe.answer(ready, "\(error)")
            throw error
        }
        // The lane records are watched in the same inotify instance; a change made between the
        // check above and this watch is caught by the check below.
        watcher.watchAlso(store.directory, mask: LaneStore.recordEvents)
        guard Self.stillCreated(name, base: watcher.lane.base, store: store) else {
            ReadyPipe.answer(ready, "lane '\(name)' changed while its watcher started")
            return
        }
        ReadyPipe.answer(ready, "ok")
        // Nothing is written on the way out: readers stop trusting the journal once this process
        // is gone, and the lane's admin folder may be being removed right now. Once the journal
        // is incomplete readers scan; after lost events a new watcher catches up (three times at
        // most), after anything else (a hard link, the worktree gone) the watcher has no more use.
        var rebuilds = 0
        // The worktree's own deletion event waits until nobody has it as current folder (a shell in it).
        let removal = WorktreeRemovalWatch(lane: watcher.lane, workspace: workspace)
        if removal?.worktreeRemoved() == true { return }
        while true {
            if !watcher.isWatching {
                guard watcher.lostEvents, rebuilds < 3, let fresh = try? WorktreeWatcher(lane: watcher.lane, workspace: workspace, catchUp: true) else { return }
                rebuilds += 1
                watcher = fresh
                watcher.watchAlso(store.directory, mask: LaneStore.recordEvents)
                guard Self.stillCreated(name, base: watcher.lane.base, store: store) else { return }
            }
            let wake = KernelWait.readable([watcher.descriptor, signals, removal?.descriptor], until: nil)
            if wake == .readable(2) {
                if removal?.worktreeRemoved() == true { return }
                continue
            }
            guard wake == .readable(0) else { return }
            watcher.drain()
            if watcher.takeExtraEvents() && !Self.stillCreated(name, base: watcher.lane.base, store: store) { return }
        }
    }

    private static func stillCreated(_ name: String, base: ObjectID, store: LaneStore) -> Bool {
        guard let lane = try? store.load(name) else { return false }
        return lane.state == .created && lane.base == base
    }

    /// Ends the watcher of lane `name` if one runs, and waits (up to 5 s) until it has, so
    /// that it neither journals the worktree's removal nor writes into a folder being removed.
    public static func stop(lane name: String, workspace: Workspace) {
        guard let state = ChangeJournal(lane: name, workspace: workspace).readState(), state.pid != getpid() else { return }
        let watcher = ProcessIdentity(pid: state.pid, startTicks: state.startTicks)
        guard watcher.isAlive, let exit = ProcessExitWatch(pid: state.pid) else { return }
        // Checked again with the pidfd open: the pid now names that process for sure.
        guard watcher.isAlive else { return }
        kill(state.pid, SIGTERM)
        _ = KernelWait.readable([exit.descriptor], until: Date().addingTimeInterval(5))
    }
}
