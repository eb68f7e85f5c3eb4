import Foundation
import SpurGit

/// Which live lanes changed one path, and which lanes spur could not ask.
public struct PathCheck: Sendable, Equatable, Encodable {
    /// The path relative to the repository root (in JSON as `GitPath.exact`).
    public let path: GitPath
    /// Names of the live lanes whose content differs from their base at `path`, sorted.
    public let lanes: [String]
    /// Lanes whose answer is unknown (a record that cannot be read, a base commit gone, a
    /// worktree that cannot be read), with why, sorted by name: "no lane changed it" cannot be
    /// said while this is not empty.
    public var undecided: [UndecidedLane] = []

    public init(path: GitPath, lanes: [String], undecided: [UndecidedLane] = []) {
        self.path = path
        self.lanes = lanes
        self.undecided = undecided
    }
}

/// A lane `LaneChecker` could not ask about a path, and why.
public struct UndecidedLane: Sendable, Equatable, Encodable {
    public let lane: String
    public let reason: String
}

/// Answers "has any live lane changed these paths?" for editor and agent hooks, which ask on
/// every edit. The cost depends on the paths asked about and the number of lanes, never on
/// the size of the repository: each path is compared with each lane's base entry alone (a
/// tree lookup; for a live worktree an `lstat`, then a hash only if the file was touched
/// since checkout). Asking about a folder scans that folder only. A lane that cannot be read
/// does not stop the others: it is named in `undecided`.
public struct LaneChecker: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Checks `paths` (relative to `cwd`, or absolute). A path inside a lane's worktree means
    /// that lane's file, and that lane itself is left out of the answer (it is the one editing).
    /// Throws a usage error for an empty path or one outside the repository and its lanes.
    public func check(_ paths: [String], cwd: String) throws -> [PathCheck] {
        try check(paths.map { GitPath($0) }, cwd: cwd)
    }

    /// The same for paths given as bytes (a command line's arguments as the kernel passed them).
    public func check(_ paths: [GitPath], cwd: String) throws -> [PathCheck] {
        let lanes = LaneStore(workspace: workspace).records().lanes.filter(OverlapAnalyzer.isLive)
        return try check(paths.map { try resolve($0, cwd: cwd, lanes: lanes) })
    }

    /// Checks paths already relative to the root of the working tree spur acts on, given as
    /// bytes (as git's pre-commit hook lists staged files).
    public func check(repositoryPaths paths: [GitPath]) throws -> [PathCheck] {
        try check(paths.map { (path: $0, insideLane: nil) })
    }

    private func check(_ targets: [(path: GitPath, insideLane: String?)]) throws -> [PathCheck] {
        let records = LaneStore(workspace: workspace).records()
        let lanes = records.lanes.filter(OverlapAnalyzer.isLive)
        // A path of a working tree is changed only by lanes that merge into that tree.
        func mergesInto(_ target: (path: GitPath, insideLane: String?)) -> WorkingTree {
            lanes.first { $0.name == target.insideLane }.map(workspace.workingTree(of:)) ?? workspace.workingTree
        }
        let repository = try workspace.openRepository()
        var probes: [String: LaneProbe] = [:]
        /// Lanes whose probe could not be made, and why: asked once, not per path.
        var unreadable: [String: String] = [:]
        return targets.map { target in
            var changedIn: [String] = []
            var undecided = records.damaged.map { UndecidedLane(lane: $0.name, reason: $0.problem) }
            let tree = mergesInto(target)
            for lane in lanes where lane.name != target.insideLane && workspace.workingTree(of: lane).isSame(as: tree) {
                if let reason = unreadable[lane.name] {
                    undecided.append(UndecidedLane(lane: lane.name, reason: reason))
                    continue
                }
                do {
                    let probe = try probes[lane.name] ?? LaneProbe(lane: lane, repository: repository, workspace: workspace)
                    probes[lane.name] = probe
                    if try probe.changed(target.path) { changedIn.append(lane.name) }
                } catch {
                    let reason = unreadableReason(lane, error, repository: repository)
                    if probes[lane.name] == nil { unreadable[lane.name] = reason }
                    undecided.append(UndecidedLane(lane: lane.name, reason: reason))
                }
            }
            return PathCheck(path: target.path, lanes: changedIn.sorted(), undecided: undecided.sorted { $0.lane < $1.lane })
        }
    }

    /// Why a lane could not be asked: what its history lacks, else the error in one line.
    private func unreadableReason(_ lane: Lane, _ error: Error, repository: Repository) -> String {
        if let missing = try? LaneInspector(workspace: workspace).missingCommit(of: lane, in: repository) { return missing }
        let text = (error as? SpurError)?.message ?? (error as? GitError)?.description ?? "\(error)"
        return "it cannot be read (\(text.escapingControlCharacters))"
    }

    /// A path relative to the repository root, and the lane whose worktree it was given in.
    /// Text a hook gave is its UTF-8 bytes, exactly as typed; worked out on bytes from there.
    private func resolve(_ path: GitPath, cwd: String, lanes: [Lane]) throws -> (path: GitPath, insideLane: String?) {
        guard !path.isEmpty else { throw SpurError.usage("an empty path names no file (use '.' for the current folder)") }
        let absolute = Workspace.standardized(path, cwd: cwd)
        for lane in lanes {
            let root = Workspace.standardized(GitPath(lane.worktree), cwd: "/")
            guard absolute.isInside(root) else { continue }
            return (GitPath(bytes: absolute.bytes.dropFirst(root.bytes.count == 1 ? 1 : root.bytes.count + 1)), lane.name)
        }
        return (try workspace.repositoryRelativePath(path, cwd: cwd), nil)
    }
}

