import Foundation
import SpurGit

/// Notices merges and undos that were interrupted (the process died between files) and
/// finishes them. A merge records its undo point and a pending marker before touching the first
/// file, and every file is replaced atomically, so each path is either as before or as after.
public enum MergeRecovery {
    /// One line for the user when a merge or undo was interrupted, nil otherwise. Commands call
    /// this at start; when nothing is pending it costs one failed file read.
    public static func notice(for workspace: Workspace) -> String? {
        let log = MergeLog(workspace: workspace)
        guard let record = try? log.pending(), !log.isLocked() else { return nil }
        return describeInterrupted(record)
    }

    static func describeInterrupted(_ record: MergeRecord) -> String {
        switch record.status {
        case .undoing:
            return "undoing merge \(record.id) (lane \(record.lane)) was interrupted; run 'spur undo' to finish restoring your files"
        default:
            return "merge \(record.id) of lane \(record.lane) was interrupted (\(record.transitions.count) files planned); "
                + "run 'spur merge --continue' to finish it or 'spur undo' to roll it back"
        }
    }

    /// Finishes an interrupted merge: writes the paths still in their old state. Refuses, naming
    /// them, when paths hold neither the old nor the new content (changed since the crash).
    public static func continueMerge(in workspace: Workspace, onWait: () -> Void = {}) throws -> MergeReport {
        let log = MergeLog(workspace: workspace)
        return try log.withLock(onWait: onWait) {
            guard let record = try log.pending() else { throw SpurError("no interrupted merge to continue") }
            guard record.status == .writing else { throw SpurError(describeInterrupted(record)) }
            let target = try workspace.on(record.workingTree, what: "merge \(record.id) wrote into")
            let repository = try target.openRepository()
            let files = WorkingTreeFiles(root: target.root, tempTag: record.temporaryTag)
            let progress = try TransitionProgress(record.transitions, createdFolders: record.createdFolders, files: files)
            if !progress.changed.isEmpty {
                throw SpurError("cannot continue merge \(record.id): \(describePaths(progress.changedPaths)) changed since it was interrupted; "
                                + "'spur undo' rolls back the rest of it")
            }
            var runner = TransitionRunner(files: files, repository: repository)
            do {
                try runner.run(progress.pending, removeEmptiedFolders: true)
            } catch let race as WriteRace {
                throw SpurError("\(race.path) changed while spur finished merge \(record.id); run 'spur merge --continue' again or 'spur undo'")
            }
            files.removeTemporaries(near: record.paths)
            try Merger(workspace: target).finishWritten(record, log: log)
            let result = try repository.commit(record.result)
            return MergeReport(lane: record.lane, status: .merged, dryRun: false,
                               changes: try record.transitions.map {
                                   MergeReport.PathUpdate($0, content: try? DiskContent.load($0.to, from: repository), root: target.root)
                               }.sorted { $0.path < $1.path },
                               conflicts: [], undoID: record.id, resultTree: result.treeID, ours: record.ours,
                               partial: record.partial == true)
        }
    }
}

/// What `spur undo` restored.
public struct UndoReport: Sendable, Encodable, Equatable {
    public let id: Int
    public let lane: String
    /// Paths put back to their state before the merge.
    public let restored: [GitPath]
    /// With --force: the commit holding the versions undo replaced (your edits after the merge).
    public let displaced: ObjectID?
}

