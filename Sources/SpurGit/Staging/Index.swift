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
    /// The split index file an in-memory index was built from (`Repository.splitIndex()`):
    /// `write()` replaces it with an unsplit index.
    var diskPath: String?
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

    /// The index file at `path` as it is on disk, not bound to a repository (read-only use).
    public static func open(path: String) throws -> Index {
        var handle: OpaquePointer?
        try check(git_index_open(&handle, path), "git_index_open(\(path))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no index", operation: "git_index_open") }
        return Index(owning: handle)
    }

    public var count: Int { git_index_entrycount(pointer) }

    /// What `stageWorkingTree` left to its caller.
    public struct StagingLeftovers {
        /// Untracked folders that are repositories of their own (no trailing slash): git records
        /// those as gitlinks, libgit2 cannot stage them.
        public var nestedRepositories: [GitPath] = []
        /// New paths outside the sparse-checkout definition, not staged (git refuses them).
        public var outsideSparseCheckout: [GitPath] = []
    }

    /// Stages the working tree the way `git add -A` does: every change, addition and deletion
    /// that is not ignored, recognising unchanged files by their stat data. Entries marked
    /// skip-worktree (sparse checkout) are kept as they are, as git keeps them, instead of being
    /// staged as deletions; so is every tracked path outside `sparse`, and new paths outside it
    /// are left out and returned. Paths in `skipping` are left as they are (the caller stages them).
    /// Which untracked paths are ignored is `ignored`'s answer (git's rules), not libgit2's:
    /// libgit2 is told to ignore nothing, and each untracked path it offers is asked about.
    public func stageWorkingTree(skipping: Set<GitPath> = [], ignored: IgnoredPaths, sparse: SparseCheckout? = nil) throws -> StagingLeftovers {
        final class Context {
            let index: OpaquePointer
            let skipping: Set<GitPath>
            let ignored: IgnoredPaths
            let sparse: SparseCheckout?
            var leftovers = StagingLeftovers()
            init(_ index: OpaquePointer, _ skipping: Set<GitPath>, _ ignored: IgnoredPaths, _ sparse: SparseCheckout?) {
                self.index = index
                self.skipping = skipping
                self.ignored = ignored
                self.sparse = sparse
            }
        }
        let context = Context(pointer, skipping, ignored, sparse)
        let decide: git_index_matched_path_cb = { path, _, payload in
            guard let path, let payload else { return 0 }
            let context = Unmanaged<Context>.fromOpaque(payload).takeUnretainedValue()
            let name = GitPath(cString: path)
            let isFolder = name.bytes.last == 0x2F
            let plain = isFolder ? GitPath(bytes: name.bytes.dropLast()) : name
            let tracked = !isFolder && (0...3).contains(where: { git_index_get_bypath(context.index, path, $0) != nil })
            // Untracked and ignored: git does not look at it at all (not even the sparse rules).
            if !tracked && context.ignored.isIgnored(plain, isFolder: isFolder) { return 1 }
            if let sparse = context.sparse, !sparse.contains(plain) {
                // git add -A keeps a tracked path outside the definition and refuses a new one.
                if !tracked { context.leftovers.outsideSparseCheckout.append(plain) }
                return 1
            }
            if isFolder {
                context.leftovers.nestedRepositories.append(plain)
                return 1
            }
            if !context.skipping.isEmpty && context.skipping.contains(name) { return 1 }
            if let entry = git_index_get_bypath(context.index, path, 0) {
                // Tracked: staged whatever the ignore rules say, unless git keeps it as it is.
                return UInt32(entry.pointee.flags_extended) & GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue != 0 ? 1 : 0
            }
            return 0  // conflicted (stages 1-3) or untracked and not ignored
        }
        try withExtendedLifetime(context) {
            let payload = Unmanaged.passUnretained(context).toOpaque()
            try withStrarray([GitPath]()) { array in
                // add_all also removes entries whose file is gone (it stages every delta of its
                // index-to-workdir diff, deletions included), so no update_all walk after it.
                try check(git_index_add_all(pointer, array, GIT_INDEX_ADD_FORCE.rawValue, decide, payload), "git_index_add_all")
            }
        }
        return context.leftovers
    }

    /// git's reading of a sparse checkout's index (`clear_skip_worktree_from_present_files`,
    /// unless `sparse.expectFilesOutsideOfPatterns`): a stage-0 skip-worktree entry whose path is
    /// present in the working tree (`isPresent`) loses the bit in memory, so it is staged as any
    /// tracked file. Returns the paths that lost it.
    @discardableResult
    public func clearSkipWorktree(where isPresent: (GitPath) -> Bool) throws -> [GitPath] {
        var cleared: [GitPath] = []
        for i in 0..<count {
            guard let current = git_index_get_byindex(pointer, i),
                  UInt32(current.pointee.flags_extended) & GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue != 0,
                  UInt32(current.pointee.flags) & 0x3000 == 0 else { continue }
            let path = GitPath(cString: current.pointee.path)
            guard isPresent(path) else { continue }
            var entry = current.pointee
            entry.flags_extended &= ~UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
            // git_index_add copies the path before it replaces the entry that owns it.
            try check(git_index_add(pointer, &entry), "git_index_add")
            cleared.append(path)
        }
        return cleared
    }

    /// git's racy-git rule, which libgit2 applies only to the nanosecond: every stage-0 entry
    /// modified in or after the whole second `second` (when the index file was written) loses its
    /// mtime in memory, so the next `add_all` re-reads the file instead of trusting stat data
    /// that cannot prove it unchanged. git compares whole seconds here and re-reads such an
    /// entry; without this, libgit2 trusted a same-size edit git sees.
    public func forgetStatOfEntries(modifiedSince second: Int) throws {
        for i in 0..<count {
            guard let current = git_index_get_byindex(pointer, i), Int(current.pointee.mtime.seconds) >= second,
                  current.pointee.mtime.seconds != 0 || current.pointee.mtime.nanoseconds != 0,
                  // Flagged entries are never re-read by git; conflict sides are not stat-checked.
                  UInt32(current.pointee.flags) & (GIT_INDEX_ENTRY_VALID.rawValue | 0x3000) == 0,
                  UInt32(current.pointee.flags_extended) & (GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue | GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue) == 0
            else { continue }
            var entry = current.pointee
            entry.mtime.seconds = 0
            entry.mtime.nanoseconds = 0
            // git_index_add copies the path before it replaces the entry that owns it.
            try check(git_index_add(pointer, &entry), "git_index_add")
        }
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
        guard let diskPath else { return try check(git_index_write(pointer), "git_index_write") }
        // Written beside the split index, then renamed over it: git reads an unsplit index as
        // well (and splits it again on its next write when core.splitIndex asks for it).
        let temporary = diskPath + ".spur-unsplit"
        unlink(temporary)
        var handle: OpaquePointer?
        try check(git_index_open(&handle, temporary), "git_index_open")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no index", operation: "git_index_open") }
        try Index(owning: handle).withPointer { unsplit in
            for i in 0..<count {
                guard let entry = git_index_get_byindex(pointer, i) else { continue }
                try check(git_index_add(unsplit, entry), "git_index_add")
            }
            try check(git_index_write(unsplit), "git_index_write")
        }
        guard rename(temporary, diskPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw GitError(code: -1, errorClass: 0, message: "rename \(temporary): \(reason)", operation: "git_index_write")
        }
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
