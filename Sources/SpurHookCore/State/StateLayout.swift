/// Where spur keeps its records in a repository's common git dir, for every reader: the full
/// `spur` and the hook's fast path (`spur-hook`) name each file through this one map.
public struct StateLayout: Sendable, Equatable {
    /// The git directory shared by every worktree.
    public let commonDir: String

    public init(commonDir: String) { self.commonDir = commonDir }

    /// `<common git dir>/spur`: lanes, logs, events, locks, caches.
    public var stateDir: String { commonDir + "/spur" }
    /// The repository's own config file (`<common git dir>/config`).
    public var repositoryConfig: String { commonDir + "/config" }

    /// One record per lane, `<name>.json`.
    public var lanesFolder: String { stateDir + "/lanes" }
    public func laneRecord(_ lane: String) -> String { lanesFolder + "/\(lane).json" }

    /// The name of a lane's worktree admin folder in `<common git dir>/worktrees`.
    public static func worktreeAdminName(_ lane: String) -> String { "spur-\(lane)" }
    /// A lane's worktree admin folder, where its change journal is kept.
    public func journalFolder(_ lane: String) -> String { commonDir + "/worktrees/" + Self.worktreeAdminName(lane) }
    /// Journaled paths, each ended by a NUL.
    public func journalPaths(_ lane: String) -> String { journalFolder(lane) + "/spur-journal" }
    /// The journal watcher's state.
    public func journalState(_ lane: String) -> String { journalFolder(lane) + "/spur-journal-state" }

    /// Bash guard records, one per Bash call between its PreToolUse and its PostToolUse.
    public var bashRecordsFolder: String { stateDir + "/bash" }
    /// The Bash guard's stat cache.
    public var watchedPathsCache: String { stateDir + "/cache/bash-watched" }
}
