import SpurGit

/// What one side holds at one path: a blob (file or symlink target) or a submodule commit.
public struct FileVersion: Sendable, Hashable, Codable {
    public let id: ObjectID
    public let mode: FileMode
    public init(id: ObjectID, mode: FileMode) {
        self.id = id
        self.mode = mode
    }
    init(_ entry: TreeEntry) { self.init(id: entry.id, mode: entry.mode) }
    init(_ entry: NamedTreeEntry) { self.init(id: entry.id, mode: entry.mode) }

    /// Regular files (executable or not), symlinks and submodules are different kinds of thing.
    var kind: Kind {
        switch mode {
        case .link: .symlink
        case .commit: .submodule
        case .tree: .folder
        default: .file
        }
    }
    enum Kind { case file, symlink, submodule, folder }
}

/// Whether two sides' changes to one file can be combined.
public enum OverlapVerdict: String, Sendable, Codable {
    /// Both changed the file, but a three-way merge of it succeeds.
    case clean
    /// The changes collide: the same lines, delete against modify, add/add with different
    /// content, a mode or type clash, or a binary file changed on both sides.
    case conflict
}

/// A run of lines, 1-based and inclusive.
public struct LineRange: Sendable, Equatable, Codable, CustomStringConvertible {
    public let start: Int
    public let end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
    public var description: String { start == end ? "\(start)" : "\(start)-\(end)" }
}

/// One path that both sides changed, and whether their changes combine.
public struct OverlapPath: Sendable, Equatable, Codable {
    public let path: GitPath
    public let verdict: OverlapVerdict
    /// Why, in words: "same change", "changes merge", "same lines changed", "deleted on one
    /// side, changed on the other", "added on both sides with different content", …
    public let reason: String
    /// For a content conflict: the colliding lines in the first side's version (your file,
    /// when the overlap is with your edits).
    public let lines: [LineRange]
    /// The file's other name when a side renamed it (the same file is listed under both).
    public let otherName: GitPath?

    public init(path: GitPath, verdict: OverlapVerdict, reason: String, lines: [LineRange] = [], otherName: GitPath? = nil) {
        self.path = path
        self.verdict = verdict
        self.reason = reason
        self.lines = lines
        self.otherName = otherName
    }

    /// "src/a.swift lines 10-14", "b.txt line 3", or just the path (quoted as git quotes it).
    public var located: String {
        guard !lines.isEmpty else { return path.display }
        let single = lines.count == 1 && lines[0].start == lines[0].end
        return path.display + (single ? " line " : " lines ") + lines.map(\.description).joined(separator: ", ")
    }
}

/// The paths two live lanes both changed: where they will collide when both come back.
public struct LaneCollision: Sendable, Equatable {
    public let lane: String
    public let paths: [OverlapPath]
    public var conflicts: [OverlapPath] { paths.filter { $0.verdict == .conflict } }
}

/// One lane's files and where they overlap your ongoing work and other live lanes.
public struct LaneOverlapReport: Sendable {
    public let lane: Lane
    /// True when the lane counts for overlap (not merged, worktree present).
    public let isLive: Bool
    /// Paths the lane changed against its base (both names of a rename), sorted.
    public let changedFiles: [GitPath]
    /// Paths both you and the lane changed, sorted.
    public let withUser: [OverlapPath]
    /// Other live lanes sharing changed paths with this one, by lane name.
    public let withLanes: [LaneCollision]
    /// For a live worktree: whether its changes came from its change journal or a scan.
    public var changesFrom: ChangeSource? = nil
    /// Why the lane's changes could not be read (they count as none), if they could not.
    public var problem: String? = nil

    public var userConflicts: [OverlapPath] { withUser.filter { $0.verdict == .conflict } }
    public var laneConflictCount: Int { withLanes.reduce(0) { $0 + $1.conflicts.count } }
}

/// How a lane's changes were found: a tree diff of its result, its live worktree's change
/// journal (only the paths its watcher saw change), or a scan of the whole worktree.
public enum ChangeSource: Sendable, Equatable, Encodable {
    case result
    case journal
    /// A scan, and why the journal could not stand in.
    case scan(because: String)

    public var name: String {
        switch self {
        case .result: "result"
        case .journal: "journal"
        case .scan: "scan"
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
