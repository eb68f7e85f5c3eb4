import Foundation
import SpurGit

/// `spur gc`'s cleaning of lanes whose worktree was removed behind spur's back
/// (`WorktreePresence.removed`).
///
/// A lane that holds nothing (its branch and its result, if any, have its base's tree, and the
/// worktree that could have held edits is gone) is deleted: branch, refs, git's record, lane
/// record. Any other is archived first (`LaneArchive.keep`, from its branch: `list --archived`
/// shows it, `restore` brings it back) and deleted only once the archive is written. Lanes
/// still running or settling, lanes whose worktree spur cannot prove gone, and lanes with a
/// folder still on disk are left alone. A lane that cannot be cleaned does not stop the others.
public struct RemovedLaneCleanup: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// What happened (or, with a dry run, would happen) to one lane.
    public struct Outcome: Sendable, Encodable, Equatable {
        public enum Action: String, Sendable, Encodable { case deleted, archived, kept }
        public let name: String
        public let action: Action
        /// The archive ref written (`archived`, not in a dry run).
        public let archive: String?
        /// Why, in words.
        public let reason: String
    }

    /// Cleans every removed lane (with `dryRun`, only says what it would do), holding the spur lock.
    public func run(dryRun: Bool) throws -> [Outcome] {
        let store = LaneStore(workspace: workspace)
        let lanes = Lanes(workspace: workspace)
        return try store.withLock {
            let repository = try workspace.openRepository()
            var outcomes: [Outcome] = []
            for lane in try store.all() where !lane.state.isActive && lane.settling != true
                && WorktreePresence.of(lane, workspace: workspace) == .removed {
                do {
                    outcomes.append(try clean(lane, dryRun: dryRun, repository: repository, store: store, lanes: lanes))
                } catch {
                    outcomes.append(Outcome(name: lane.name, action: .kept, archive: nil,
                                            reason: "not cleaned: \(LaneResults.describe(error)); nothing of it was removed"))
                }
            }
            return outcomes
        }
    }

    private func clean(_ lane: Lane, dryRun: Bool, repository: Repository, store: LaneStore, lanes: Lanes) throws -> Outcome {
        // Whatever is still on disk where spur would delete is somebody's: the lane stays.
        if let folder = try LaneWorktree(workspace: workspace, name: lane.name).removableFolder(in: repository, recordedPath: lane.worktree) {
            return Outcome(name: lane.name, action: .kept, archive: nil,
                           reason: "its folder \(folder) still exists; 'spur discard \(lane.name)' archives and removes the lane")
        }
        let empty = try holdsNothing(lane, in: repository)
        let reason = empty ? "its worktree was removed and it held no change"
            : "its worktree was removed; its \(lane.hasResult ? "result" : "branch") is kept ('spur restore \(lane.name)')"
        if dryRun { return Outcome(name: lane.name, action: empty ? .deleted : .archived, archive: nil, reason: reason) }
        if lane.state == .created { LaneWatch.stop(lane: lane.name, workspace: workspace) }
        var archive: String? = nil
        if !empty {
            archive = try LaneArchive(workspace: workspace).keep(lane, record: FileManager.default.contents(atPath: store.path(of: lane.name)))
        }
        try lanes.removeWhatBelongsToLane(lane.name, recordedWorktree: lane.worktree)
        return Outcome(name: lane.name, action: empty ? .deleted : .archived, archive: archive, reason: reason)
    }

    /// True when neither the lane's branch nor its recorded result differs from its base.
    /// Throws when one of them cannot be read (the lane is then kept).
    func holdsNothing(_ lane: Lane, in repository: Repository) throws -> Bool {
        let base = try repository.treeID(ofCommit: lane.base)
        let tips = [try repository.referenceTarget(Lane.branchRef(lane.name)), lane.head].compactMap { $0 }
        return try tips.allSatisfy { try repository.treeID(ofCommit: $0) == base }
    }
}
