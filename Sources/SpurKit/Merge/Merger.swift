import Foundation
import SpurGit

/// What `spur merge` is asked to do.
public struct MergeOptions: Sendable {
    /// Report what would happen; write nothing.
    public var dryRun = false
    public var resolution: ConflictResolution = .refuse
    /// Consent to write symbolic links whose target lies outside the repository.
    public var allowOutsideLinks = false
    /// Merge only the lane's files these pathspecs match (from the repository's root, as git
    /// reads pathspecs); each must match a file the lane changed. nil: every file.
    public var paths: [GitPath]? = nil
    /// Write the files that merge cleanly and leave conflicting ones as they are (listed).
    public var skipConflicts = false
    public init(dryRun: Bool = false, resolution: ConflictResolution = .refuse, allowOutsideLinks: Bool = false,
                paths: [GitPath]? = nil, skipConflicts: Bool = false) {
        self.dryRun = dryRun
        self.resolution = resolution
        self.allowOutsideLinks = allowOutsideLinks
        self.paths = paths
        self.skipConflicts = skipConflicts
    }

    /// Pathspecs typed in `cwd` as paths from the root of `workspace`'s working tree, as git
    /// reads them: relative to the current folder, `.` and `..` taken away by their names (a
    /// link in the tree names the link, not where it points), an absolute path inside the tree
    /// allowed. A usage error for one outside the working tree, inside `.git`, or using git's
    /// `:(magic)`, which spur does not read.
    public static func pathspecs(_ arguments: [String], workspace: Workspace, cwd: String) throws -> [GitPath] {
        try pathspecs(arguments.map { Array($0.utf8) }, workspace: workspace, cwd: cwd)
    }

    /// The same for arguments as the exact bytes typed (a name that is not UTF-8 stays exact).
    /// `otherTrees` are roots of trees holding the same paths (the tree spur runs in, the lane's
    /// worktree): run inside one of them, a relative pathspec is read from its root.
    public static func pathspecs(_ arguments: [[UInt8]], workspace: Workspace, cwd: String,
                                 otherTrees: [String] = []) throws -> [GitPath] {
        let slash = UInt8(ascii: "/")
        let root = CanonicalPath.of(workspace.root, relativeTo: "/")
        // The current folder from the root of the innermost tree it is in (a lane's worktree may
        // lie inside yours, under .git); nil when spur runs outside them.
        let here = names(Array(CanonicalPath.of(cwd, relativeTo: "/").utf8))
        let prefix = ([root] + otherTrees.map { CanonicalPath.of($0, relativeTo: "/") })
            .compactMap { fromRoot(here, names(Array($0.utf8))) }.min { $0.count < $1.count }
        return try arguments.map { argument in
            let shown = GitPath(bytes: argument).display
            guard !argument.isEmpty else { throw SpurError.usage("an empty path is not a pathspec; nothing was written") }
            if argument.first == UInt8(ascii: ":") {
                throw SpurError.usage("'\(shown)': git's pathspec magic (':(...)', ':!', ':/') is not supported; name paths plainly; nothing was written")
            }
            let outside = SpurError.usage("'\(shown)' is outside the working tree \(workspace.root); nothing was written")
            let relative: [[UInt8]]
            if argument.first == slash {
                let typed = names(argument)
                // As typed under the root, or with its folder's links resolved (git compares real paths too).
                let folder = "/" + typed.dropLast().map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
                let resolved = names(Array(CanonicalPath.of(folder, relativeTo: "/").utf8)) + typed.suffix(1)
                guard let inside = fromRoot(typed, names(Array(root.utf8))) ?? fromRoot(typed, names(Array(workspace.root.utf8)))
                                   ?? fromRoot(resolved, names(Array(root.utf8))) else { throw outside }
                relative = inside
            } else {
                guard let prefix, let joined = walk(argument, from: prefix) else { throw outside }
                relative = joined
            }
            if relative.isEmpty { return GitPath("*") }
            if relative.first == Array(".git".utf8) {
                throw SpurError.usage("'\(shown)' is inside .git, not a file a lane changes; nothing was written")
            }
            return GitPath(bytes: Array(relative.joined(separator: [slash])))
        }
    }

    /// An absolute path's names with `.` and `..` taken away by name only.
    static func names(_ path: [UInt8]) -> [[UInt8]] {
        walk(path, from: []) ?? []
    }

    /// `start` followed by `path`'s names, `.` and `..` taken by name; nil when `..` climbs above `start`'s first name.
    static func walk(_ path: [UInt8], from start: [[UInt8]]) -> [[UInt8]]? {
        var components = start
        for component in path.split(separator: UInt8(ascii: "/")) where component != [UInt8(ascii: ".")] {
            if component.elementsEqual("..".utf8) {
                guard components.popLast() != nil else { return nil }
            } else {
                components.append(Array(component))
            }
        }
        return components
    }

