import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file-level difference between two trees (a folder is never reported itself).
public struct TreeDifference: Sendable, Equatable {
    public let path: GitPath
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
        try walkDifferences(folder: .root, old: old, new: new, into: &result)
        return result
    }

    private func walkDifferences(folder: GitPath, old: ObjectID?, new: ObjectID?, into result: inout [TreeDifference]) throws {
        guard old != new else { return }
        let a = try old.map { try tree($0) }, b = try new.map { try tree($0) }
        func named(_ entry: OpaquePointer) -> NamedTreeEntry {
            NamedTreeEntry(name: GitPath(cString: git_tree_entry_name(entry)), id: ObjectID(git_tree_entry_id(entry)),
                           mode: FileMode(raw: git_tree_entry_filemode(entry).rawValue))
        }
        func compare(_ left: NamedTreeEntry?, _ right: NamedTreeEntry?) throws {
            guard let name = left?.name ?? right?.name else { return }
            let path = folder.appending(name)
            let leftFolder = left?.mode == .tree, rightFolder = right?.mode == .tree
            if leftFolder || rightFolder {
                try walkDifferences(folder: path, old: leftFolder ? left?.id : nil, new: rightFolder ? right?.id : nil, into: &result)
            }
            let leftFile = leftFolder ? nil : left, rightFile = rightFolder ? nil : right
            if leftFile != nil || rightFile != nil { result.append(TreeDifference(path: path, old: leftFile, new: rightFile)) }
        }
        // Entries of the new tree against the old one, by name (binary search in C); only
        // differing entries become Swift values.
        // Entry pointers live inside their trees: both trees are kept alive while they are used.
        try a.withPointer { a in
            try b.withPointer { b in
                if let b {
                    for i in 0..<git_tree_entrycount(b) {
                        guard let entry = git_tree_entry_byindex(b, i) else { continue }
                        let other = a.flatMap { git_tree_entry_byname($0, git_tree_entry_name(entry)) }
                        if let other, git_tree_entry_cmp(other, entry) == 0, git_oid_equal(git_tree_entry_id(other), git_tree_entry_id(entry)) == 1,
                           git_tree_entry_filemode(other) == git_tree_entry_filemode(entry) { continue }
                        try compare(other.map(named), named(entry))
                    }
                }
                if let a {
                    for i in 0..<git_tree_entrycount(a) {
                        guard let entry = git_tree_entry_byindex(a, i) else { continue }
                        if let b, git_tree_entry_byname(b, git_tree_entry_name(entry)) != nil { continue }
                        try compare(named(entry), nil)
                    }
                }
            }
        }
    }
}
