import CSystem
import Foundation
import SpurGit

/// Decides when a running task counts as stalled: no log growth and no worktree change for
/// `idle` seconds. Checks a few times per idle period (a timer, not a busy loop).
struct StallWatch {
    enum Change { case stalled(Date), resumed, unchanged }
    let idle: Double
    let logPath: String
    /// The lane whose worktree is compared, through its registered admin folder.
    let lane: Lane
    let workspace: Workspace
    /// Counts file events in the worktree; without it, the worktree's tree is compared.
    var watcher: WorktreeWatcher?
    var lastActivity = Date()
    var lastLogSize: UInt64 = 0
    var lastTree: ObjectID?
    var lastEventCount = 0
    var stalled = false
    var nextCheck: Date?

    init(idle: Double, logPath: String, lane: Lane, workspace: Workspace, watcher: WorktreeWatcher? = nil) {
        self.idle = idle
        self.logPath = logPath
        self.lane = lane
        self.workspace = workspace
        self.watcher = watcher
        nextCheck = Date().addingTimeInterval(idle / 4)
    }

    mutating func check() -> Change {
        let now = Date()
        nextCheck = now.addingTimeInterval(idle / 4)
        let size = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? UInt64) ?? 0
        var active = size != lastLogSize
        lastLogSize = size
        if let watcher, watcher.isWatching {
            watcher.drain()
            active = active || watcher.eventCount != lastEventCount
            lastEventCount = watcher.eventCount
        } else if !active, let tree = try? Snapshot.treeID(repository: LaneWorktree.open(lane, workspace: workspace)) {
            active = lastTree != nil && tree != lastTree
            lastTree = tree
        }
        if active {
            lastActivity = now
            if stalled { stalled = false; return .resumed }
            return .unchanged
        }
        if !stalled && now.timeIntervalSince(lastActivity) >= idle {
            stalled = true
            return .stalled(lastActivity)
        }
        return .unchanged
    }
}