    /// `path` from `root` (no names for the root itself), or nil when it is not inside.
    static func fromRoot(_ path: [[UInt8]], _ root: [[UInt8]]) -> [[UInt8]]? {
        path.starts(with: root) ? Array(path.dropFirst(root.count)) : nil
    }
}

/// What a merge did (or, with `dryRun`, would do).
public struct MergeReport: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Encodable {
        /// The lane's result is in the working tree (possibly with markers or sides taken).
        case merged
        /// Conflicts; nothing was written.
        case conflicts
    }
    public let lane: String
    public let status: Status
    public let dryRun: Bool
    /// Paths written (or to be written), each with `added`, `modified` or `deleted`.
    public let changes: [PathUpdate]
    /// Every conflict found, with how it was settled (`resolution` nil: not settled).
    public let conflicts: [MergeConflict]
    /// The undo record (`spur undo`), when files were written.
    public let undoID: Int?
    /// The tree the working tree holds after the merge, as a snapshot records it.
    public let resultTree: ObjectID
    /// Snapshot commit of the working tree the merge started from.
    public let ours: ObjectID
    /// Only part of the lane was merged (pathspecs left files out, or conflicting files were
    /// skipped): the lane stays unmerged and `spur merge NAME` merges the rest.
    public var partial = false

    public struct PathUpdate: Sendable, Encodable, Equatable {
        public let path: GitPath
        /// `added`, `modified`, `deleted` or `typechange` (a file becomes a link or back).
        public let change: String
        /// Where the link written at `path` points, when that is outside the repository.
        public let outsideLinkTarget: String?
        public init(path: GitPath, change: String, outsideLinkTarget: String? = nil) {
            self.path = path
            self.change = change
            self.outsideLinkTarget = outsideLinkTarget
        }

        /// The update `transition` makes; `content` is what it writes.
        init(_ transition: FileTransition, content: DiskContent?, root: String) {
            let change: String = switch (transition.from, transition.to) {
            case (.absent, _): "added"
            case (_, .absent): "deleted"
            case (.file, .symlink), (.symlink, .file): "typechange"
            default: "modified"
            }
            var outside: String?
            if case .symlink(let target)? = content, OutsideLink.leavesRepository(target: target, at: transition.path, root: root) {
                outside = String(decoding: target, as: UTF8.self)
            }
            self.init(path: transition.path, change: change, outsideLinkTarget: outside)
        }
    }

    public var writtenPaths: [GitPath] { changes.map(\.path) }
}

/// How an automatic merge (`spawn --on-finish merge`) ended.
public enum MergeOutcome: Sendable, Equatable {
    /// Merged cleanly into the working tree.
    case merged(MergeReport)
    /// Conflicts: nothing was written; the report lists them.
    case conflicted(MergeReport)
    /// Not attempted or failed before writing anything; the reason in words.
    case refused(String)
}

