import CGit2

extension Repository {
    /// Paths that differ between `tree` and the working tree (through the index, including
    /// untracked files that are not ignored), sorted by path. With `paths`, only those exact
    /// paths are compared; with `detectRenames`, a deleted and a similar added (or untracked)
    /// file become one rename. Working-tree sides carry no reliable `newID` (libgit2 hashes
    /// only what it must); hash the file when the id matters.
    public func changes(from tree: ObjectID, toWorkdirWithPaths paths: [GitPath]? = nil,
                        detectRenames: Bool = false) throws -> [PathChange] {
        let old = try self.tree(tree)
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue | GIT_DIFF_INCLUDE_UNTRACKED.rawValue
            | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
        var diff: OpaquePointer?
        if let paths {
            options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
            try withStrarray(paths) { array in
                options.pathspec = array.pointee
                try diffTreeToWorkdir(&diff, old, &options)
            }
        } else {
            try diffTreeToWorkdir(&diff, old, &options)
        }
        defer { git_diff_free(diff) }
        if detectRenames {
            var find = git_diff_find_options()
            try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "git_diff_find_options_init")
            find.flags = GIT_DIFF_FIND_RENAMES.rawValue | GIT_DIFF_FIND_FOR_UNTRACKED.rawValue
            try check(git_diff_find_similar(diff, &find), "git_diff_find_similar")
        }
        return pathChanges(of: diff)
    }

    /// `git_diff_tree_to_workdir_with_index` with the repository and the tree kept alive for the call.
    private func diffTreeToWorkdir(_ diff: inout OpaquePointer?, _ old: Tree, _ options: inout git_diff_options) throws {
        try withPointer { repository in
            try old.withPointer { old in
                try check(git_diff_tree_to_workdir_with_index(&diff, repository, old, &options), "git_diff_tree_to_workdir_with_index")
            }
        }
    }
}
