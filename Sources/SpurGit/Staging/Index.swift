import CGit2
#if canImport(Glibc)
import Glibc
#endif

/// One entry of an index: a path staged with its blob id, mode and the stat data git uses
/// to tell whether the working-tree file changed without reading it.
public struct IndexEntry: Sendable, Equatable {
    public let path: GitPath
    public let id: ObjectID
    public let mode: FileMode
    public let fileSize: UInt32
    public let mtimeSeconds: Int32
    public let mtimeNanoseconds: UInt32
    public let ctimeSeconds: Int32
    public let ctimeNanoseconds: UInt32
    public let inode: UInt32
    public let device: UInt32
    /// `git add -N`: the path is known, its content not staged yet (never written to a tree).
    public let isIntentToAdd: Bool
    /// `git update-index --assume-unchanged`: git does not look at the working-tree file.
    public let isAssumeUnchanged: Bool
    /// `git update-index --skip-worktree` (sparse checkout): git keeps the entry as it is.
    public let isSkipWorktree: Bool

    init(_ entry: UnsafePointer<git_index_entry>) {
        let e = entry.pointee
        isIntentToAdd = UInt32(e.flags_extended) & GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue != 0
        isAssumeUnchanged = UInt32(e.flags) & GIT_INDEX_ENTRY_VALID.rawValue != 0
        isSkipWorktree = UInt32(e.flags_extended) & GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue != 0
        path = GitPath(cString: e.path)
        id = ObjectID(e.id)
        mode = FileMode(raw: e.mode)
        fileSize = e.file_size
        mtimeSeconds = e.mtime.seconds
        mtimeNanoseconds = e.mtime.nanoseconds
        ctimeSeconds = e.ctime.seconds
        ctimeNanoseconds = e.ctime.nanoseconds
        inode = e.ino
        device = e.dev
    }
}

