import CGit2

extension Repository {
    /// The bytes a checkout would write for `blob` at `path`: the blob with the repository's
    /// smudge, eol and ident filters for that path applied (the raw blob when none apply).
    ///
    /// Binary content is filtered as libgit2's checkout filters it: the eol filter leaves it
    /// alone by itself (auto detection), a smudge driver still sees it. libgit2's default
    /// `GIT_BLOB_FILTER_CHECK_FOR_BINARY` is cleared because with it `git_blob_filter` returns
    /// success and an empty buffer for a binary blob, which would write the file empty.
    public func workdirBytes(ofBlob id: ObjectID, path: GitPath) throws -> [UInt8] {
        let blob = try self.blob(id)
        var options = git_blob_filter_options()
        try check(git_blob_filter_options_init(&options, UInt32(GIT_BLOB_FILTER_OPTIONS_VERSION)), "git_blob_filter_options_init")
        options.flags &= ~UInt32(GIT_BLOB_FILTER_CHECK_FOR_BINARY.rawValue)
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        // The buffer may point into the blob (nothing to filter): read it while the blob lives.
        return try blob.withPointer { blob in
            try check(path.withCString { git_blob_filter(&buffer, blob, $0, &options) }, "git_blob_filter(\(path.display))")
            guard let start = buffer.ptr, buffer.size > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: start, count: buffer.size))
        }
    }
}