/// Takes merges back, newest first: restores each written path to its exact bytes, mode and
/// existence before the merge. Refuses, naming them, when you changed such a path after the
/// merge, unless forced (then your later versions are kept in a commit under refs/spur/).
public struct MergeUndo: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Records that can still be undone (applied or interrupted), newest first.
    public func undoable() throws -> [MergeRecord] {
        try MergeLog(workspace: workspace).all().filter { $0.status != .undone }.reversed()
    }

    /// Undoes the last merge, or merge `id` when given: an older one only while no later merge
    /// not undone wrote one of its paths (that one is to be undone first), and none is pending.
    public func undo(force: Bool, id: Int? = nil, onWait: () -> Void = {}) throws -> UndoReport {
        let log = MergeLog(workspace: workspace)
        return try log.withLock(onWait: onWait) {
            guard var record = try id.map({ try chosen($0, log: log) }) ?? log.pending() ?? log.latestUndoable() else {
                throw SpurError("no merge to undo")
            }
            let target = try workspace.on(record.workingTree, what: "merge \(record.id) wrote into")
            let repository = try target.openRepository()
            let files = WorkingTreeFiles(root: target.root, tempTag: "undo-\(record.id)")
            let progress = try TransitionProgress(record.transitions, createdFolders: record.createdFolders, files: files)
            var toRestore = progress.completed.map(\.reversed)
            var displaced: ObjectID?
            if !progress.changed.isEmpty {
                guard force else {
                    throw SpurError("you changed \(describePaths(progress.changedPaths)) after merge \(record.id) of lane \(record.lane); "
                                    + "'spur undo --force' restores them anyway (your versions are kept in a commit)")
                }
                let kept = try MergeLog.store(progress.changed.map { ($0.transition.path, $0.current, $0.bytes) },
                                              parents: [record.after], message: "spur: your versions replaced by undoing merge \(record.id)\n",
                                              in: repository)
                try SpurReferences.write(MergeLog.displacedRef(record.id), in: repository) {
                    try repository.setReference(MergeLog.displacedRef(record.id), to: kept, message: "spur: undo --force of merge \(record.id)")
                }
                displaced = kept
                for (transition, current, _) in progress.changed {
                    guard current != .directory, current != .special else {
                        throw SpurError("\(transition.path) is now a folder or special file; move it away, then run 'spur undo' again")
                    }
                    toRestore.append(FileTransition(path: transition.path, from: current, to: transition.from))
                }
            }
            record.status = .undoing
            try log.save(record)
            try log.setPending(record.id)
            // Temporaries an interrupted merge (or undo) left go first, so the folders the
            // merge made are empty when the runner removes them.
            files.removeTemporaries(near: record.paths)
            WorkingTreeFiles(root: target.root, tempTag: record.temporaryTag).removeTemporaries(near: record.paths)
            var runner = TransitionRunner(files: files, repository: repository)
            do {
                try runner.run(toRestore, removeEmptiedFolders: false, foldersToRemove: record.createdFolders)
            } catch let race as WriteRace {
                throw SpurError("\(race.path) changed while spur restored it; run 'spur undo' again")
            }
            let store = LaneStore(workspace: target)
            if let lane = try store.load(record.lane), lane.state == .merged {
                try store.update(record.lane) { $0.state = record.laneStateBefore == .merged ? .done : record.laneStateBefore }
            }
            record.status = .undone
            record.finishedAt = Date()
            record.displaced = displaced
            try log.save(record)
            log.clearPending()
            return UndoReport(id: record.id, lane: record.lane, restored: toRestore.map(\.path).sorted(), displaced: displaced)
        }
    }

    /// Merge `id`, checked to be undoable on its own.
    func chosen(_ id: Int, log: MergeLog) throws -> MergeRecord {
        if let pending = try log.pending(), pending.id != id {
            throw SpurError("merge \(pending.id) was interrupted; finish it with 'spur merge --continue' or take it back with 'spur undo' first")
        }
        guard let record = try log.load(id), record.status != .undone else {
            throw SpurError.usage("there is no merge \(id) to undo (see 'spur undo --list')")
        }
        let paths = Set(record.paths)
        for later in try log.all() where later.id > id && later.status != .undone {
            if let shared = later.paths.first(where: paths.contains) {
                throw SpurError("merge \(later.id) of lane \(later.lane) wrote \(shared.display) after merge \(id); undo it first")
            }
        }
        return record
    }
}
