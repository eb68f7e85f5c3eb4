import SpurGit

/// A side whose changes can be walked: every file it changed against its base, and the
/// renames among them as git's merge detects them.
protocol ChangedSide: OverlapSide {
    /// Changes in path order; a delete may turn out to be a rename (see `fate(ofBasePath:)`).
    var changes: [SideChange] { get }
    /// The base path of the file the side renamed to `path`, if it did.
    func renameSource(of path: GitPath) throws -> GitPath?
}

extension LaneSide: ChangedSide {}

/// A tree against a base tree as one side of a merge: the snapshot of your working tree when
/// `spur merge` runs, or a lane's result. Its changes cost a tree diff that skips unchanged
/// folders; renames are paired among its deleted and added files only, as git's merge does
/// (similarity 50%, git's default).
final class TreeSide: ChangedSide {
    let base: BaseTree
    let tree: ObjectID
    private(set) var changes: [SideChange]
    private var byOldPath: [GitPath: Int] = [:]
    private var byNewPath: [GitPath: Int] = [:]

    private var renamesPaired = false

    /// Renames are paired when first asked about (a deleted file's fate, an added file's
    /// source): a tree with many new files and no deletions never pays for it.
    init(base: BaseTree, tree: ObjectID) throws {
        self.base = base
        self.tree = tree
        changes = try base.changes(to: tree)
        index()
    }

    private func index() {
        byOldPath = [:]
        byNewPath = [:]
        for (position, change) in changes.enumerated() {
            if change.before != nil { byOldPath[change.oldPath] = position }
            if change.after != nil { byNewPath[change.newPath] = position }
        }
    }

    private func pairRenames() throws {
        guard !renamesPaired else { return }
        renamesPaired = true
        changes = try Self.pairingRenames(changes, in: base.repository)
        index()
    }

    func changed(_ path: GitPath) throws -> Bool { byOldPath[path] != nil || byNewPath[path] != nil }

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

    func bytes(of version: FileVersion, at path: GitPath) throws -> [UInt8] {
        try base.repository.blob(version.id).bytes
    }

    func renameSource(of path: GitPath) throws -> GitPath? {
        try pairRenames()
        guard let position = byNewPath[path], changes[position].isRename else { return nil }
        return changes[position].oldPath
    }

    /// `changes` with each deleted file git would see as renamed joined with its new name: a
    /// tree diff with rename detection between two small trees holding only the deleted and
    /// the added files (every blob is in the object database).
    static func pairingRenames(_ changes: [SideChange], in repository: Repository) throws -> [SideChange] {
        let deleted = changes.filter { $0.after == nil && $0.before?.mode.isFile == true }
        let added = changes.filter { $0.before == nil && $0.after?.mode.isFile == true }
        guard !deleted.isEmpty, !added.isEmpty else { return changes }
        let old = try Index.inMemory(), new = try Index.inMemory()
        for change in deleted { if let before = change.before { try old.add(path: change.oldPath, id: before.id, mode: before.mode) } }
        for change in added { if let after = change.after { try new.add(path: change.newPath, id: after.id, mode: after.mode) } }
        let renames = try repository.changes(from: old.writeTree(to: repository), to: new.writeTree(to: repository), detectRenames: true)
            .filter { $0.kind == .renamed }
        var result = changes
        for rename in renames {
            guard let from = result.firstIndex(where: { $0.oldPath == rename.oldPath && $0.after == nil }),
                  let to = result.firstIndex(where: { $0.newPath == rename.newPath && $0.before == nil }) else { continue }
            result[from] = SideChange(oldPath: rename.oldPath, newPath: rename.newPath, before: result[from].before, after: result[to].after)
            result.remove(at: to)
        }
        return result
    }
}
