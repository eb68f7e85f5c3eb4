import Foundation
import SpurGit

/// Records what a lane's worktree holds as the lane's result commit.
public struct LaneResults: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Commits the worktree's whole state (by the snapshot rule) on branch `spur/NAME`, sets
    /// `head` and `changedFiles`. The branch only moves if nobody moved it meanwhile.
    ///
    /// The worktree is opened through its registered admin folder (`LaneWorktree`), so the
    /// index written is the lane's own and the ref moved is the lane's own branch, whatever
    /// the task left in its `.git` or its record. When the result cannot be committed it
    /// throws one line saying why, that no result was recorded, and where the files are kept.
    public func record(_ lane: inout Lane, outcome: String) throws {
        guard FileManager.default.isDirectory(lane.worktree) else {
            if let removed = RemovedWorktreeWording.noResult(lane, workspace: workspace) { throw SpurError("result not recorded: " + removed) }
            throw SpurError("result not recorded: the worktree of lane '\(lane.name)' (\(lane.worktree)) no longer exists")
        }
        do {
            try commit(&lane, outcome: outcome)
        } catch let tampered as LaneWorktree.Tampered {
            let admin = LaneWorktree(workspace: workspace, name: lane.name).adminFolder
            let repair = tampered.inGitFile
                ? " (to record them, make its .git say 'gitdir: \(admin)' again and run 'spur finish \(lane.name)')" : ""
            throw SpurError("the task changed the worktree's .git; result not recorded (\(tampered)); "
                + "its files are kept in \(lane.worktree)\(repair)")
        } catch {
            throw SpurError("result not recorded: \(LaneResults.describe(error)); its files are kept in \(lane.worktree)")
        }
    }

    private func commit(_ lane: inout Lane, outcome: String) throws {
        var message = "spur: \(lane.name) \(outcome)\n\n"
        if let description = lane.description { message += "Task: \(description)\n" }
        if let command = lane.command { message += "Command: \(command.joined(separator: " "))\n" }
        message += "Outcome: \(outcome)\nBase: \(lane.base.hex)\n"
        let worktree = try LaneWorktree.open(lane, workspace: workspace)
        try FaultInjection.point("lane-result-commit")
        let snapshot = try Snapshot.take(repository: worktree, message: message, updateIndex: true)
        let repository = try workspace.openRepository()
        try repository.setReference(Lane.branchRef(lane.name), to: snapshot.commit, message: "spur: result of lane \(lane.name)",
                                    expected: snapshot.parent)
        lane.head = snapshot.commit
        lane.changedFiles = try LaneInspector(workspace: workspace)
            .changedPaths(in: repository, from: repository.treeID(ofCommit: lane.base), to: snapshot.tree)
    }

    static func describe(_ error: Error) -> String {
        (error as? SpurError)?.message ?? (error as? GitError)?.message ?? "\(error)"
    }

    /// `spur finish`: commits a lane someone worked in by hand (or whose task was lost) and
    /// marks it done.
    public func finish(_ name: String) throws -> Lane {
        let lane = try finishWithoutEvent(name)
        Notifier(workspace: workspace).laneEnded(lane)
        return lane
    }

    /// `finish` without posting the event (the caller posts it, with a verdict). With
    /// `mergedToo`, a merged lane is recorded again too (its agent went on working after the merge).
    public func finishWithoutEvent(_ name: String, outcome: String = "finished by hand", mergedToo: Bool = false) throws -> Lane {
        let store = LaneStore(workspace: workspace)
        try Supervision(workspace: workspace).reconcile()
        return try store.update(name) { lane in
            switch lane.state {
            case .running, .queued:
                throw SpurError("lane '\(name)' is \(lane.state.rawValue); 'spur stop \(name)' or 'spur wait \(name)' first")
            case .merged where !mergedToo:
                throw SpurError("lane '\(name)' was already merged")
            case .created, .done, .failed, .killed, .merged:
                try record(&lane, outcome: outcome)
                lane.state = .done
                lane.finishedAt = Date()
                lane.stalledSince = nil
            }
        }
    }
}
