import CGit2

/// Pathspecs as git reads them (`*`, `?`, `[...]` globs that match across `/`, a folder
/// matching everything under it), relative to the repository's root. git's `:(magic)`
/// prefixes are not supported. Owns libgit2's compiled pathspec and frees it.
public final class Pathspec {
    /// The patterns, in the order given.
    public let patterns: [GitPath]
    private let pointer: OpaquePointer

    public init(_ patterns: [GitPath]) throws {
        Libgit2.ensureInitialised()
        self.patterns = patterns
        var compiled: OpaquePointer?
        try withStrarray(patterns) { array in
            try check(git_pathspec_new(&compiled, array), "git_pathspec_new")
        }
        guard let compiled else { throw GitError(code: -1, errorClass: 0, message: "git_pathspec_new returned nothing", operation: "git_pathspec_new") }
        pointer = compiled
    }

    deinit { git_pathspec_free(pointer) }

    /// True when some pattern matches `path` (a file's path from the repository's root).
    public func matches(_ path: GitPath) -> Bool {
        path.withCString { git_pathspec_matches_path(pointer, 0, $0) == 1 }
    }
}
