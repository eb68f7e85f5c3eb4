import Foundation
import SpurGit

/// A lane as `list` and `status` show it: the stored record plus what is true on disk now.
public struct LaneReport: Sendable, Encodable {
    public let lane: Lane
    /// The state to show: the recorded one, or `removed` when the worktree was removed
    /// (`WorktreePresence`) before the lane produced a result.
    public let displayState: String
    /// The state for a table: like `displayState`, but a stalled running task shows as `stalled`.
    public var tableState: String {
        displayState != LaneState.running.rawValue ? displayState
            : lane.stalledSince != nil ? "stalled" : lane.phase == .setup ? Self.settingUp : displayState
    }
    /// The state shown for a lane spur cannot work with: its record or a commit it needs is
    /// unreadable or gone.
    public static let damaged = "damaged"
    /// The table's state of a running lane whose setup command runs (`--setup`).
    public static let settingUp = "setting up"
    public var isDamaged: Bool { displayState == Self.damaged }
    /// Set when something about the lane needs a person's attention.
    public let problem: String?
    /// Paths (relative to the repository root) that differ between base and the lane's
    /// current content, sorted.
    public let changedFiles: [GitPath]
    /// Root of the working tree the lane was spawned from (and merges into).
    public var workingTree: String = ""
    /// The task's latest progress line (`$SPUR_PROGRESS`) or output line, made safe (`OutputTail.latestLine`).
    public var lastLine: String? = nil
    /// A lane waiting for a running slot (`spur.maxRunning`): its place in the queue, 1 first.
    public var queuePosition: Int? = nil
    /// True when the lane's worktree was removed behind spur's back (`WorktreePresence.removed`).
    public var worktreeRemoved = false
    /// The state shown for a lane with no result whose worktree was removed.
    public static let removed = "removed"

    enum CodingKeys: String, CodingKey {
        case name, state, description, command, base, head, branch, worktree, createdAt, changedFiles, problem, group
        case startedAt, finishedAt, exitCode, signal, reason, stalledSince, check, after, workingTree, lastLine
        case queuePosition
        case setupCommand, setup, phase
        case included
        case worktreeRemoved
        case portBase
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lane.name, forKey: .name)
        try c.encode(displayState, forKey: .state)
        try c.encode(lane.description, forKey: .description)
        try c.encode(lane.command, forKey: .command)
        try c.encode(lane.base, forKey: .base)
        try c.encode(lane.head, forKey: .head)
        try c.encode("spur/" + lane.name, forKey: .branch)
        try c.encode(lane.worktree, forKey: .worktree)
        try c.encode(lane.createdAt, forKey: .createdAt)
        try c.encode(changedFiles, forKey: .changedFiles)
        try c.encode(problem, forKey: .problem)
        try c.encode(lane.group, forKey: .group)
        try c.encode(lane.startedAt, forKey: .startedAt)
        try c.encode(lane.finishedAt, forKey: .finishedAt)
        try c.encode(lane.exitCode, forKey: .exitCode)
        try c.encode(lane.signal, forKey: .signal)
        try c.encode(lane.reason, forKey: .reason)
        try c.encode(lane.stalledSince, forKey: .stalledSince)
        try c.encode(lane.check, forKey: .check)
        try c.encode(lane.after, forKey: .after)
        try c.encode(workingTree, forKey: .workingTree)
        try c.encode(lastLine, forKey: .lastLine)
        try c.encode(queuePosition, forKey: .queuePosition)
        try c.encode(lane.setupCommand, forKey: .setupCommand)
        try c.encode(lane.setup, forKey: .setup)
        try c.encode(lane.state == .running ? lane.phase : nil, forKey: .phase)
        try c.encode(lane.included, forKey: .included)
        try c.encode(worktreeRemoved, forKey: .worktreeRemoved)
        try c.encode(lane.portBase, forKey: .portBase)
    }
}

