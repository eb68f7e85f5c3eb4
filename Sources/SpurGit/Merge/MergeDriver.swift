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
    /// The merge driver git would use for `path` (slash-separated, relative to the root): the
    /// `merge` attribute as `attributes` gives it (`AttributeLookup.merge`), `merge.default` when
    /// it is unspecified, and git's fallback to the line merge for a name no driver is configured for.
    public func mergeDriver(for path: GitPath, attributes: AttributeLookup) throws -> MergeDriver {
        var name: String
        switch attributes.values(["merge"], of: path).first ?? nil {
        case .set?: return .text
        case .unset?: return .binary
        case .value(let bytes)?: name = String(decoding: bytes, as: UTF8.self)
        case .unspecified?, nil:
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

extension AttributeLookup {
    /// A lookup reading each folder's `.gitattributes` as `git merge-tree` (2.39) does: the
    /// working tree's regular file only. A `.gitattributes` that is staged but missing from the
    /// working tree is not read (git's merge-tree reads no index), and no index is loaded: on a
    /// large repository libgit2's own lookup reads every index entry first.
    public static func merge(repository: Repository) throws -> AttributeLookup {
        try checkin(repository: repository) { _ in nil }
    }
}
