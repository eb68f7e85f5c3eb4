import Foundation
import SpurGit

/// Decides git's pre-commit hook (`spur hook git-pre-commit`): warns about each staged file a
/// live lane has changed too, and blocks the commit when git config `spur.guard` is `deny`
/// (`warn` and `ask` warn: nobody can be asked at commit time). Only commits in the main
/// working tree are checked (not those in a lane's worktree or another worktree of yours). Like `spur check`, its cost grows with the number of staged files
/// and lanes, never with the repository.
public struct CommitGuard: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// What the hook prints (standard error) and whether the commit must stop.
    public struct Verdict: Sendable, Equatable {
        public var lines: [String]
        public var blocks: Bool
        public init(lines: [String], blocks: Bool) {
            self.lines = lines
            self.blocks = blocks
        }
    }

    /// Reviews `stagedPaths` (relative to the root of the working tree `cwd` is in, as bytes,
    /// as `git diff --cached --name-only -z` prints them).
    public func review(stagedPaths: [GitPath], cwd: String) throws -> Verdict {
        // Lanes merge into the working tree they were spawned from: a commit there is checked
        // against that tree's lanes; a commit in a lane's worktree does not race them.
        let here = try Repository.discover(from: cwd).workdir.map { CanonicalPath.of($0, relativeTo: "/") }
        guard here == CanonicalPath.of(workspace.root, relativeTo: "/") else { return Verdict(lines: [], blocks: false) }
        let records = LaneStore(workspace: workspace).records()
        let lanes = records.lanes
        let paths = stagedPaths.filter { !$0.isEmpty }
        guard !paths.isEmpty, lanes.contains(where: OverlapAnalyzer.isLive) || !records.damaged.isEmpty else {
            return Verdict(lines: [], blocks: false)
        }
        let checks = try LaneChecker(workspace: workspace).check(repositoryPaths: paths)
        // A lane that could not be asked never blocks the commit: it is named, once.
        var undecided: [String: String] = [:]
        for lane in checks.flatMap(\.undecided) where undecided[lane.lane] == nil { undecided[lane.lane] = lane.reason }
        let notes = undecided.sorted { $0.key < $1.key }.map { "spur: warning: could not tell whether lane \($0.key) changed "
            + "the staged files: \($0.value)" }
        let overlapping = checks.filter { !$0.lanes.isEmpty }
        guard !overlapping.isEmpty else { return Verdict(lines: notes, blocks: false) }
        let (mode, configWarning) = GuardMode.configured(in: try workspace.openRepository())
        let states = HookWording.states(of: lanes)
        var lines = (configWarning.map { ["spur: warning: \($0)"] } ?? []) + notes
        lines += overlapping.map { check in
            "spur: warning: \(check.path) is also changed by \(HookWording.lanes(check.lanes, states: states)); "
                + "merging that lane later may conflict with this commit"
        }
        if mode == .deny {
            lines.append("spur: commit refused (git config spur.guard=deny): merge or discard those lanes first "
                + "(`spur status`, `spur merge LANE`), or commit with --no-verify")
        }
        return Verdict(lines: lines, blocks: mode == .deny)
    }
}
