import Foundation
import SpurGit

/// Records what a lane's worktree holds as the lane's result commit.
public struct LaneResults: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Commits the worktree's whole state (by the snapshot rule) on branch `spur/NAME`, sets
    /// `head` and `changedFiles`. The branch only moves if nobody moved it meanwhile.
    public func record(_ lane: inout Lane, outcome: String) throws {
        guard FileManager.default.isDirectory(lane.worktree) else {
            throw SpurError("the worktree of lane '\(lane.name)' (\(lane.worktree)) no longer exists; nothing to commit")
        }
        var message = "spur: \(lane.name) \(outcome)\n\n"
        if let description = lane.description { message += "Task: \(description)\n" }
        if let command = lane.command { message += "Command: \(command.joined(separator: " "))\n" }
        message += "Outcome: \(outcome)\nBase: \(lane.base.hex)\n"
        let snapshot = try Snapshot.take(workdir: lane.worktree, message: message, updateIndex: true)
        let repository = try workspace.openRepository()
        try repository.setReference(lane.branch, to: snapshot.commit, message: "spur: result of lane \(lane.name)",
                                    expected: snapshot.parent)
        lane.head = snapshot.commit
        lane.changedFiles = try LaneInspector(workspace: workspace)
            .changedPaths(in: repository, from: repository.treeID(ofCommit: lane.base), to: snapshot.tree)
    }

    /// `spur finish`: commits a lane someone worked in by hand (or whose task was lost) and
    /// marks it done.
    public func finish(_ name: String) throws -> Lane {
        let store = LaneStore(workspace: workspace)
        try Supervision(workspace: workspace).reconcile()
        let lane = try store.update(name) { lane in
            switch lane.state {
            case .running, .queued:
                throw SpurError("lane '\(name)' is \(lane.state.rawValue); 'spur stop \(name)' or 'spur wait \(name)' first")
            case .merged:
                throw SpurError("lane '\(name)' was already merged")
            case .created, .done, .failed, .killed:
                try record(&lane, outcome: "finished by hand")
                lane.state = .done
                lane.finishedAt = Date()
                lane.stalledSince = nil
            }
        }
        Notifier(workspace: workspace).laneEnded(lane)
        return lane
    }
}
