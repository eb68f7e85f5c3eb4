import SpurGit

/// A lane's base tree, read lazily: only the folders and paths asked about are loaded.
final class BaseTree {
    let repository: Repository
    let id: ObjectID
    let root: Tree
    private var listings: [GitPath: [GitPath: NamedTreeEntry]] = [:]
    /// Folder trees looked up so far ("" is the root); nil for a path that is no folder.
    private var folders: [GitPath: Tree?] = [:]

    init(repository: Repository, treeID: ObjectID) throws {
        self.repository = repository
        self.id = treeID
        self.root = try repository.tree(treeID)
    }

    convenience init(repository: Repository, commit: ObjectID) throws {
        try self.init(repository: repository, treeID: repository.treeID(ofCommit: commit))
    }

    /// The entry at `path` (a folder has mode `.tree`); the root itself for "". Each folder's
    /// tree is read once (libgit2 does not cache trees between lookups), then searched by name.
    func entry(at path: GitPath) throws -> FileVersion? {
        if path.isEmpty { return FileVersion(id: id, mode: .tree) }
        let (folder, name) = path.parentAndName
        if let listing = listings[folder] { return listing[name].map(FileVersion.init) }
        return try tree(of: folder)?.entry(named: name).map(FileVersion.init)
    }

    /// The tree of the folder `folder`, or nil when the base has no folder there. Walks down
    /// from the root and stops at the first component the base lacks, so a deep path that is
    /// not in the base costs one pass over its bytes (no recursion).
    private func tree(of folder: GitPath) throws -> Tree? {
        if folder.isEmpty { return root }
        if let known = folders[folder] { return known }
        var current = root
        let bytes = folder.bytes
        var end = 0
        while end < bytes.count {
            let start = end == 0 ? 0 : end + 1
            end = bytes[start...].firstIndex(of: 0x2F) ?? bytes.count
            let prefix = GitPath(bytes: bytes[..<end])
            if let known = folders[prefix] {
                guard let known else { return nil }
                current = known
                continue
            }
            guard let entry = current.entry(named: GitPath(bytes: bytes[start..<end])), entry.mode == .tree else {
                // Only the folder asked about is remembered as missing: one entry per question.
                folders[folder] = .some(nil)
                return nil
            }
            current = try repository.tree(entry.id)
            folders[prefix] = .some(current)
        }
        return current
    }

    /// What the base holds at `path` as a file, symlink or submodule; nil for nothing or a folder.
    func version(at path: GitPath) throws -> FileVersion? {
        guard let entry = try entry(at: path), entry.mode != .tree else { return nil }
        return entry
    }

    /// The entries of the folder `folder` ("" for the root) by name; empty when it is no folder.
    func listing(_ folder: GitPath) throws -> [GitPath: NamedTreeEntry] {
        if let cached = listings[folder] { return cached }
        var result: [GitPath: NamedTreeEntry] = [:]
        if let tree = try tree(of: folder) {
            for item in tree.entries() { result[item.name] = item }
        }
        listings[folder] = result
        return result
    }

    /// True when some file, symlink or submodule under `folder` is not in `excluded`. Stops at
    /// the first one, so the cost follows `excluded` and the folder's depth, not its size.
    func containsFile(under folder: GitPath, excluding excluded: Set<GitPath>) throws -> Bool {
        for item in try listing(folder).values {
            let path = folder.appending(item.name)
            if item.mode == .tree {
                if try containsFile(under: path, excluding: excluded) { return true }
            } else if !excluded.contains(path) {
                return true
            }
        }
        return false
    }

    /// Every file, symlink and submodule under `folder`, with its path.
    func files(under folder: GitPath) throws -> [(path: GitPath, version: FileVersion)] {
        var result: [(GitPath, FileVersion)] = []
        for item in try listing(folder).values.sorted(by: { $0.name < $1.name }) {
            let path = folder.appending(item.name)
            if item.mode == .tree { result += try files(under: path) } else { result.append((path, FileVersion(item))) }
        }
        return result
    }
}

extension BaseTree {
    /// Files that differ between the base and `tree` (no rename detection); the cost follows
    /// the changes, not the size of the trees.
    func changes(to tree: ObjectID) throws -> [SideChange] {
        try repository.treeDifferences(from: id, to: tree).map { difference in
            SideChange(oldPath: difference.path, newPath: difference.path,
                       before: difference.old.map(FileVersion.init), after: difference.new.map(FileVersion.init))
        }.sorted { $0.oldPath < $1.oldPath }
    }
}

/// What one side did to one file against its base: modified or re-typed in place
/// (`oldPath == newPath`), added (`before == nil`), deleted (`after == nil`) or renamed.
struct SideChange: Sendable, Equatable {
    let oldPath: GitPath
    let newPath: GitPath
    let before: FileVersion?
    let after: FileVersion?

    var isRename: Bool { oldPath != newPath }
}
