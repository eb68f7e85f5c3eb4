import Foundation
import SpurGit

/// Creates and removes lanes. Every step that fails undoes the steps before it, so no stray
/// branch, ref, worktree folder or lane record is left behind.
public struct Lanes: Sendable {
    public let workspace: Workspace
    public let store: LaneStore

    public init(workspace: Workspace) {
        self.workspace = workspace
        self.store = LaneStore(workspace: workspace)
    }

    /// Makes the base commit, the branch `spur/NAME` and the worktree, and records the lane as
    /// `created`. Holds the spur lock throughout, so concurrent spawns get distinct lanes.
    public func create(_ request: SpawnRequest, baseCommit presetBase: ObjectID? = nil) throws -> Lane {
        let name = try LaneName(request.name).value
        // A bad spur.maxRunning is refused before anything is made.
        let slotLimit = request.takesSlot ? try RunningSlots(workspace: workspace).limit() : nil
        return try store.withLock {
            try undoInterruptedSpawns()
            let queued = try store.load(name).flatMap { $0.state == .queued && presetBase != nil ? $0 : nil }
            if queued == nil, let existing = try store.load(name) {
                throw SpurError.usage("a lane named '\(name)' already exists (\(existing.state.rawValue)); pick another name or 'spur discard \(name)'")
            }
            let repository = try workspace.openRepository()
            let branch = Lane.branchRef(name)
            if try repository.referenceTarget(branch) != nil {
                throw SpurError.usage("branch spur/\(name) already exists; delete it or pick another name")
            }
            let worktree = try workspace.worktreeRoot(repository) + "/" + name
            if FileManager.default.fileExists(atPath: worktree) {
                throw SpurError.usage("\(worktree) already exists; remove it or pick another name")
            }
            // `.worktreeinclude` is checked before anything is made: a bad pattern refuses the spawn.
            let included = try IncludedFiles.plan(workspace: workspace, repository: repository)
            let base = try presetBase ?? baseCommit(for: request, in: repository)
            var undo = Rollback()
            do {
                try store.saveIntent(.init(name: name, base: base.hex, worktree: worktree))
                undo.add { try? store.removeIntent(name) }
                // A ref lock found here was left by a spur killed mid-write: this one holds the spur lock.
                try SpurReferences.write(Lane.baseRef(name), in: repository) {
                    try repository.setReference(Lane.baseRef(name), to: base, message: "spur: base of lane \(name)")
                }
                undo.add { try? repository.deleteReference(Lane.baseRef(name)) }
                try SpurReferences.write(branch, in: repository) {
                    try repository.setReference(branch, to: base, message: "spur: lane \(name)", mustNotExist: true)
                }
                undo.add { try? repository.deleteReference(branch) }
                try FileManager.default.createDirectory(atPath: (worktree as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                undo.add {
                    try? repository.pruneWorktree(name: Lane.worktreeAdminName(name), removeFolder: true)
                    try? FileManager.default.removeItem(atPath: worktree)
                }
                try FaultInjection.point("spawn-before-worktree")
                try repository.addWorktree(name: Lane.worktreeAdminName(name), path: worktree, branch: branch,
                                           applyFilters: try needsCheckoutFilters(repository, baseCommit: base))
                // Lets overlap detection tell untouched files by their ctime (optional: without it, it hashes more).
                try? CheckoutStamp.record(forLane: name, base: base, workspace: workspace)
                try checkOutSubmodules(ofLane: name, worktree: worktree, applyFilters: try needsCheckoutFilters(repository, baseCommit: base))
                let includedSummary = try included?.copy(intoLane: worktree)
                try FaultInjection.point("spawn-after-worktree")
                var lane = Lane(name: name, state: .created, description: request.description, command: request.command,
                                base: base, branch: branch, worktree: worktree, createdAt: Date())
                request.apply(to: &lane)
                lane.workingTree = workspace.workingTree
                if slotLimit != nil {
                    // Its worktree holds the snapshot of now; its supervisor waits for a slot.
                    lane.state = .queued
                    lane.queuedFor = .slot
                }
                lane.included = includedSummary
                if var queued {
                    // A queued lane keeps its record; it now has a base, a branch and a worktree.
                    queued.base = base
                    queued.worktree = worktree
                    // From now on it has a worktree; it waits for a slot before its task starts.
                    queued.queuedFor = .slot
                    queued.included = includedSummary
                    // It stays queued until its supervisor starts the task, so `wait` does not
                    // mistake the moment between for an end.
                    lane = queued
                }
                lane = try saveHoldingPortBlock(lane, in: repository)
                try? store.removeIntent(name)
                return lane
            } catch {
                undo.run()
                if let spurError = error as? SpurError { throw spurError }
                throw SpurError("cannot create lane '\(name)': \(error)")
            }
        }
    }

    /// Removes what spawns killed halfway (a crash, SIGKILL) created: their base ref, their branch
    /// while it still points at the base, git's worktree record and the worktree folder. Called
    /// holding the lock, when no spawn is running; a spawn that got as far as saving its lane
    /// record finished (a queued lane: saved it as created), and only its intent is removed.
    /// A ref lock such a spawn left (killed while writing its branch or base) is removed too.
    @discardableResult
    func undoInterruptedSpawns() throws -> [String] {
        var undone: [String] = []
        for intent in store.leftoverIntents() {
            let name = intent.name
            // A queued lane's record predates its spawn: what the spawn made is still to undo. A
            // damaged record was saved whole (records are renamed into place): that spawn finished.
            let record = try? store.load(name)
            let saved = record != nil || FileManager.default.fileExists(atPath: store.path(of: name))
            if !saved || record?.state == .queued {
                let repository = try workspace.openRepository()
                try SpurReferences.removeStaleLocks([Lane.branchRef(name), Lane.baseRef(name)], in: repository)
                // The intent's path is not trusted: only the lane's folder in the lanes folder goes.
                let folder = try? LaneWorktree(workspace: workspace, name: name)
                    .removableFolder(in: repository, recordedPath: intent.worktree)
                try repository.pruneWorktree(name: Lane.worktreeAdminName(name), removeFolder: false)
                if let folder { try FileManager.default.removeItem(atPath: folder) }
                if let base = ObjectID(hex: intent.base), try repository.referenceTarget(Lane.branchRef(name)) == base {
                    try repository.deleteReference(Lane.branchRef(name))
                }
                try repository.deleteReference(Lane.baseRef(name))
                undone.append(name)
            }
            try store.removeIntent(name)
        }
        return undone
    }

    /// The commit a new lane starts from.
    func baseCommit(for request: SpawnRequest, in repository: Repository) throws -> ObjectID {
        switch request.base {
        case .worktree:
            let message = "spur snapshot for lane \(request.name)\n\nThe working tree of \(workspace.root) as it was when the lane was spawned.\n"
            return try Snapshot.take(workdir: workspace.root, message: message).commit
        case .head:
            guard let head = try repository.headCommitID() else {
                throw SpurError.usage("the repository has no commit yet, so there is no HEAD to start from (use --base worktree)")
            }
            return head
        case .revision(let revision):
            do { return try repository.commitID(forRevision: revision) } catch let error as GitError {
                throw SpurError.usage("cannot use '\(revision)' as a base: \(error.message)")
            }
        }
    }

    /// Checkout filters (eol conversion, smudge filters, LFS) only matter when the repository has
    /// attributes or autocrlf; skipping them avoids an attribute lookup per file.
    func needsCheckoutFilters(_ repository: Repository, baseCommit: ObjectID) throws -> Bool {
        let config = try repository.config()
        if let autocrlf = try? config.string("core.autocrlf"), autocrlf.lowercased() != "false" { return true }
        if try config.string("core.attributesFile") != nil { return true }
        if FileManager.default.fileExists(atPath: workspace.commonDir + "/info/attributes") { return true }
        let home = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"]
            ?? (ProcessInfo.processInfo.environment["HOME"].map { $0 + "/.config" } ?? "")
        if !home.isEmpty, FileManager.default.fileExists(atPath: home + "/git/attributes") { return true }
        return try repository.tree(repository.treeID(ofCommit: baseCommit)).containsEntry(named: ".gitattributes")
    }

    /// Archives the lane (`LaneArchive`), then removes its worktree, branch, refs, log and record.
    /// Without `force` it refuses when the lane holds changes that were never merged, naming the
    /// files that would be lost.
    public func discard(_ name: String, force: Bool) throws {
        // A task still running (or queued) is ended first, outside the lock its supervisor needs
        // to record the end: left alive, it would later write into whatever lane has this name.
        if force, let lane = try? store.load(name), lane.state.isActive {
            _ = try Supervision(workspace: workspace).stop(name)
        }
        try store.withLock {
            // What a spawn of this name killed halfway left is removed like any leftover.
            let interrupted = try undoInterruptedSpawns()
            if let damaged = store.damagedRecord(name) { return try discardDamaged(damaged, force: force) }
            if interrupted.contains(name), try store.load(name) == nil { return }
            let lane = try store.require(name)
            if !force {
                // A queued lane ran nothing: it goes without a stop (its supervisor ends when it sees).
                if lane.state.isActive && lane.state != .queued {
                    throw SpurError("lane '\(name)' is \(lane.state.rawValue); stop it first ('spur stop \(name)') or use --force")
                }
                // A lane whose worktree was removed loses nothing more here: the archive keeps its branch.
                if lane.state != .merged && WorktreePresence.of(lane, workspace: workspace) != .removed {
                    let unmerged: [GitPath]
                    do {
                        unmerged = try LaneInspector(workspace: workspace).currentChanges(of: lane)
                    } catch let tampered as LaneWorktree.Tampered {
                        throw SpurError("cannot tell what lane '\(name)' holds (\(tampered)); its files are kept in \(lane.worktree)")
                    }
                    if !unmerged.isEmpty {
                        let shown = unmerged.prefix(10).map(\.display).joined(separator: ", ") + (unmerged.count > 10 ? ", … (\(unmerged.count) files)" : "")
                        throw SpurError("lane '\(name)' holds changes that were never merged: \(shown); 'spur discard --force \(name)' discards the lane (an archive keeps them: 'spur restore \(name)')")
                    }
                }
            }
            if lane.state == .created { LaneWatch.stop(lane: name, workspace: workspace) }
            // Nothing is deleted before the lane's final state and record are archived.
            try LaneArchive(workspace: workspace).keep(lane, record: FileManager.default.contents(atPath: store.path(of: name)))
            // The record's worktree and branch are not trusted (a task can write the record).
            try removeWhatBelongsToLane(name, recordedWorktree: lane.worktree)
        }
    }

    /// Removes lane `name`'s worktree (only the folder git registered in the lanes folder; see
    /// `LaneWorktree.removableFolder`), git's record of it, its own branch `spur/NAME`, its refs
    /// and its record. Nothing else is taken from the lane's record.
    func removeWhatBelongsToLane(_ name: String, recordedWorktree: String?) throws {
        let repository = try workspace.openRepository()
        let folder = try LaneWorktree(workspace: workspace, name: name)
            .removableFolder(in: repository, recordedPath: recordedWorktree)
        try repository.pruneWorktree(name: Lane.worktreeAdminName(name), removeFolder: false)
        if let folder { try FileManager.default.removeItem(atPath: folder) }
        let branch = Lane.branchRef(name)
        try SpurReferences.write(branch, in: repository) { try repository.deleteReference(branch) }
        for ref in try repository.referenceNames(matching: Lane.refsGlob(name)) {
            try SpurReferences.write(ref, in: repository) { try repository.deleteReference(ref) }
        }
        try store.remove(name)
        releasePortBlock(of: name)
    }
}

extension Lanes {
    /// Removes a lane whose record cannot be read, by its name alone: git's worktree record
    /// `spur-NAME` with its folder, the branch `spur/NAME`, the refs under
    /// `refs/spur/lanes/NAME/` and the record. Nothing is taken from the damaged record. Called
    /// holding the spur lock. A task still running in it cannot be found (its process is in the
    /// record); its supervisor ends when it next reads the record.
    func discardDamaged(_ damaged: DamagedLaneRecord, force: Bool) throws {
        let name = damaged.name
        guard force else {
            throw SpurError("lane '\(name)' cannot be read: \(damaged.reason); 'spur discard --force \(name)' removes its worktree, "
                            + "its branch spur/\(name) and its record")
        }
        LaneWatch.stop(lane: name, workspace: workspace)
        // What can still be read of it is archived first; what cannot does not stop the discard.
        try LaneArchive(workspace: workspace).keepDamaged(name, recordPath: store.path(of: name))
        // git's record of the worktree is a file a task can write too: only the lane's folder goes.
        try removeWhatBelongsToLane(name, recordedWorktree: nil)
    }
}

/// Undo steps collected while building something; run in reverse when a later step fails.
struct Rollback {
    private var steps: [() -> Void] = []
    mutating func add(_ step: @escaping () -> Void) { steps.append(step) }
    func run() { steps.reversed().forEach { $0() } }
}
