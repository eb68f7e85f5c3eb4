import Foundation
import SpurGit

/// The files the live lanes of one working tree changed, each with the lanes that changed it:
/// what the Bash guard watches in that tree.
///
/// Cost follows the lanes' changes, not the repository's size: a finished lane's record lists
/// its changed files (`changedFiles`; a tree diff of its result when the record has none); a
/// live worktree's change journal names the paths to look at (each `lstat`ed, hashed only if
/// touched since checkout). Only a lane whose journal cannot be trusted is scanned, its
/// worktree alone. A lane that cannot be read is named in `unreadable`; the others still count.
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
        let live = lanes.filter { LaneContent.of($0) == .worktree }
        let journals = useJournal ? ChangeJournal.trustedPaths(for: live, workspace: workspace) : [:]
        for lane in lanes {
            do {
                let paths: [GitPath]
                if case .result = LaneContent.of(lane), let listed = lane.changedFiles {
                    paths = listed
                } else {
                    let journal = journals[lane.name] ?? (nil, useJournal ? "no journal was read" : "the journal was not asked for")
                    paths = try LaneSide(lane: lane, repository: repository, workspace: workspace, journal: journal).changedFiles
                }
                for path in paths { found.lanesByPath[path, default: []].append(lane.name) }
            } catch {
                found.unreadable.append((lane.name, ClaudeHook.describe(error)))
            }
        }
        for path in found.lanesByPath.keys { found.lanesByPath[path]?.sort() }
        return found
    }
}
