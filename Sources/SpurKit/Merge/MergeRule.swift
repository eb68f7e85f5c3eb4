import SpurGit

/// What a three-way merge does with one path, given the base's, your and the lane's entry
/// there: the single rule both `spur merge` (which writes by it) and overlap verdicts
/// (`status`, `wait`, hooks) decide by, so a verdict of "clean" is a merge that writes.
///
/// The line merge is git's (patience diff, see `MergeDiffAlgorithm`), and the `merge`
/// attribute chooses the driver as in git: `union` keeps both sides' lines, `binary`/`-merge`
/// conflicts unless one side left the file alone; an external driver is not run (a conflict).
struct MergeRule {
    let repository: Repository
    let resolution: ConflictResolution
    /// Labels for conflict markers.
    var labels = MergeFileOptions()
    /// Stores a merged file's bytes and returns its blob id (the merge writes the blob; a
    /// verdict only hashes it).
    var store: ([UInt8]) throws -> ObjectID
    /// The `merge` attributes, read when a file both sides changed first needs its driver.
    let attributes = MergeAttributes()

    enum Decision {
        case keep
        /// Put `entry` (nil: delete), possibly settling `conflict`.
        case put(TreeEntry?, MergeConflict?)
        case conflict(MergeConflict)

        var unresolved: MergeConflict? {
            if case .conflict(let conflict) = self { return conflict }
            return nil
        }
    }

    /// The bytes of each side's version of the file, read only when a line merge needs them
    /// (a live worktree's file may not be in the object database).
    struct Contents {
        var base: () throws -> [UInt8]?
        var ours: () throws -> [UInt8]
        var theirs: () throws -> [UInt8]
    }

    /// The decision for `path` (where the merged file goes; its attributes choose the driver);
    /// `contents` reads the bytes.
    func decide(path: GitPath, base b: TreeEntry?, ours o: TreeEntry?, theirs t: TreeEntry?, contents: Contents) throws -> Decision {
        if o == t { return .keep }
        if o == b { return .put(t, nil) }
        if t == b { return .keep }
        func sided(_ kind: MergeConflict.Kind, _ message: String, hunks: [ConflictHunk] = []) -> Decision {
            var conflict = MergeConflict(path: path, kind: kind, message: message, hunks: hunks)
            switch resolution {
            case .ours: conflict.resolution = .ours; return .put(o, conflict)
            case .theirs: conflict.resolution = .theirs; return .put(t, conflict)
            case .refuse, .markers: return .conflict(conflict)
            }
        }
        guard let o, let t else {
            return o == nil ? sided(.deleteModify, "you deleted \(path), the lane changed it")
                            : sided(.modifyDelete, "you changed \(path), the lane deleted it")
        }
        if [b?.mode, o.mode, t.mode].contains(.commit) {
            return sided(.submodule, "both sides moved the submodule \(path)")
        }
        guard o.mode.isFile, t.mode.isFile, b?.mode.isFile ?? true else {
            return sided(.fileType, o.mode == t.mode ? "both sides changed the link \(path) differently"
                                                      : "one side made \(path) a link, the other a file")
        }
        var conflict: MergeConflict?
        var mode = o.mode
        if o.mode != t.mode {
            if let b, o.mode == b.mode { mode = t.mode } else if let b, t.mode == b.mode { mode = o.mode } else {
                var modeConflict = MergeConflict(path: path, kind: .mode, message: "both sides changed the executable bit of \(path)", hunks: [])
                switch resolution {
                case .refuse: return .conflict(modeConflict)
                case .theirs: mode = t.mode; modeConflict.resolution = .theirs
                case .ours, .markers: modeConflict.resolution = .ours
                }
                conflict = modeConflict
            }
        }
        let id: ObjectID
        if o.id == t.id || b?.id == t.id { id = o.id } else if b?.id == o.id { id = t.id } else {
            let driver = try attributes.driver(for: path, in: repository)
            switch driver {
            case .binary:
                return sided(.binary, "both sides changed \(path), which its attributes say not to merge line by line (-merge)")
            case .external(let name):
                return sided(.binary, "both sides changed \(path), whose merge driver '\(name)' spur does not run")
            case .text, .union: break
            }
            let baseBytes = try contents.base(), oursBytes = try contents.ours(), theirsBytes = try contents.theirs()
            var options = labels
            if driver == .union { options.favor = .union }
            // Clean or not is decided as git's merge decides it (its default conflict style).
            let merged = try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options)
            if merged.isBinary {
                // git's line merge (union included) never merges binary content.
                return sided(.binary, "both sides changed the binary file \(path)")
            } else if merged.isClean {
                id = try store(merged.bytes)
            } else {
                options.style = .diff3
                options.markerSize = ConflictHunks.markerSize
                let hunks = ConflictHunks.parse(try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options).bytes)
                var content = MergeConflict(path: path, kind: .content, message: "both sides changed the same lines of \(path)", hunks: hunks)
                switch resolution {
                case .refuse: return .conflict(content)
                case .markers:
                    options.markerSize = 7
                    id = try store(try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options).bytes)
                case .ours, .theirs:
                    options.markerSize = 7
                    options.favor = resolution == .ours ? .ours : .theirs
                    id = try store(try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options).bytes)
                }
                content.resolution = resolution
                conflict = content
            }
        }
        let entry = TreeEntry(id: id, mode: mode)
        return entry == o ? (conflict.map { .put(o, $0) } ?? .keep) : .put(entry, conflict)
    }
}

/// The merge driver of each path as `git merge-tree` chooses it, from one `AttributeLookup`
/// made at the first question (most merges never ask).
final class MergeAttributes {
    private var lookup: AttributeLookup?

    func driver(for path: GitPath, in repository: Repository) throws -> MergeDriver {
        let attributes = try lookup ?? AttributeLookup.merge(repository: repository)
        lookup = attributes
        return try repository.mergeDriver(for: path, attributes: attributes)
    }
}
