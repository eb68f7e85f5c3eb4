import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// The bytes a checkout would write for `blob` at `path`: the blob with the repository's
    /// smudge, eol and ident filters for that path applied (the raw blob when none apply).
    ///
    /// Binary content is filtered as libgit2's checkout filters it: the eol filter leaves it
    /// alone by itself (auto detection), a smudge driver still sees it. libgit2's default
    /// `GIT_BLOB_FILTER_CHECK_FOR_BINARY` is cleared because with it `git_blob_filter` returns
    /// success and an empty buffer for a binary blob, which would write the file empty.
    /// `ident` expands every `$Id$` as git does (libgit2 expands only the first).
    public func workdirBytes(ofBlob id: ObjectID, path: GitPath) throws -> [UInt8] {
        if try attributes(["ident"], path: path.text).first == "true" {
            return try filteredForCheckout(Self.expandingIdent(blob(id).bytes, id: id), blob: id, path: path)
        }
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

    /// `bytes` run through the checkout filters libgit2 loads for `path` with `blob` as the
    /// source (its id is what ident writes).
    private func filteredForCheckout(_ bytes: [UInt8], blob id: ObjectID, path: GitPath) throws -> [UInt8] {
        let blob = try self.blob(id)
        var filters: OpaquePointer?
        try blob.withPointer { blob in
            try check(path.withCString { cPath in withPointer { git_filter_list_load(&filters, $0, blob, cPath, GIT_FILTER_TO_WORKTREE, GIT_FILTER_DEFAULT.rawValue) } },
                      "git_filter_list_load(\(path.display))")
        }
        guard let filters, !bytes.isEmpty else { return bytes }
        defer { git_filter_list_free(filters) }
        var out = git_buf()
        defer { git_buf_dispose(&out) }
        try bytes.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { chars in
                try check(git_filter_list_apply_to_buffer(&out, filters, chars.baseAddress, chars.count), "filter '\(path)'")
            }
        }
        guard let start = out.ptr, out.size > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: out.size))
    }

    /// git's ident_to_worktree: every `$Id$`, and every `$Id: … $` on one line that is not
    /// another system's keyword (a space before its last one), becomes `$Id: <blob id> $`.
    public static func expandingIdent(_ bytes: [UInt8], id: ObjectID) -> [UInt8] {
        let dollar: UInt8 = 0x24
        let keyword = Array("Id: \(id.hex) $".utf8)
        var result: [UInt8] = []
        var i = 0
        var changed = false
        while let found = bytes[i...].firstIndex(of: dollar) {
            result.append(contentsOf: bytes[i...found])
            i = found + 1
            guard bytes.count - i >= 3, bytes[i] == 0x49, bytes[i + 1] == 0x64 else { continue }
            if bytes[i + 2] == dollar {
                i += 3
            } else if bytes[i + 2] == 0x3A {
                guard let close = bytes[(i + 3)...].firstIndex(of: dollar) else { break }
                if bytes[(i + 3)..<close].contains(0x0A) { continue }
                if i + 4 < close, let space = bytes[(i + 4)..<close].firstIndex(of: 0x20), space < close - 1 { continue }
                i = close + 1
            } else {
                continue
            }
            result.append(contentsOf: keyword)
            changed = true
        }
        guard changed else { return bytes }
        result.append(contentsOf: bytes[i...])
        return result
    }

    /// After libgit2's checkout of the index into this worktree: rewrites each file whose `ident`
    /// attribute is set with every `$Id$` expanded, as `git worktree add` writes it, and records
    /// the rewritten files' stat data in the index (else git would take them as modified).
    func expandIdentAfterCheckout(_ index: Index) throws {
        guard let root = workdir else { return }
        var rewritten = false
        let lookup = try AttributeLookup.checkout(repository: self, index: index)
        for entry in index.entries() where entry.mode == .blob || entry.mode == .executable {
            let path = entry.path
            guard lookup.attributes(of: path)["ident"] == .set else { continue }
            let expected = try filteredForCheckout(Self.expandingIdent(blob(entry.id).bytes, id: entry.id), blob: entry.id, path: entry.path)
            let full = GitPath(root).appending(path)
            guard let current = AttributeLookup.readRegularFile(full, followLinks: false), current != expected else { continue }
            let descriptor = full.withCString { open($0, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC) }
            guard descriptor >= 0 else { throw GitError(code: -1, errorClass: 0, message: "cannot write \(path.display)", operation: "checkout") }
            defer { close(descriptor) }
            rewritten = true
            var written = 0
            while written < expected.count {
                let count = expected.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw GitError(code: -1, errorClass: 0, message: "cannot write \(path.display)", operation: "checkout") }
                written += count
            }
            try index.add(path: entry.path, id: entry.id, mode: entry.mode, statOf: full)
        }
        if rewritten { try index.write() }
    }
}