/// An index (staging area) held in memory. Nothing reaches disk unless `write()` is called,
/// which spur never does on the user's index. Owns its libgit2 handle (freed on deinit),
/// reachable only inside `withPointer`; entry pointers live inside the index, so use them
/// only inside that call too.
public final class Index {
    private let pointer: OpaquePointer
    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_index_free(pointer) }

    /// Calls `body` with the libgit2 handle, kept alive for the whole call.
    func withPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// An empty in-memory index attached to no file.
    public static func inMemory() throws -> Index {
        Libgit2.ensureInitialised()
        var handle: OpaquePointer?
        try check(git_index_new(&handle), "git_index_new")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no index", operation: "git_index_new") }
        return Index(owning: handle)
    }

    public var count: Int { git_index_entrycount(pointer) }

    /// Stages the working tree the way `git add -A` does: every change, addition and deletion
    /// that is not ignored, recognising unchanged files by their stat data. Entries marked
    /// skip-worktree (sparse checkout) are kept as they are, as git keeps them, instead of being
    /// staged as deletions. Returns the untracked folders that are repositories of their own
    /// (paths without a trailing slash): git records those as gitlinks, libgit2 cannot stage them.
    /// Paths in `skipping` are left as they are (the caller stages them).
    public func stageWorkingTree(skipping: Set<GitPath> = []) throws -> [GitPath] {
        final class Context {
            let index: OpaquePointer
            let skipping: Set<GitPath>
            var nestedRepositories: [GitPath] = []
            init(_ index: OpaquePointer, _ skipping: Set<GitPath>) { self.index = index; self.skipping = skipping }
        }
        let context = Context(pointer, skipping)
        let decide: git_index_matched_path_cb = { path, _, payload in
            guard let path, let payload else { return 0 }
            let context = Unmanaged<Context>.fromOpaque(payload).takeUnretainedValue()
            let name = GitPath(cString: path)
            if name.bytes.last == 0x2F {
                context.nestedRepositories.append(GitPath(bytes: name.bytes.dropLast()))
                return 1
            }
            if !context.skipping.isEmpty && context.skipping.contains(name) { return 1 }
            if let entry = git_index_get_bypath(context.index, path, 0),
               UInt32(entry.pointee.flags_extended) & GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue != 0 {
                return 1
            }
            return 0
        }
        try withExtendedLifetime(context) {
            let payload = Unmanaged.passUnretained(context).toOpaque()
            try withStrarray([GitPath]()) { array in
                // add_all also removes entries whose file is gone (it stages every delta of its
                // index-to-workdir diff, deletions included), so no update_all walk after it.
                try check(git_index_add_all(pointer, array, GIT_INDEX_ADD_DEFAULT.rawValue, decide, payload), "git_index_add_all")
            }
        }
        return context.nestedRepositories
    }

    /// Writes the tree objects this index describes into `repository` and returns the root tree id.
    public func writeTree(to repository: Repository) throws -> ObjectID {
        var oid = git_oid()
        try check(repository.withPointer { git_index_write_tree_to(&oid, pointer, $0) }, "git_index_write_tree_to")
        return ObjectID(oid)
    }

    /// Writes the index back to the file it was read from (spur does this only for a lane's own
    /// worktree index, never for the user's).
    public func write() throws {
        try check(git_index_write(pointer), "git_index_write")
    }

    /// Replaces the contents with `tree`.
    public func read(tree: Tree) throws {
        try check(tree.withPointer { git_index_read_tree(pointer, $0) }, "git_index_read_tree")
    }

    /// The stage-0 entry for `path`, or nil.
    public func entry(path: GitPath) -> IndexEntry? {
        guard let entry = path.withCString({ git_index_get_bypath(pointer, $0, 0) }) else { return nil }
        return IndexEntry(entry)
    }

    /// Every entry, in index order.
    public func entries() -> [IndexEntry] {
        (0..<count).compactMap { git_index_get_byindex(pointer, $0).map(IndexEntry.init) }
    }

    /// True when any entry's path ends with `suffix` (e.g. ".gitattributes"), byte for byte.
    public func containsPath(withSuffix suffix: String) -> Bool {
        let suffix = Array(suffix.utf8)
        for i in 0..<count {
            if let entry = git_index_get_byindex(pointer, i), GitPath(cString: entry.pointee.path).bytes.reversed().starts(with: suffix.reversed()) { return true }
        }
        return false
    }

    /// Stages a blob already in the object database under `path` with the stat data of the
    /// working-tree file at `file`, so a later `add_all` takes the entry as up to date (unless
    /// it is racily clean: then libgit2 hashes the file again, as git does).
    public func add(path: GitPath, id: ObjectID, mode: FileMode, statOf file: GitPath) throws {
        var info = stat()
        guard file.withCString({ lstat($0, &info) }) == 0 else { return try add(path: path, id: id, mode: mode) }
        var entry = git_index_entry()
        entry.id = id.raw
        entry.mode = mode.rawValue
        entry.ctime.seconds = Int32(truncatingIfNeeded: info.st_ctim.tv_sec)
        entry.ctime.nanoseconds = UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec)
        entry.mtime.seconds = Int32(truncatingIfNeeded: info.st_mtim.tv_sec)
        entry.mtime.nanoseconds = UInt32(truncatingIfNeeded: info.st_mtim.tv_nsec)
        entry.dev = UInt32(truncatingIfNeeded: info.st_dev)
        entry.ino = UInt32(truncatingIfNeeded: info.st_ino)
        entry.uid = info.st_uid
        entry.gid = info.st_gid
        entry.file_size = UInt32(truncatingIfNeeded: info.st_size)
        try path.withCString { cPath in
            entry.path = cPath
            try check(git_index_add(pointer, &entry), "git_index_add(\(path.display))")
        }
    }

    /// Stages a blob already in the object database under `path`.
    public func add(path: GitPath, id: ObjectID, mode: FileMode) throws {
        var entry = git_index_entry()
        entry.id = id.raw
        entry.mode = mode.rawValue
        try path.withCString { cPath in
            entry.path = cPath
            try check(git_index_add(pointer, &entry), "git_index_add(\(path.display))")
        }
    }

    public func remove(path: GitPath) throws {
        try check(path.withCString { git_index_remove(pointer, $0, 0) }, "git_index_remove(\(path.display))")
    }
}
