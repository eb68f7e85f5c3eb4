import CGit2

/// A commit object. Owns its libgit2 handle (freed on deinit), reachable only inside `withPointer`.
public final class Commit {
    fileprivate let pointer: OpaquePointer
    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_commit_free(pointer) }

    /// Calls `body` with the libgit2 handle, kept alive for the whole call (the only way to reach
    /// it outside this type: Swift may free an object right after its last use).
    func withPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    public var id: ObjectID { ObjectID(git_commit_id(pointer)) }
    public var treeID: ObjectID { ObjectID(git_commit_tree_id(pointer)) }
    public var message: String { git_commit_message(pointer).map { String(cString: $0) } ?? "" }
    public var parentIDs: [ObjectID] {
        (0..<git_commit_parentcount(pointer)).compactMap { git_commit_parent_id(pointer, $0).map(ObjectID.init) }
    }
    /// Commit time, seconds since the epoch.
    public var time: Int64 { git_commit_time(pointer) }
}

/// What a tree records for one path.
public struct TreeEntry: Sendable, Equatable {
    public let id: ObjectID
    public let mode: FileMode
    public init(id: ObjectID, mode: FileMode) {
        self.id = id
        self.mode = mode
    }
}

/// A tree object. Owns its libgit2 handle (freed on deinit), reachable only inside `withPointer`;
/// entry pointers libgit2 hands out live inside the tree, so use them only inside that call too.
public final class Tree {
    fileprivate let pointer: OpaquePointer
    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_tree_free(pointer) }

    /// Calls `body` with the libgit2 handle, kept alive for the whole call (the only way to reach
    /// it outside this type: Swift may free an object right after its last use).
    func withPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    public var id: ObjectID { ObjectID(git_tree_id(pointer)) }

    /// The entry at a slash-separated `path`, or nil when the tree has nothing there.
    public func entry(path: GitPath) throws -> TreeEntry? {
        var handle: OpaquePointer?
        let result = path.withCString { git_tree_entry_bypath(&handle, pointer, $0) }
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_tree_entry_bypath(\(path.display))")
        defer { git_tree_entry_free(handle) }
        return TreeEntry(id: ObjectID(git_tree_entry_id(handle)), mode: FileMode(raw: git_tree_entry_filemode(handle).rawValue))
    }

    /// The entry called `name` directly in this tree (a binary search; nothing is allocated).
    public func entry(named name: GitPath) -> TreeEntry? {
        guard let entry = name.withCString({ git_tree_entry_byname(pointer, $0) }) else { return nil }
        return TreeEntry(id: ObjectID(git_tree_entry_id(entry)), mode: FileMode(raw: git_tree_entry_filemode(entry).rawValue))
    }
}

/// A blob object: file content or a symlink's target. Owns its libgit2 handle (freed on
/// deinit), reachable only inside `withPointer`.
public final class Blob {
    private let pointer: OpaquePointer
    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_blob_free(pointer) }

    /// Calls `body` with the libgit2 handle, kept alive for the whole call (the only way to reach
    /// it outside this type: Swift may free an object right after its last use).
    func withPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    public var bytes: [UInt8] {
        let size = Int(git_blob_rawsize(pointer))
        guard size > 0, let raw = git_blob_rawcontent(pointer) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// git's heuristic: a NUL byte or too many non-text bytes in the first 8000.
    public var isBinary: Bool { git_blob_is_binary(pointer) == 1 }
}

extension Tree {
    /// True when any entry anywhere in the tree is called `name` (e.g. ".gitattributes").
    public func containsEntry(named name: GitPath) throws -> Bool {
        final class Search { let name: GitPath; var found = false; init(_ name: GitPath) { self.name = name } }
        let search = Search(name)
        let result = withExtendedLifetime(search) {
            git_tree_walk(pointer, GIT_TREEWALK_PRE, { _, entry, payload in
                guard let payload, let entry else { return 0 }
                let search = Unmanaged<Search>.fromOpaque(payload).takeUnretainedValue()
                if GitPath(cString: git_tree_entry_name(entry)) == search.name { search.found = true; return -1 }
                return 0
            }, Unmanaged.passUnretained(search).toOpaque())
        }
        if result < 0 && !search.found { try check(result, "git_tree_walk") }
        return search.found
    }
}

/// One entry of a tree object, with its name within that tree.
public struct NamedTreeEntry: Sendable, Equatable {
    public let name: GitPath
    public let id: ObjectID
    public let mode: FileMode
}

extension Tree {
    /// The entries directly in this tree (not recursive), in tree order.
    public func entries() -> [NamedTreeEntry] {
        (0..<git_tree_entrycount(pointer)).compactMap { i in
            guard let entry = git_tree_entry_byindex(pointer, i) else { return nil }
            return NamedTreeEntry(name: GitPath(cString: git_tree_entry_name(entry)), id: ObjectID(git_tree_entry_id(entry)),
                                  mode: FileMode(raw: git_tree_entry_filemode(entry).rawValue))
        }
    }
}

extension Array where Element == Commit {
    /// Calls `body` with every commit's handle, all kept alive for the call.
    func withPointers<R>(_ body: ([OpaquePointer?]) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(map { $0.pointer }) }
    }
}

extension Optional where Wrapped == Tree {
    /// Calls `body` with the tree's handle (nil for no tree), kept alive for the call.
    func withPointer<R>(_ body: (OpaquePointer?) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(self?.pointer) }
    }
}
