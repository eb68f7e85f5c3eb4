import CSystem
import Foundation

/// Wakes a lane's supervisor or watcher when the lane's worktree folder may have been removed.
///
/// The folder's own `IN_DELETE_SELF` is not enough: the kernel sends it only once nothing holds
/// the folder, and a running task (or a person's shell) has it as its current folder. So the
/// folder holding the worktree is watched for an entry deleted or moved away, and the folder
/// itself for its deletion or move. A wake is only a hint: `worktreeRemoved` drains the events
/// and asks `WorktreePresence`, which decides from what the kernel says now.
final class WorktreeRemovalWatch {
    private let events: FileEvents
    let lane: Lane
    let workspace: Workspace

    /// Nil when inotify or the watch on the worktree's parent folder is not available.
    init?(lane: Lane, workspace: Workspace) {
        guard let events = try? FileEvents() else { return nil }
        let parent = (lane.worktree as NSString).deletingLastPathComponent
        let entries = UInt32(SPUR_IN_DELETE | SPUR_IN_MOVED_FROM | SPUR_IN_DELETE_SELF | SPUR_IN_MOVE_SELF)
        guard events.watch(parent, mask: entries) else { return nil }
        events.watch(lane.worktree, mask: UInt32(SPUR_IN_DELETE_SELF | SPUR_IN_MOVE_SELF))
        self.events = events
        self.lane = lane
        self.workspace = workspace
    }

    var descriptor: OwnedDescriptor { events.descriptor }

    /// Takes the pending events; true when the lane's worktree is now proven removed.
    func worktreeRemoved() -> Bool {
        events.drain()
        return WorktreePresence.of(lane, workspace: workspace) == .removed
    }
}
