import CSystem
import Foundation
import SpurGit

extension Lanes {
    /// `spawn --after OTHER`: a lane that starts from OTHER's result once OTHER ends done.
    /// When OTHER has already ended done it is created at once from OTHER's result; when OTHER
    /// failed, was killed or does not exist, nothing is created and the reason is given.
    public func createAfter(_ request: SpawnRequest) throws -> Lane {
        guard let other = request.after else { return try create(request) }
        let name = try LaneName(request.name).value
        // A bad spur.maxRunning is refused now, not when the predecessor ends.
        if request.takesSlot { _ = try RunningSlots(workspace: workspace).limit() }
        let predecessor = try store.require(other)
        switch predecessor.state {
        case .done, .merged:
            guard let head = predecessor.head else { throw SpurError("lane '\(other)' has no result to start from") }
            return try create(request, baseCommit: head)
        case .failed, .killed:
            throw SpurError("lane '\(other)' ended \(predecessor.state.rawValue), so '\(name)' is not started")
        case .created, .queued, .running:
            break
        }
        return try store.withLock {
            if let existing = try store.load(name) {
                throw SpurError.usage("a lane named '\(name)' already exists (\(existing.state.rawValue)); pick another name or 'spur discard \(name)'")
            }
            let repository = try workspace.openRepository()
            if try repository.referenceTarget(Lane.branchRef(name)) != nil {
                throw SpurError.usage("branch spur/\(name) already exists; delete it or pick another name")
            }
            // Until it starts, the lane records its predecessor's base; it gets its own then.
            var lane = Lane(name: name, state: .queued, description: request.description, command: request.command,
                            base: predecessor.base, branch: Lane.branchRef(name),
                            worktree: try workspace.worktreeRoot(repository) + "/" + name, createdAt: Date())
            request.apply(to: &lane)
            lane.workingTree = workspace.workingTree
            lane.queuedFor = .after
            return try saveHoldingPortBlock(lane, in: repository)
        }
    }
}

extension Supervisor {
    enum QueueOutcome { case start, abandon(String, LaneState) }

    /// Blocks (inotify on lane records, pidfd on the predecessor's supervisor) until the lane's
    /// predecessor ends; then builds this lane from its result, or says why it will not start.
    func waitForPredecessor(of lane: Lane, signals: OwnedDescriptor?) throws -> QueueOutcome {
        guard let other = lane.after else { return .start }
        let events = try FileEvents()
        events.watch(store.directory, mask: LaneStore.recordEvents)
        let supervision = Supervision(workspace: workspace)
        while true {
            let lanes = try supervision.reconcile()
            guard lanes.contains(where: { $0.name == name }) else { return .abandon("discarded while queued", .failed) }
            guard let predecessor = lanes.first(where: { $0.name == other }) else {
                return .abandon("not started: lane '\(other)' was discarded", .failed)
            }
            switch predecessor.state {
            case .done, .merged:
                guard let head = predecessor.head else { return .abandon("not started: lane '\(other)' has no result", .failed) }
                var request = SpawnRequest(name: name)
                request.command = lane.command
                request.description = lane.description
                _ = try Lanes(workspace: workspace).create(request, baseCommit: head)
                return .start
            case .failed, .killed:
                return .abandon("not started: lane '\(other)' ended \(predecessor.state.rawValue)", .failed)
            case .created, .queued, .running:
                let watch = predecessor.supervisorPID.flatMap { ProcessExitWatch(pid: $0) }
                let wake = KernelWait.readable([signals, events.descriptor, watch?.descriptor], until: nil)
                if wake == .readable(0) {
                    _ = signals?.withRaw { spur_signalfd_read($0) }
                    return .abandon("stopped by 'spur stop' while queued", .killed)
                }
                events.drain()
            }
        }
    }
}

extension Lanes {
    /// The one snapshot every lane of an explore group starts from.
    public func snapshotForGroup(_ group: String) throws -> ObjectID {
        let message = "spur snapshot for group \(group)\n\nThe working tree of \(workspace.root) as it was when the group was explored.\n"
        return try Snapshot.take(workdir: workspace.root, message: message).commit
    }
}
