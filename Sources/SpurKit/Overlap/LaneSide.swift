import Foundation
import SpurGit

/// Where a lane's current content is: its result commit once the task ended, else its live
/// worktree (the same rule as `LaneInspector.currentTree`).
enum LaneContent: Equatable {
    case result(head: ObjectID)
    case worktree
    case none

    static func of(_ lane: Lane) -> LaneContent {
        if let head = lane.head, !lane.state.isActive, lane.state != .created { return .result(head: head) }
        return FileManager.default.isDirectory(lane.worktree) ? .worktree : .none
    }
}

/// A lane as one side of an overlap: every change it made against its base.
final class LaneSide: OverlapSide {
    let lane: Lane
    let base: BaseTree
    private(set) var changes: [SideChange]
    /// Paths the lane changed (both names of a rename).
    let names: Set<GitPath>
    private var byOldPath: [GitPath: Int] = [:]
    private var byNewPath: [GitPath: Int] = [:]
    /// The lane's worktree scan, for content the object database does not hold yet.
    private let scan: WorktreeScan?
    private var renamesPaired: Bool
    private var worktreeBytes: [GitPath: (id: ObjectID, bytes: [UInt8])] = [:]

    /// How `changes` were found (nil: the lane has neither a result nor a worktree).
    let source: ChangeSource?

    /// Reads the lane's changes: a tree diff for a result; for a live worktree, the paths its
    /// change journal names when `journal` (from `ChangeJournal.trustedPaths`) has them, else
    /// a scan.
    /// `sharedBase` is the lane's base tree when the caller holds it already (lanes spawned from the
    /// same working tree share one, and its folder cache).
    init(lane: Lane, repository: Repository, workspace: Workspace, sharedBase: BaseTree? = nil,
         journal: (paths: [GitPath]?, reason: String) = (nil, "the journal was not asked for")) throws {
        self.lane = lane
        if let sharedBase { base = sharedBase } else { base = try BaseTree(repository: repository, commit: lane.base) }
        switch LaneContent.of(lane) {
        case .result(let head):
            changes = try base.changes(to: repository.treeID(ofCommit: head))
            scan = nil
            renamesPaired = false
            source = .result
        case .worktree:
            let stamp = CheckoutStamp.of(lane, workspace: workspace)
            var scan = try WorktreeScan(lane: lane, workspace: workspace, base: base, stamp: stamp)
            if let paths = journal.paths {
                try scan.scan(journaled: paths)
                if scan.sawSharedFile {
                    scan = try WorktreeScan(lane: lane, workspace: workspace, base: base, stamp: stamp)
                    try scan.scan()
                    source = .scan(because: "a file in the worktree has several names (hard links)")
                } else {
                    source = .journal
                }
            } else {
                try scan.scan()
                source = .scan(because: journal.reason)
            }
            changes = scan.changes
            self.scan = scan
            renamesPaired = false
        case .none:
            changes = []
            scan = nil
            renamesPaired = true
            source = nil
        }
        names = Set(changes.flatMap { [$0.oldPath, $0.newPath] })
        index()
    }

    /// A lane whose worktree exists but cannot be read as one (its git record is damaged):
    /// it changed nothing that can be seen.
    init(unreadable lane: Lane, base: BaseTree) {
        self.lane = lane
        self.base = base
        changes = []
        names = []
        scan = nil
        renamesPaired = true
        source = nil
    }

    /// Paths the lane changed, sorted.
    var changedFiles: [GitPath] { names.sorted() }

    func changed(_ path: GitPath) throws -> Bool { names.contains(path) }

    func fate(ofBasePath path: GitPath) throws -> Fate? {
        guard var position = byOldPath[path] else { return try base.version(at: path).map { Fate(path: path, version: $0) } }
        if changes[position].after == nil && !renamesPaired {
            try pairRenames()
            guard let paired = byOldPath[path] else { return nil }
            position = paired
        }
        let change = changes[position]
        return change.after.map { Fate(path: change.newPath, version: $0) }
    }

    func version(at path: GitPath) throws -> FileVersion? {
        if let position = byNewPath[path] { return changes[position].after }
        if byOldPath[path] != nil { return nil }
        return try base.version(at: path)
    }

    /// The base path of the file the lane renamed to `path`, if it did.
    func renameSource(of path: GitPath) throws -> GitPath? {
        if !renamesPaired { try pairRenames() }
        guard let position = byNewPath[path], changes[position].isRename else { return nil }
        return changes[position].oldPath
    }

    func bytes(of version: FileVersion, at path: GitPath) throws -> [UInt8] {
        guard let scan else { return try base.repository.blob(version.id).bytes }
        // Read (and checked against its id) once, however many other sides it is judged against.
        if let known = worktreeBytes[path], known.id == version.id { return known.bytes }
        let bytes = try scan.repository.workdirBytes(path, expected: version.id, filters: scan.filters)
        worktreeBytes[path] = (version.id, bytes)
        return bytes
    }

    private func index() {
        byOldPath = [:]
        byNewPath = [:]
        for (position, change) in changes.enumerated() {
            if change.before != nil || !change.isRename { byOldPath[change.oldPath] = position }
            if change.after != nil { byNewPath[change.newPath] = position }
        }
    }

    /// Turns deleted + added files into renames where git would see one:
    /// a tree diff with rename detection between two small trees holding only those files.
    private func pairRenames() throws {
        renamesPaired = true
        let deleted = changes.filter { $0.after == nil && $0.before?.mode.isFile == true }
        let added = changes.filter { $0.before == nil && $0.after?.mode.isFile == true }
        guard !deleted.isEmpty, !added.isEmpty else { return }
        let repository = base.repository
        let old = try Index.inMemory(), new = try Index.inMemory()
        for change in deleted { if let before = change.before { try old.add(path: change.oldPath, id: before.id, mode: before.mode) } }
        for change in added {
            guard let after = change.after else { continue }
            // A live worktree's new files are not in the object database yet.
            if try !repository.containsObject(after.id) {
                guard let scan, try scan.repository.writeBlob(fromWorkdirFile: change.newPath) == after.id else { continue }
            }
            try new.add(path: change.newPath, id: after.id, mode: after.mode)
        }
        let renames = try repository.changes(from: old.writeTree(to: repository), to: new.writeTree(to: repository), detectRenames: true)
            .filter { $0.kind == .renamed }
        guard !renames.isEmpty else { return }
        var result = changes
        for rename in renames {
            guard let from = result.firstIndex(where: { $0.oldPath == rename.oldPath && $0.after == nil }),
                  let to = result.firstIndex(where: { $0.newPath == rename.newPath && $0.before == nil }) else { continue }
            result[from] = SideChange(oldPath: rename.oldPath, newPath: rename.newPath, before: result[from].before, after: result[to].after)
            result.remove(at: to)
        }
        changes = result
        index()
    }
}
