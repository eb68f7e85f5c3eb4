import Foundation
import SpurGit

/// The files the live lanes of one working tree changed, each with the lanes that may have
/// changed it: what the Bash guard watches in that tree. A superset: a path a lane touched and
/// left as it was may be among them, so a report is confirmed with `LaneChecker` first.
///
/// Cost follows the lanes' changes, not the repository's size: a finished lane's record lists
/// its changed files (`changedFiles`; a tree diff of its result when the record has none); a
/// live worktree's change journal names its files as they are journaled (not waiting for the
/// watcher: a lane's write in the same moment could not be told from one just after). A
/// journal naming folders (created or moved in since checkout) has those folders scanned; only
/// a lane whose journal cannot be trusted is scanned whole. A lane that cannot be read is named
/// in `unreadable`; the others still count.
struct LaneChangedPaths {
    /// Repository-relative path → names of the lanes that changed it, sorted.
    var lanesByPath: [GitPath: [String]] = [:]
    /// Lanes whose changes could not be listed, with why.
    var unreadable: [(lane: String, reason: String)] = []

    /// Lists the changes of every live lane that merges into `workspace`'s working tree.
    /// `useJournal` false (SPUR_JOURNAL=off) scans live worktrees instead of trusting journals.
    static func of(workspace: Workspace, records: (lanes: [Lane], damaged: [DamagedLaneRecord]), useJournal: Bool) throws -> LaneChangedPaths {
        var found = LaneChangedPaths()
        let tree = workspace.workingTree
        let lanes = records.lanes.filter { OverlapAnalyzer.isLive($0) && workspace.workingTree(of: $0).isSame(as: tree) }
        found.unreadable = records.damaged.map { ($0.name, $0.problem) }
        guard !lanes.isEmpty else { return found }
        let repository = try workspace.openRepository()
        for lane in lanes {
            do {
                for path in try changedPaths(of: lane, repository: repository, workspace: workspace, useJournal: useJournal) {
                    found.lanesByPath[path, default: []].append(lane.name)
                }
            } catch {
                found.unreadable.append((lane.name, ClaudeHook.describe(error)))
            }
        }
        for path in found.lanesByPath.keys { found.lanesByPath[path]?.sort() }
        return found
    }

    private static func changedPaths(of lane: Lane, repository: Repository, workspace: Workspace, useJournal: Bool) throws -> [GitPath] {
        switch LaneContent.of(lane) {
        case .none:
            return []
        case .result:
            if let listed = lane.changedFiles { return listed }
            return try LaneSide(lane: lane, repository: repository, workspace: workspace).changedFiles
        case .worktree:
            guard useJournal, let journaled = ChangeJournal(lane: lane.name, workspace: workspace).pathsWithoutSync(for: lane) else {
                return try LaneSide(lane: lane, repository: repository, workspace: workspace,
                                    journal: (nil, useJournal ? "the journal cannot be trusted" : "the journal was not asked for")).changedFiles
            }
            let base = try BaseTree(repository: repository, commit: lane.base)
            if try journaled.allSatisfy({ try namesOneFile($0, lane: lane, base: base) }) {
                return journaled.filter { !$0.components.contains(".git") }
            }
            // A folder made or moved in, or removed: the journal's paths are looked at, folders scanned.
            return try LaneSide(lane: lane, repository: repository, workspace: workspace, sharedBase: base,
                                journal: (journaled, "journal")).changedFiles
        }
    }

    /// True when `path` is a file (or nothing) both in the lane's worktree and in its base, so
    /// the path alone covers the change.
    private static func namesOneFile(_ path: GitPath, lane: Lane, base: BaseTree) throws -> Bool {
        if FileStat.of(path.under(lane.worktree))?.kind == .directory { return false }
        return try base.entry(at: path)?.mode != .tree
    }
}
