import CGit2

/// One change to apply to a tree: put a blob (or link, or submodule) at a path, or remove it.
public struct TreeEdit: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case upsert(ObjectID, FileMode)
        case remove
    }
    public let path: GitPath
    public let action: Action
    public init(path: GitPath, action: Action) {
        self.path = path
        self.action = action
    }
}

extension Repository {
    /// Writes the tree `baseline` with `edits` applied and returns its id. Costs grow with the
    /// number of edits and the depth of their paths, not with the size of the tree.
    ///
    /// Removals are applied first (emptied folders disappear), then insertions, so a file may
    /// become a folder or the other way round in one call. Removing a missing path is an error.
    public func tree(_ baseline: ObjectID?, applying edits: [TreeEdit]) throws -> ObjectID {
        let removals = edits.filter { $0.action == .remove }
        let insertions = edits.filter { $0.action != .remove }
        var current = baseline
        for batch in [removals, insertions] where !batch.isEmpty {
            current = try applyTreeEdits(current, batch)
        }
        if let current { return current }
        return try Index.inMemory().writeTree(to: self)
    }

    private func applyTreeEdits(_ baseline: ObjectID?, _ edits: [TreeEdit]) throws -> ObjectID {
        let base = try baseline.map { try tree($0) }
        // NUL-terminated copies of the paths' bytes, freed when this call returns.
        let cPaths = edits.map { $0.path.allocatedCString() }
        defer { cPaths.forEach { $0.deallocate() } }
        var updates: [git_tree_update] = edits.enumerated().map { index, edit in
            var update = git_tree_update()
            update.path = UnsafePointer(cPaths[index])
            switch edit.action {
            case .upsert(let id, let mode):
                update.action = GIT_TREE_UPDATE_UPSERT
                update.id = id.raw
                update.filemode = git_filemode_t(rawValue: mode.rawValue)
            case .remove:
                update.action = GIT_TREE_UPDATE_REMOVE
            }
            return update
        }
        var oid = git_oid()
        try updates.withUnsafeMutableBufferPointer { buffer in
            try withPointer { repository in
                try base.withPointer { base in
                    try check(git_tree_create_updated(&oid, repository, base, buffer.count, buffer.baseAddress),
                              "git_tree_create_updated")
                }
            }
        }
        return ObjectID(oid)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
