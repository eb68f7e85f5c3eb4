import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a tree object, with its name within that tree.
public struct NamedTreeEntry: Sendable, Equatable {
    public let name: String
    public let id: ObjectID
    public let mode: FileMode
}

extension Tree {
    /// The entries directly in this tree (not recursive), in tree order.
    public func entries() -> [NamedTreeEntry] {
        (0..<git_tree_entrycount(pointer)).compactMap { i in
            guard let entry = git_tree_entry_byindex(pointer, i) else { return nil }
            return NamedTreeEntry(name: String(cString: git_tree_entry_name(entry)), id: ObjectID(git_tree_entry_id(entry)),
                                  mode: FileMode(raw: git_tree_entry_filemode(entry).rawValue))
        }
    }
}

extension Repository {
    /// The blob id the working-tree file at `relativePath` would get if it were staged now:
    /// content filters (eol, attributes) applied, a symlink hashed by its target. Writes nothing.
    ///
    /// With `applyFilters: false` the bytes are hashed as they are, which is only right when no
    /// attribute or autocrlf setting applies to the path, but avoids libgit2's attribute
    /// lookup (which loads the whole index on first use).
    public func hashWorkdirFile(_ relativePath: String, applyFilters: Bool = true) throws -> ObjectID {
        guard let workdir else { throw GitError(code: -1, errorClass: 0, message: "no working tree", operation: "hash '\(relativePath)'") }
        let full = workdir + "/" + relativePath
        var info = stat()
        if lstat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(full, &target, target.count - 1)
            guard length >= 0 else {
                throw GitError(code: -1, errorClass: 0, message: String(cString: strerror(errno)), operation: "readlink '\(relativePath)'")
            }
            return try ObjectID.blobHash(of: target.prefix(length).map { UInt8(bitPattern: $0) })
        }
        var oid = git_oid()
        if applyFilters {
            try check(git_repository_hashfile(&oid, pointer, relativePath, GIT_OBJECT_BLOB, relativePath), "hash '\(relativePath)'")
        } else {
            try check(git_odb_hashfile(&oid, full, GIT_OBJECT_BLOB), "hash '\(relativePath)'")
        }
        return ObjectID(oid)
    }

    /// True when `path` (relative to the working tree; end it with "/" for a folder) matches
    /// an ignore rule, or lies in an ignored folder. Says nothing about whether it is tracked.
    public func isIgnored(_ path: String) throws -> Bool {
        var ignored: Int32 = 0
        try check(git_ignore_path_is_ignored(&ignored, pointer, path), "git_ignore_path_is_ignored(\(path))")
        return ignored != 0
    }

    /// True when the object database holds `id` as far as it knows: a miss does not make
    /// libgit2 re-read the pack folder (that costs a directory scan per miss, and callers ask
    /// about working-tree content that is mostly not stored). Objects this process wrote count.
    public func containsObject(_ id: ObjectID) throws -> Bool {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        var oid = id.raw
        return git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1
    }
}

/// One file-level difference between two trees (a folder is never reported itself).
public struct TreeDifference: Sendable, Equatable {
    public let path: String
    /// nil when the old tree has no file there.
    public let old: NamedTreeEntry?
    /// nil when the new tree has no file there.
    public let new: NamedTreeEntry?
}

extension Repository {
    /// Files that differ between two trees, without rename detection. Unlike libgit2's tree
    /// diff, it never descends into a folder whose tree id is the same on both sides, so the
    /// cost follows the changes rather than the size of the trees.
    public func treeDifferences(from old: ObjectID, to new: ObjectID) throws -> [TreeDifference] {
        var result: [TreeDifference] = []
        try walkDifferences(folder: "", old: old, new: new, into: &result)
        return result
    }

    private func walkDifferences(folder: String, old: ObjectID?, new: ObjectID?, into result: inout [TreeDifference]) throws {
        guard old != new else { return }
        let a = try old.map { try tree($0) }, b = try new.map { try tree($0) }
        func named(_ entry: OpaquePointer) -> NamedTreeEntry {
            NamedTreeEntry(name: String(cString: git_tree_entry_name(entry)), id: ObjectID(git_tree_entry_id(entry)),
                           mode: FileMode(raw: git_tree_entry_filemode(entry).rawValue))
        }
        func compare(_ left: NamedTreeEntry?, _ right: NamedTreeEntry?) throws {
            guard let name = left?.name ?? right?.name else { return }
            let path = folder.isEmpty ? name : folder + "/" + name
            let leftFolder = left?.mode == .tree, rightFolder = right?.mode == .tree
            if leftFolder || rightFolder {
                try walkDifferences(folder: path, old: leftFolder ? left?.id : nil, new: rightFolder ? right?.id : nil, into: &result)
            }
            let leftFile = leftFolder ? nil : left, rightFile = rightFolder ? nil : right
            if leftFile != nil || rightFile != nil { result.append(TreeDifference(path: path, old: leftFile, new: rightFile)) }
        }
        // Entries of the new tree against the old one, by name (binary search in C); only
        // differing entries become Swift values.
        if let b {
            for i in 0..<git_tree_entrycount(b.pointer) {
                guard let entry = git_tree_entry_byindex(b.pointer, i) else { continue }
                let other = a.flatMap { git_tree_entry_byname($0.pointer, git_tree_entry_name(entry)) }
                if let other, git_tree_entry_cmp(other, entry) == 0, git_oid_equal(git_tree_entry_id(other), git_tree_entry_id(entry)) == 1,
                   git_tree_entry_filemode(other) == git_tree_entry_filemode(entry) { continue }
                try compare(other.map(named), named(entry))
            }
        }
        if let a {
            for i in 0..<git_tree_entrycount(a.pointer) {
                guard let entry = git_tree_entry_byindex(a.pointer, i) else { continue }
                if let b, git_tree_entry_byname(b.pointer, git_tree_entry_name(entry)) != nil { continue }
                try compare(named(entry), nil)
            }
        }
    }
}