/// Looks at lanes on disk: their current content and what changed against their base.
public struct LaneInspector: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// True when the lane's worktree folder no longer exists.
    public func worktreeMissing(_ lane: Lane) -> Bool {
        !FileManager.default.isDirectory(lane.worktree)
    }

    /// The tree holding the lane's current content: its result once it has one, else a snapshot
    /// of its live worktree; nil when neither exists.
    public func currentTree(of lane: Lane, in repository: Repository) throws -> ObjectID? {
        if let head = lane.head, !lane.state.isActive, lane.state != .created {
            return try repository.treeID(ofCommit: head)
        }
        guard !worktreeMissing(lane) else { return nil }
        return try Snapshot.treeID(repository: LaneWorktree.open(lane, workspace: workspace))
    }

    /// Paths that differ between the lane's base and its current content, sorted.
    public func currentChanges(of lane: Lane) throws -> [GitPath] {
        let repository = try workspace.openRepository()
        guard let tree = try currentTree(of: lane, in: repository) else { return [] }
        return try changedPaths(in: repository, from: repository.treeID(ofCommit: lane.base), to: tree)
    }

    /// Every path that differs between two trees (both sides of a rename count), sorted.
    public func changedPaths(in repository: Repository, from old: ObjectID, to new: ObjectID) throws -> [GitPath] {
        var paths = Set<GitPath>()
        for change in try repository.changes(from: old, to: new) {
            paths.insert(change.oldPath)
            paths.insert(change.newPath)
        }
        return paths.sorted()
    }

    /// What the lane's history lacks, in words: its base (snapshot) or result commit gone from
    /// the repository (garbage-collected, or the objects damaged); nil when both are there.
    public func missingCommit(of lane: Lane, in repository: Repository) throws -> String? {
        for (role, id) in [("base", lane.base), ("result", lane.head)] {
            guard let id else { continue }
            do {
                _ = try repository.tree(repository.treeID(ofCommit: id))
            } catch let error as GitError where error.isNotFound {
                return "its \(role) commit \(id.hex) is missing from the repository (garbage-collected?), so it cannot be "
                    + "compared or merged; 'spur discard --force \(lane.name)' removes the lane"
            }
        }
        return nil
    }

    /// `changedFiles`, when given, is used instead of computing the lane's changes again;
    /// `problem`, when given, is what the caller found wrong while reading them. A lane whose
    /// base or result commit is missing shows as `damaged`, with what is missing.
    public func report(for lane: Lane, changedFiles known: [GitPath]? = nil, problem found: String? = nil,
                       repository: Repository? = nil) throws -> LaneReport {
        if let missing = try missingCommit(of: lane, in: repository ?? workspace.openRepository()) {
            return LaneReport(lane: lane, displayState: LaneReport.damaged, problem: missing, changedFiles: lane.changedFiles ?? [])
        }
        let presence = WorktreePresence.of(lane, workspace: workspace)
        var state = lane.state.rawValue
        var problem: String?
        if presence == .removed {
            (state, problem) = RemovedWorktreeWording.stateAndProblem(of: lane)
        } else if worktreeMissing(lane) && lane.state != .merged && !lane.neverHadWorktree {
            problem = "worktree \(lane.worktree) cannot be used (\(presence.undecidedReason ?? "not a folder")); spur leaves it alone"
        } else if let reason = lane.reason, lane.state != .merged {
            problem = reason
        } else if let since = lane.stalledSince, lane.state == .running {
            problem = "no output and no file change since \(ISO8601DateFormatter().string(from: since)); it keeps running"
        }
        let changed: [GitPath]
        if let known {
            changed = known
        } else if let recorded = lane.changedFiles, !lane.state.isActive, lane.state != .created {
            changed = recorded
        } else {
            changed = try currentChanges(of: lane)
        }
        return LaneReport(lane: lane, displayState: state, problem: found ?? problem, changedFiles: changed,
                          workingTree: workspace.workingTree(of: lane).root,
                          lastLine: OutputTail.latestLine(workspace, lane: lane), worktreeRemoved: presence == .removed)
    }
}
