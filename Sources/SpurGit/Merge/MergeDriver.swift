import CGit2

/// How git's merge combines two sides' versions of a file, as the `merge` attribute chooses it.
public enum MergeDriver: Sendable, Equatable {
    /// The line merge (the default, `merge` set or unset).
    case text
    /// `merge=union`: both sides' lines, never a conflict (binary content still conflicts).
    case union
    /// `-merge`, `merge=binary` or the `binary` macro: no line merge; the result is a conflict
    /// unless one side left the file as it was.
    case binary
    /// `merge=NAME` with `merge.NAME.driver` configured: a command spur does not run.
    case external(String)
}

extension Repository {
    /// The merge driver git would use for `path` (slash-separated, relative to the root):
    /// the `merge` attribute as git reads it for a merge (the working tree's `.gitattributes`
    /// files, then the index's, `info/attributes`, `core.attributesFile`), `merge.default` when
    /// it is unset, and git's fallback to the line merge for a name no driver is configured for.
    ///
    /// Kept small and separate so spur's own attributes lookup can replace libgit2's here.
    public func mergeDriver(for path: GitPath) throws -> MergeDriver {
        var value: UnsafePointer<CChar>?
        try check(withPointer { repository in
            path.withCString { git_attr_get(&value, repository, 0, $0, "merge") }
        }, "git_attr_get(\(path.display))")
        var name: String
        switch git_attr_value(value) {
        case GIT_ATTR_VALUE_TRUE: return .text
        case GIT_ATTR_VALUE_FALSE: return .binary
        case GIT_ATTR_VALUE_STRING:
            guard let value else { return .text }
            name = String(cString: value)
        default:
            guard let fallback = try config().string("merge.default") else { return .text }
            name = fallback
        }
        // A configured driver takes precedence over the built-in names, as in git.
        if try config().string("merge.\(name).driver") != nil { return .external(name) }
        switch name {
        case "union": return .union
        case "binary": return .binary
        default: return .text
        }
    }
}
