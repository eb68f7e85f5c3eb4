import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// The blob id the working-tree file at `relativePath` would get if it were staged now:
    /// content filters (eol, attributes) applied, a symlink hashed by its target. Writes nothing.
    ///
    /// With `applyFilters: false` the bytes are hashed as they are, which is only right when no
    /// attribute or autocrlf setting applies to the path, but avoids libgit2's attribute
    /// lookup (which loads the whole index on first use).
    /// The target of the working tree's `relativePath` when it is a symbolic link (its bytes, as
    /// git hashes a link); nil when it is anything else or missing.
    func workdirLinkTarget(_ relativePath: GitPath) throws -> [UInt8]? {
        guard let workdir else { throw GitError(code: -1, errorClass: 0, message: "no working tree", operation: "hash \(relativePath.display)") }
        let full = GitPath(workdir).appending(relativePath)
        var info = stat()
        guard full.withCString({ lstat($0, &info) }) == 0 && (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = full.withCString { readlink($0, &target, target.count - 1) }
        guard length >= 0 else {
            throw GitError(code: -1, errorClass: 0, message: String(cString: strerror(errno)), operation: "readlink \(relativePath.display)")
        }
        return target.prefix(length).map { UInt8(bitPattern: $0) }
    }

    public func hashWorkdirFile(_ relativePath: GitPath, applyFilters: Bool = true) throws -> ObjectID {
        if let target = try workdirLinkTarget(relativePath) { return try ObjectID.blobHash(of: target) }
        var oid = git_oid()
        if applyFilters {
            try check(relativePath.withCString { cPath in withPointer { git_repository_hashfile(&oid, $0, cPath, GIT_OBJECT_BLOB, cPath) } },
                      "hash \(relativePath.display)")
        } else {
            let full = GitPath(workdir ?? "").appending(relativePath)
            try check(full.withCString { git_odb_hashfile(&oid, $0, GIT_OBJECT_BLOB) }, "hash \(relativePath.display)")
        }
        return ObjectID(oid)
    }

    /// True when `path` (relative to the working tree; end it with "/" for a folder) matches
    /// an ignore rule, or lies in an ignored folder. Says nothing about whether it is tracked.
    /// libgit2's answer, which differs from git's in a few cases (a symlinked `.gitignore`, a `!`
    /// rule across files, a link under `dir/`); the snapshot asks `IgnoreRules` instead.
    public func isIgnored(_ path: String) throws -> Bool {
        try isIgnored(GitPath(path), asFolder: false)
    }

    /// The same for a path as bytes; `asFolder` asks about it as a folder (a trailing "/").
    public func isIgnored(_ path: GitPath, asFolder: Bool) throws -> Bool {
        var ignored: Int32 = 0
        var query = path
        if asFolder { query.bytes.append(0x2F) }
        try check(query.withCString { cPath in withPointer { git_ignore_path_is_ignored(&ignored, $0, cPath) } },
                  "git_ignore_path_is_ignored(\(query.display))")
        return ignored != 0
    }

    /// True when the object database holds `id` as far as it knows: a miss does not make
    /// libgit2 re-read the pack folder (that costs a directory scan per miss, and callers ask
    /// about working-tree content that is mostly not stored). Objects this process wrote count.
    public func containsObject(_ id: ObjectID) throws -> Bool {
        var odb: OpaquePointer?
        try check(withPointer { git_repository_odb(&odb, $0) }, "git_repository_odb")
        defer { git_odb_free(odb) }
        var oid = id.raw
        return git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1
    }
}
