import Foundation
import SpurGit

extension Lanes {
    /// `spur restore`: makes archive `at` (the latest without it) of lane `name` a lane again,
    /// finished: its base ref, its branch `spur/NAME` at the archived result, a fresh worktree
    /// checked out from that result, and its record (the archived one when it can be read).
    /// It merges into the working tree `restore` ran in. Refused (exit 1) while anything of a
    /// lane of that name exists; a name with no archive is a usage error (exit 2). Every step
    /// that fails undoes the steps before it; the archive itself is kept.
    public func restore(_ name: String, at time: String?) throws -> Lane {
        let name = try LaneName(name).value
        return try store.withLock {
            try undoInterruptedSpawns()
            if let damaged = store.damagedRecord(name) {
                throw SpurError("a lane named '\(name)' exists and cannot be read (\(damaged.reason)); not restoring over it")
            }
            if let live = try store.load(name) {
                throw SpurError("a lane named '\(name)' exists (\(live.state.rawValue)); 'spur discard \(name)' it first "
                                + "(it is archived too), then restore")
            }
            let archive = try LaneArchive(workspace: workspace).find(name, at: time)
            guard let result = archive.result, let base = archive.base else {
                throw SpurError("the archive \(archive.ref) holds no commit of lane '\(name)', only its record; nothing to restore")
            }
            let repository = try workspace.openRepository()
            let branch = Lane.branchRef(name)
            if try repository.referenceTarget(branch) != nil {
                throw SpurError("branch spur/\(name) exists; delete it or rename it before restoring lane '\(name)'")
            }
            let worktree = try workspace.worktreeRoot(repository) + "/" + name
            if FileManager.default.fileExists(atPath: worktree) {
                throw SpurError("\(worktree) exists; remove it before restoring lane '\(name)'")
            }
            var undo = Rollback()
            do {
                try SpurReferences.write(Lane.baseRef(name), in: repository) {
                    try repository.setReference(Lane.baseRef(name), to: base, message: "spur: base of restored lane \(name)")
                }
                undo.add { try? repository.deleteReference(Lane.baseRef(name)) }
                try SpurReferences.write(branch, in: repository) {
                    try repository.setReference(branch, to: result, message: "spur: lane \(name) restored from \(archive.ref)",
                                                mustNotExist: true)
                }
                undo.add { try? repository.deleteReference(branch) }
                try FileManager.default.createDirectory(atPath: (worktree as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                undo.add {
                    try? repository.pruneWorktree(name: Lane.worktreeAdminName(name), removeFolder: true)
                    try? FileManager.default.removeItem(atPath: worktree)
                }
                try repository.addWorktree(name: Lane.worktreeAdminName(name), path: worktree, branch: branch,
                                           applyFilters: try needsCheckoutFilters(repository, baseCommit: result))
                try checkOutSubmodules(ofLane: name, worktree: worktree, applyFilters: try needsCheckoutFilters(repository, baseCommit: result))
                let lane = restoredRecord(archive, base: base, result: result, worktree: worktree)
                try store.save(lane)
                return lane
            } catch {
                undo.run()
                if let spurError = error as? SpurError { throw spurError }
                throw SpurError("cannot restore lane '\(name)': \(error)")
            }
        }
    }

    /// The record of a restored lane: the archived one (its description, command, group, times
    /// and check), now finished at the archived result in a new worktree, with no process.
    func restoredRecord(_ archive: ArchivedLane, base: ObjectID, result: ObjectID, worktree: String) -> Lane {
        var lane = archive.lane ?? Lane(name: archive.name, state: .done, description: nil, command: nil, base: base,
                                        branch: Lane.branchRef(archive.name), worktree: worktree, createdAt: archive.archivedAt)
        if ![.done, .failed, .killed].contains(lane.state) { lane.state = .done }
        lane.base = base
        lane.head = result
        lane.branch = Lane.branchRef(archive.name)
        lane.worktree = worktree
        lane.changedFiles = archive.changedFiles
        lane.finishedAt = lane.finishedAt ?? archive.archivedAt
        lane.supervisorPID = nil
        lane.supervisorStartTicks = nil
        lane.taskPID = nil
        lane.stalledSince = nil
        lane.settling = nil
        lane.after = nil
        lane.onFinish = nil
        lane.verdict = nil
        lane.workingTree = workspace.workingTree
        return lane
    }
}
