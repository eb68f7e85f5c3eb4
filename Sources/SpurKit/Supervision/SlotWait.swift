import CSystem
import Foundation

extension Supervisor {
    /// A queued lane's wait: for its predecessor first (`--after`), then for a running slot
    /// (`spur.maxRunning`). `ready` is answered "ok" (and set to nil) as soon as the lane has to
    /// wait, so spawn returns; when a slot is free at once it is left for the caller to answer
    /// once the task runs.
    func waitForTurn(of lane: Lane, signals: OwnedDescriptor?, ready: inout Int32?) throws -> QueueOutcome {
        // A lane spawned after one that had already ended done was made at once: it waits for a slot only.
        if lane.after != nil && lane.queuedFor != .slot {
            ReadyPipe.answer(ready, "ok")
            ready = nil
            let outcome = try waitForPredecessor(of: lane, signals: signals)
            guard case .start = outcome else { return outcome }
        }
        return try waitForSlot(signals: signals, ready: &ready)
    }

    /// Blocks until this lane may take a running slot and has taken it (recorded `running`
    /// under the spur lock). Sleeps in the kernel: inotify on the lane records (a lane ending,
    /// spawned or discarded) and on the common git dir (`git config` renames `config` into
    /// place, so a changed `spur.maxRunning` is read again), pidfds of the supervisors holding
    /// slots or queued ahead (one killed frees its place), and the signalfd (`spur stop`).
    func waitForSlot(signals: OwnedDescriptor?, ready: inout Int32?) throws -> QueueOutcome {
        let events = try FileEvents()
        events.watch(store.directory, mask: LaneStore.recordEvents)
        events.watch(workspace.commonDir, mask: UInt32(SPUR_IN_MOVED_TO | SPUR_IN_CLOSE_WRITE))
        let supervision = Supervision(workspace: workspace)
        let slots = RunningSlots(workspace: workspace)
        while true {
            // Lanes whose supervisor died are marked killed, so nobody waits on them.
            try supervision.reconcile()
            let limit: Int?
            do { limit = try slots.limit() } catch {
                return .abandon("not started: \((error as? SpurError)?.message ?? "\(error)")", .failed)
            }
            let blockers: [Lane]
            switch try slots.take(name, limit: limit) {
            case .taken: return .start
            case .gone: return .abandon("discarded while queued", .failed)
            case .wait(let lanes): blockers = lanes
            }
            ReadyPipe.answer(ready, "ok")
            ready = nil
            // poll takes 16 descriptors (KernelWait): the holders come first; past 14 of them
            // a killed supervisor is noticed at the next change of a lane record instead.
            let watches = blockers.prefix(14).compactMap { $0.supervisorPID.flatMap { ProcessExitWatch(pid: $0) } }
            let wake = KernelWait.readable([signals, events.descriptor] + watches.map(\.descriptor), until: nil)
            if wake == .readable(0) {
                _ = signals?.withRaw { spur_signalfd_read($0) }
                return .abandon("stopped by 'spur stop' while queued for a slot; no task ran", .killed)
            }
            events.drain()
        }
    }
}
