import Foundation
import SpurGit
import SpurHookCore

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
    /// `lanesByPath` in the order a Bash record and the stat cache keep it: by path bytes.
    var sortedEntries: [(path: [UInt8], lanes: [String])] {
        WatchedPathsCache.sortedOnce(lanesByPath.map { (path: $0.key.bytes, lanes: $0.value) })
    }

    /// How each live lane's changes were found, by lane name: what must stay as it is for the
    /// list to hold (`WatchedPathsCache`).
    var sources: [String: Source] = [:]

    enum Source {
        /// From the lane's record or its commits: fixed while the record is.
        case fixed
        /// From its journal, kept by `watcher`: each journaled path a file (or nothing) in the
        /// worktree and the base.
        case journal(watcher: ProcessIdentity, paths: [GitPath])
        /// From a look at its worktree: only another look can tell.
        case scan
    }

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
                let (paths, source) = try changedPaths(of: lane, repository: repository, workspace: workspace, useJournal: useJournal)
                for path in paths { found.lanesByPath[path, default: []].append(lane.name) }
                found.sources[lane.name] = source
            } catch {
                found.unreadable.append((lane.name, ClaudeHook.describe(error)))
            }
        }
        for path in found.lanesByPath.keys { found.lanesByPath[path]?.sort() }
        return found
    }

    private static func changedPaths(of lane: Lane, repository: Repository, workspace: Workspace,
                                     useJournal: Bool) throws -> ([GitPath], Source) {
        switch LaneContent.of(lane) {
        case .none:
            return ([], .fixed)
        case .result:
            if let listed = lane.changedFiles { return (listed, .fixed) }
            return (try LaneSide(lane: lane, repository: repository, workspace: workspace).changedFiles, .fixed)
        case .worktree:
            guard useJournal, let (journaled, watcher) = ChangeJournal(lane: lane.name, workspace: workspace).pathsWithoutSync(for: lane) else {
                return (try LaneSide(lane: lane, repository: repository, workspace: workspace,
                                     journal: (nil, useJournal ? "the journal cannot be trusted" : "the journal was not asked for")).changedFiles,
                        .scan)
            }
            let base = try BaseTree(repository: repository, commit: lane.base)
            // Each path a file (or nothing) both in the worktree and in the base: the path alone
            // covers the change. The stat cache asks the same of the worktree to know this holds.
            if try journaled.allSatisfy({ try !WatchedPathsCache.isFolder($0.bytes, inWorktree: lane.worktree)
                                              && base.entry(at: $0)?.mode != .tree }) {
                return (journaled.filter { !$0.components.contains(".git") }, .journal(watcher: watcher, paths: journaled))
            }
            // A folder made or moved in, or removed: the journal's paths are looked at, folders scanned.
            return (try LaneSide(lane: lane, repository: repository, workspace: workspace, sharedBase: base,
                                 journal: (journaled, "journal")).changedFiles, .scan)
        }
    }
}