/// Brings a lane's result into the working tree it was spawned from with a three-way merge (base: the lane's
/// snapshot, ours: your working tree now, theirs: the lane's head), without losing your work:
/// conflicts write nothing by default, every write is compare-and-swap and atomic, an undo
/// point is recorded before the first write, and one merge runs at a time per repository.
public struct Merger: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    static let maximumAttempts = 3

    /// Merges only when the merge is clean; never writes a partial result. For the supervisor.
    public func mergeIfClean(laneName: String) -> MergeOutcome {
        do {
            let report = try merge(laneName: laneName, options: MergeOptions())
            return report.status == .merged ? .merged(report) : .conflicted(report)
        } catch let error as SpurError {
            return .refused(error.message)
        } catch {
            return .refused("\(error)")
        }
    }

    /// Merges lane `laneName`. Returns a `conflicts` report (and writes nothing) when the default
    /// resolution meets a conflict. `onWait` is called when another merge holds the lock.
    /// The merge goes into the working tree the lane was spawned from, whichever tree spur was
    /// run in; refused when that tree is gone.
    public func merge(laneName: String, options: MergeOptions, onWait: () -> Void = {}) throws -> MergeReport {
        let target = try workspace.forLane(LaneStore(workspace: workspace).require(laneName))
        return try Merger(workspace: target).mergeIntoThisTree(laneName: laneName, options: options, onWait: onWait)
    }

    private func mergeIntoThisTree(laneName: String, options: MergeOptions, onWait: () -> Void) throws -> MergeReport {
        let log = MergeLog(workspace: workspace)
        if options.dryRun {
            if let pending = try log.pending(), !log.isLocked() {
                throw SpurError(MergeRecovery.describeInterrupted(pending))
            }
            let (lane, head) = try mergeableLane(laneName)
            let repository = try workspace.openRepository()
            let plan = try planner(lane: lane, head: head, options: options, repository: repository).plan()
            return report(lane: lane, plan: plan, options: options, undoID: nil)
        }
        return try log.withLock(onWait: onWait) {
            if let pending = try log.pending() {
                throw SpurError(MergeRecovery.describeInterrupted(pending))
            }
            let (lane, head) = try mergeableLane(laneName)
            let repository = try workspace.openRepository()
            var stale: [GitPath] = []
            for _ in 0..<Self.maximumAttempts {
                let plan = try planner(lane: lane, head: head, options: options, repository: repository).plan()
                if !plan.stalePaths.isEmpty { stale = plan.stalePaths; continue }
                if options.resolution == .refuse && !options.skipConflicts && !plan.conflicts.isEmpty {
                    return report(lane: lane, plan: plan, options: options, undoID: nil)
                }
                if !options.allowOutsideLinks {
                    let outside = report(lane: lane, plan: plan, options: options, undoID: nil).changes.filter { $0.outsideLinkTarget != nil }
                    if !outside.isEmpty {
                        let links = outside.map { "\($0.path.display) -> \($0.outsideLinkTarget ?? "")\($0.change == "typechange" ? " (was a file)" : "")" }
                        let shown = links.prefix(4).joined(separator: ", ") + (links.count > 4 ? ", … (\(links.count) files)" : "")
                        throw SpurError("lane \(lane.name) writes \(outside.count == 1 ? "a link" : "links") pointing outside the repository: "
                                        + "\(shown); nothing was written: look at \(outside.count == 1 ? "it" : "them") "
                                        + "('spur diff \(lane.name)'), then run 'spur merge \(lane.name) --allow-outside-links' to write \(outside.count == 1 ? "it" : "them")")
                    }
                }
                if plan.writes.isEmpty {
                    if !plan.partial { try markMerged(lane.name) }
                    return report(lane: lane, plan: plan, options: options, undoID: nil)
                }
                let record = try beginOrExplain(plan: plan, lane: lane, head: head, log: log, repository: repository)
                var runner = TransitionRunner(files: WorkingTreeFiles(root: workspace.root, tempTag: record.temporaryTag),
                                              repository: repository)
                do {
                    try FaultInjection.point("merge-after-record")
                    let contents = Dictionary(plan.writes.map { ($0.transition.path, $0.content) }, uniquingKeysWith: { $1 })
                    try runner.run(record.transitions, contents: contents, removeEmptiedFolders: true)
                } catch {
                    runner.files.removeTemporaries(near: record.paths)
                    let unrestored = runner.rollBack(foldersToRemove: record.createdFolders)
                    guard unrestored.isEmpty else {
                        throw SpurError("the merge of lane \(lane.name) stopped (\(error)) and \(describePaths(unrestored)) changed again while spur put it back; "
                                        + "run 'spur undo' to restore the other files, or 'spur merge --continue' to finish")
                    }
                    try log.discard(record, in: repository)
                    if let race = error as? WriteRace { stale = [race.path]; continue }
                    throw error
                }
                try finishWritten(record, log: log)
                return report(lane: lane, plan: plan, options: options, undoID: record.id)
            }
            throw SpurError("\(describePaths(stale)) kept changing while spur merged lane \(laneName); nothing was changed, run 'spur merge \(laneName)' again")
        }
    }

    /// The lane and its result, or a refusal saying why it cannot be merged now.
    func mergeableLane(_ name: String) throws -> (Lane, ObjectID) {
        let lane = try LaneStore(workspace: workspace).require(name)
        switch lane.state {
        case .running, .queued:
            throw SpurError("lane \(name) is \(lane.state.rawValue); wait for it to end or stop it ('spur stop \(name)') before merging")
        case .merged:
            throw SpurError("lane \(name) is already merged ('spur undo' takes the last merge back)")
        default: break
        }
        guard let head = lane.head else {
            if let removed = RemovedWorktreeWording.noResult(lane, workspace: workspace) { throw SpurError(removed) }
            throw SpurError("lane \(name) has no result yet; run 'spur finish \(name)' to record its worktree as the result, then merge")
        }
        // The record is a file a task can write: merge only what the lane's own refs hold.
        let repository = try workspace.openRepository()
        let branch = try repository.referenceTarget(Lane.branchRef(name))
        let base = try repository.referenceTarget(Lane.baseRef(name))
        guard branch == head, base == lane.base else {
            throw SpurError("lane \(name)'s record does not match its refs (result \(head.hex.prefix(12)), spur/\(name) at "
                            + "\(branch.map { String($0.hex.prefix(12)) } ?? "nothing")); not merging a result the lane's branch does not hold")
        }
        return (lane, head)
    }

    func planner(lane: Lane, head: ObjectID, options: MergeOptions, repository: Repository) -> MergePlanner {
        MergePlanner(repository: repository, workspace: workspace, lane: lane, head: head, resolution: options.resolution,
                     files: WorkingTreeFiles(root: workspace.root), pathspecs: options.paths, skipConflicts: options.skipConflicts)
    }

    /// `begin`; when recording fails (a full disk) nothing was written: takes back what was
    /// recorded and says so.
    func beginOrExplain(plan: MergePlan, lane: Lane, head: ObjectID, log: MergeLog, repository: Repository) throws -> MergeRecord {
        let id = log.nextID()
        do {
            return try begin(plan: plan, lane: lane, head: head, log: log, repository: repository)
        } catch {
            log.clearPending()
            unlink(log.path(of: id))
            try? repository.deleteReference(MergeLog.beforeRef(id))
            try? repository.deleteReference(MergeLog.afterRef(id))
            throw SpurError("cannot record the undo point of merging lane \(lane.name) (\(error)); nothing was written, make room and merge again")
        }
    }

    /// Records the undo point (contents before and after, the record, the pending marker)
    /// before the first file is touched.
    func begin(plan: MergePlan, lane: Lane, head: ObjectID, log: MergeLog, repository: Repository) throws -> MergeRecord {
        let id = log.nextID()
        let result = try repository.createCommit(tree: plan.resultTree, parents: [plan.ours.commit, head],
                                                 message: "spur: lane \(lane.name) merged into the working tree\n")
        let before = try MergeLog.store(plan.writes.map { ($0.transition.path, $0.transition.from, $0.beforeBytes) },
                                        parents: [plan.ours.commit], message: "spur: undo point of merge \(id)\n", in: repository)
        let after = try MergeLog.store(plan.writes.map { write in
            let bytes: [UInt8]? = switch write.content {
            case .absent, .folder: nil
            case .file(let bytes, _): bytes
            case .symlink(let target): target
            }
            return (write.transition.path, write.transition.to, bytes)
        }, parents: [result], message: "spur: files written by merge \(id)\n", in: repository)
        // Under the merge lock: a lock file on these refs was left by a spur killed mid-write.
        try SpurReferences.write(MergeLog.beforeRef(id), in: repository) {
            try repository.setReference(MergeLog.beforeRef(id), to: before, message: "spur: undo point of merge \(id)")
        }
        try SpurReferences.write(MergeLog.afterRef(id), in: repository) {
            try repository.setReference(MergeLog.afterRef(id), to: after, message: "spur: result of merge \(id)")
        }
        let record = MergeRecord(id: id, lane: lane.name, laneStateBefore: lane.state, ours: plan.ours.commit, result: result,
                                 before: before, after: after, transitions: plan.writes.map(\.transition),
                                 createdFolders: plan.createdFolders, unresolved: plan.unresolved.map(\.path),
                                 status: .writing, createdAt: Date(), workingTree: workspace.workingTree,
                                 partial: plan.partial ? true : nil)
        try FaultInjection.point("merge-before-record")
        try log.save(record)
        try log.setPending(id)
        return record
    }

    /// `finish` once every file is written. When that fails (a full disk) the files are in place
    /// and the merge is still pending: says so, and how to finish.
    func finishWritten(_ record: MergeRecord, log: MergeLog) throws {
        do { try finish(record, log: log) } catch {
            let count = record.transitions.count
            throw SpurError("merge \(record.id) of lane \(record.lane) wrote all \(count) file\(count == 1 ? "" : "s") but could not record that it finished "
                            + "(\(error)); make room, then run 'spur merge --continue' to finish it ('spur undo' takes it back)")
        }
    }

    /// Marks the lane merged and the record applied, and clears the pending marker.
    func finish(_ record: MergeRecord, log: MergeLog) throws {
        try FaultInjection.point("merge-before-finish")
        if record.partial != true { try markMerged(record.lane) }
        var applied = record
        applied.status = .applied
        applied.finishedAt = Date()
        try log.save(applied)
        log.clearPending()
    }

    func markMerged(_ name: String) throws {
        guard try LaneStore(workspace: workspace).load(name) != nil else { return }
        try LaneStore(workspace: workspace).update(name) { lane in
            lane.state = .merged
            lane.reason = nil
        }
    }

    func report(lane: Lane, plan: MergePlan, options: MergeOptions, undoID: Int?) -> MergeReport {
        let blocked = options.resolution == .refuse && !options.skipConflicts && !plan.conflicts.isEmpty
        let changes = blocked ? [] : plan.writes.map { write in
            MergeReport.PathUpdate(write.transition, content: write.content, root: workspace.root)
        }.sorted { $0.path < $1.path }
        return MergeReport(lane: lane.name, status: blocked ? .conflicts : .merged, dryRun: options.dryRun, changes: changes,
                           conflicts: plan.conflicts, undoID: undoID, resultTree: plan.resultTree, ours: plan.ours.commit,
                           partial: plan.partial)
    }
}
