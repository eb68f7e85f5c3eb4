import CGit2

/// Lines added and removed in one file of a diff.
public struct FileLineStats: Sendable, Equatable {
    public let path: GitPath
    public let added: Int
    public let removed: Int
    public let isBinary: Bool
}

extension Repository {
    /// The diff between two trees as a patch `git apply` accepts (binary files included), with
    /// renames detected. `paths` limits it to those paths (git pathspecs, as bytes). The patch
    /// names paths as git does (quoted when they hold bytes git quotes); its bytes are returned
    /// as they are.
    public func patch(from oldTree: ObjectID?, to newTree: ObjectID?, paths: [GitPath] = []) throws -> [UInt8] {
        try withDiff(from: oldTree, to: newTree, paths: paths) { diff in
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            try check(git_diff_to_buf(&buffer, diff, GIT_DIFF_FORMAT_PATCH), "git_diff_to_buf")
            guard let pointer = buffer.ptr else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: buffer.size))
        }
    }

    /// Per-file added/removed line counts between two trees.
    public func lineStats(from oldTree: ObjectID?, to newTree: ObjectID?, paths: [GitPath] = []) throws -> [FileLineStats] {
        try withDiff(from: oldTree, to: newTree, paths: paths) { diff in
            var stats: [FileLineStats] = []
            for index in 0..<git_diff_num_deltas(diff) {
                var patch: OpaquePointer?
                try check(git_patch_from_diff(&patch, diff, index), "git_patch_from_diff")
                defer { git_patch_free(patch) }
                guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
                var context = 0, added = 0, removed = 0
                try check(git_patch_line_stats(&context, &added, &removed, patch), "git_patch_line_stats")
                let path = GitPath(cString: delta.new_file.path)
                stats.append(FileLineStats(path: path, added: added, removed: removed,
                                           isBinary: delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0))
            }
            return stats
        }
    }

    private func withDiff<T>(from oldTree: ObjectID?, to newTree: ObjectID?, paths: [GitPath],
                             _ body: (OpaquePointer?) throws -> T) throws -> T {
        let old = try oldTree.map { try tree($0) }
        let new = try newTree.map { try tree($0) }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.flags |= GIT_DIFF_SHOW_BINARY.rawValue | GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        var diff: OpaquePointer?
        try withStrarray(paths) { array in
            if !paths.isEmpty { options.pathspec = array.pointee }
            try diffTrees(&diff, old, new, &options)
        }
        defer { git_diff_free(diff) }
        var find = git_diff_find_options()
        try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "git_diff_find_options_init")
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try check(git_diff_find_similar(diff, &find), "git_diff_find_similar")
        return try body(diff)
    }
}