/// One lane's content at single paths, compared with its base.
final class LaneProbe {
    let lane: Lane
    let base: BaseTree
    let content: LaneContent
    let workspace: Workspace
    private var resultTree: Tree?
    private var scanRepository: Repository?

    init(lane: Lane, repository: Repository, workspace: Workspace) throws {
        self.lane = lane
        self.workspace = workspace
        base = try BaseTree(repository: repository, commit: lane.base)
        content = LaneContent.of(lane)
        if case .result(let head) = content { resultTree = try repository.tree(repository.treeID(ofCommit: head)) }
    }

    /// True when the lane holds something else at `path` (a file, or anything under a folder).
    func changed(_ path: GitPath) throws -> Bool {
        let before = try base.entry(at: path)
        switch content {
        case .none:
            return false
        case .result:
            guard let resultTree else { return false }
            let after = path.isEmpty ? FileVersion(id: resultTree.id, mode: .tree) : try resultTree.entry(path: path).map(FileVersion.init)
            return after != before
        case .worktree:
            return try worktreeChanged(path, before: before)
        }
    }

    private func worktreeChanged(_ path: GitPath, before: FileVersion?) throws -> Bool {
        let full = path.under(lane.worktree)
        guard let info = FileStat.of(full) else { return before != nil }
        let stamp = CheckoutStamp.of(lane, workspace: workspace)
        switch info.kind {
        case .other:
            return before != nil
        case .directory:
            if before?.mode == .commit { return false }
            if let before, before.mode != .tree { return true }
            let scan = try WorktreeScan(lane: lane, workspace: workspace, base: base, stamp: stamp)
            scan.stopAtFirstChange = true
            try scan.scan(folder: path)
            return !scan.changes.isEmpty
        case .file, .symlink:
            guard let before, before.mode != .tree else { return !(try repository().isIgnored(path, asFolder: false)) }
            if stamp.provesUntouched(info) { return false }
            let repository = try repository()
            let trustFileMode = try repository.config().bool("core.filemode") ?? true
            let mode = info.gitMode(trustFileMode: trustFileMode, known: before.mode)
            let filters = try ContentFilters(repository: repository)
            return FileVersion(id: try repository.hashWorkdirFile(path, filters: filters), mode: mode) != before
        }
    }

    /// The lane's worktree repository (its ignore rules and attributes), opened on first use.
    private func repository() throws -> Repository {
        if let scanRepository { return scanRepository }
        let opened = try LaneWorktree.open(lane, workspace: workspace)
        scanRepository = opened
        return opened
    }
}
