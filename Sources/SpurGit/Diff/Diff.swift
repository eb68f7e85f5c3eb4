import CGit2

/// How one path differs between two trees.
public struct PathChange: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case added, deleted, modified, renamed, copied, typeChanged
    }
    public let kind: Kind
    /// The path before (equal to `newPath` unless renamed or copied).
    public let oldPath: GitPath
    public let newPath: GitPath
    public let oldID: ObjectID?
    public let newID: ObjectID?
    public let oldMode: FileMode
    public let newMode: FileMode
}

extension Repository {
    /// Paths that differ between two trees (either may be nil for "empty"), sorted by path.
    /// With `detectRenames`, an added and a deleted file that are similar become one rename.
    /// With `paths`, only those paths (exact, slash-separated) are compared.
    public func changes(from oldTree: ObjectID?, to newTree: ObjectID?, detectRenames: Bool = false,
                        paths: [GitPath]? = nil) throws -> [PathChange] {
        let old = try oldTree.map { try tree($0) }
        let new = try newTree.map { try tree($0) }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        var diff: OpaquePointer?
        if let paths {
            options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
            try withStrarray(paths) { array in
                options.pathspec = array.pointee
                try diffTrees(&diff, old, new, &options)
            }
        } else {
            try diffTrees(&diff, old, new, &options)
        }
        defer { git_diff_free(diff) }
        if detectRenames {
            var find = git_diff_find_options()
            try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "git_diff_find_options_init")
            find.flags = GIT_DIFF_FIND_RENAMES.rawValue
            try check(git_diff_find_similar(diff, &find), "git_diff_find_similar")
        }
        return pathChanges(of: diff)
    }

    /// `git_diff_tree_to_tree` with the repository and both trees kept alive for the call.
    func diffTrees(_ diff: inout OpaquePointer?, _ old: Tree?, _ new: Tree?, _ options: inout git_diff_options) throws {
        try withPointer { repository in
            try old.withPointer { old in
                try new.withPointer { new in
                    try check(git_diff_tree_to_tree(&diff, repository, old, new, &options), "git_diff_tree_to_tree")
                }
            }
        }
    }

    /// The deltas of a finished diff as `PathChange`s, in the diff's order.
    func pathChanges(of diff: OpaquePointer?) -> [PathChange] {
        var result: [PathChange] = []
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i)?.pointee else { continue }
            let kind: PathChange.Kind
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED: kind = .added
            case GIT_DELTA_DELETED: kind = .deleted
            case GIT_DELTA_RENAMED: kind = .renamed
            case GIT_DELTA_COPIED: kind = .copied
            case GIT_DELTA_TYPECHANGE: kind = .typeChanged
            default: kind = .modified
            }
            let oldExists = delta.old_file.flags & GIT_DIFF_FLAG_EXISTS.rawValue != 0
            let newExists = delta.new_file.flags & GIT_DIFF_FLAG_EXISTS.rawValue != 0
            result.append(PathChange(
                kind: kind,
                oldPath: GitPath(cString: delta.old_file.path),
                newPath: GitPath(cString: delta.new_file.path),
                oldID: oldExists ? ObjectID(delta.old_file.id) : nil,
                newID: newExists ? ObjectID(delta.new_file.id) : nil,
                oldMode: FileMode(raw: UInt32(delta.old_file.mode)),
                newMode: FileMode(raw: UInt32(delta.new_file.mode))))
        }
        return result
    }
}
