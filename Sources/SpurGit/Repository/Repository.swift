import CGit2
#if canImport(Glibc)
import Glibc
#endif

/// An open git repository. Owns its libgit2 handle and frees it once, on deinit; the handle is
/// reachable only inside `withPointer`, which keeps the repository alive.
///
/// Not Sendable: libgit2 handles must stay on one thread at a time. Pass paths and
/// `ObjectID`s between threads and open the repository again there.
public final class Repository {
    private let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_repository_free(pointer) }

    /// Calls `body` with the libgit2 handle, kept alive for the whole call (the only way to reach
    /// it outside this type: Swift may free an object right after its last use).
    func withPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// Opens the repository at `path` exactly (a working tree root or a git directory).
    public init(path: String) throws {
        Libgit2.ensureInitialised()
        var handle: OpaquePointer?
        try check(git_repository_open(&handle, path), "git_repository_open(\(path))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no repository", operation: "git_repository_open") }
        self.pointer = handle
    }

    /// Opens the repository at `path` given as bytes (a folder whose name is not UTF-8).
    public convenience init(path: GitPath) throws {
        Libgit2.ensureInitialised()
        var handle: OpaquePointer?
        try check(path.withCString { git_repository_open(&handle, $0) }, "git_repository_open(\(path.display))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no repository", operation: "git_repository_open") }
        self.init(owning: handle)
    }

    /// Finds the repository that contains `path`, searching parent folders like git does.
    public static func discover(from path: String) throws -> Repository {
        Libgit2.ensureInitialised()
        var handle: OpaquePointer?
        try check(git_repository_open_ext(&handle, path, 0, nil), "git_repository_open_ext(\(path))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no repository", operation: "git_repository_open_ext") }
        return Repository(owning: handle)
    }

    /// Creates a new repository (tests and the demo use this).
    public static func create(at path: String, bare: Bool = false) throws -> Repository {
        Libgit2.ensureInitialised()
        var handle: OpaquePointer?
        try check(git_repository_init(&handle, path, bare ? 1 : 0), "git_repository_init(\(path))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no repository", operation: "git_repository_init") }
        return Repository(owning: handle)
    }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }
    /// True for a linked worktree's repository (not the main working tree).
    public var isLinkedWorktree: Bool { git_repository_is_worktree(pointer) == 1 }

    /// The working tree root, with a trailing slash removed; nil for a bare repository.
    public var workdir: String? {
        guard let path = git_repository_workdir(pointer) else { return nil }
        return trimSlash(String(cString: path))
    }

    /// This working tree's git directory (`.git`, or `.git/worktrees/NAME` for a linked one).
    public var gitDir: String { trimSlash(String(cString: git_repository_path(pointer))) }

    /// The git directory shared by all worktrees of this repository.
    public var commonDir: String { trimSlash(String(cString: git_repository_commondir(pointer))) }

    /// HEAD's commit, or nil when HEAD is unborn (a repository with no commit yet).
    public func headCommitID() throws -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, "HEAD")
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EUNBORNBRANCH.rawValue { return nil }
        try check(result, "resolve HEAD")
        return ObjectID(oid)
    }

    /// The repository's index as loaded from disk. Changes stay in memory unless written.
    /// A split index (`core.splitIndex`), which libgit2 cannot read, is read by spur and loaded
    /// into an in-memory index (`splitIndex()`).
    public func index() throws -> Index {
        var handle: OpaquePointer?
        let result = git_repository_index(&handle, pointer)
        if result < 0 {
            let error = GitError.last(code: result, operation: "git_repository_index")
            if error.message.contains("'link'"), let split = try splitIndex() { return split }
            throw error
        }
        try check(result, "git_repository_index")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no index", operation: "git_repository_index") }
        return Index(owning: handle)
    }

    /// A read-only snapshot of the configuration (all levels merged).
    public func config() throws -> Config {
        var handle: OpaquePointer?
        try check(git_repository_config_snapshot(&handle, pointer), "git_repository_config_snapshot")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no config", operation: "git_repository_config_snapshot") }
        return Config(owning: handle)
    }

    /// Resolves a revision (`HEAD`, a branch, an id, `main~2`) to the commit it names.
    public func commitID(forRevision revision: String) throws -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, revision), "resolve revision '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel '\(revision)' to a commit")
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The tree a commit records.
    public func treeID(ofCommit id: ObjectID) throws -> ObjectID {
        try commit(id).treeID
    }

    public func commit(_ id: ObjectID) throws -> Commit {
        var oid = id.raw
        var handle: OpaquePointer?
        try check(git_commit_lookup(&handle, pointer, &oid), "git_commit_lookup(\(id.short))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no commit", operation: "git_commit_lookup") }
        return Commit(owning: handle)
    }

    public func tree(_ id: ObjectID) throws -> Tree {
        var oid = id.raw
        var handle: OpaquePointer?
        try check(git_tree_lookup(&handle, pointer, &oid), "git_tree_lookup(\(id.short))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no tree", operation: "git_tree_lookup") }
        return Tree(owning: handle)
    }

    public func blob(_ id: ObjectID) throws -> Blob {
        var oid = id.raw
        var handle: OpaquePointer?
        try check(git_blob_lookup(&handle, pointer, &oid), "git_blob_lookup(\(id.short))")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no blob", operation: "git_blob_lookup") }
        return Blob(owning: handle)
    }

    /// Writes `bytes` as a blob and returns its id.
    public func writeBlob(_ bytes: [UInt8]) throws -> ObjectID {
        var oid = git_oid()
        try bytes.withUnsafeBytes { buffer in
            try check(git_blob_create_from_buffer(&oid, pointer, buffer.baseAddress, buffer.count), "git_blob_create_from_buffer")
        }
        return ObjectID(oid)
    }

    /// Hashes a file of the working tree as a blob (applying no filters) and writes it; a
    /// symlink's blob is its target's bytes.
    public func writeBlob(fromWorkdirFile relativePath: GitPath) throws -> ObjectID {
        if let target = try workdirLinkTarget(relativePath) { return try writeBlob(target) }
        var oid = git_oid()
        try check(relativePath.withCString { git_blob_create_from_workdir(&oid, pointer, $0) }, "hash '\(relativePath.display)'")
        return ObjectID(oid)
    }

    /// Creates a commit object (no reference is moved) and returns its id.
    public func createCommit(tree treeID: ObjectID, parents parentIDs: [ObjectID], message: String) throws -> ObjectID {
        let signature = try Signature.default(for: self)
        let tree = try self.tree(treeID)
        let parents = try parentIDs.map { try commit($0) }
        var oid = git_oid()
        try signature.withPointer { signature in
            try tree.withPointer { tree in
                try parents.withPointers { parentPointers in
                    var parentPointers = parentPointers
                    try parentPointers.withUnsafeMutableBufferPointer { buffer in
                        try check(git_commit_create(&oid, pointer, nil, signature, signature, nil, message,
                                                    tree, buffer.count, buffer.baseAddress),
                                  "git_commit_create")
                    }
                }
            }
        }
        return ObjectID(oid)
    }

    func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
