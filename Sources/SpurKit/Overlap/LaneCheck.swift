import Foundation
import SpurGit

/// Which live lanes changed one path.
public struct PathCheck: Sendable, Equatable, Encodable {
    /// The path relative to the repository root.
    public let path: String
    /// Names of the live lanes whose content differs from their base at `path`, sorted.
    public let lanes: [String]
}

/// Answers "has any live lane changed these paths?" for editor and agent hooks, which ask on
/// every edit. The cost depends on the paths asked about and the number of lanes, never on
/// the size of the repository: each path is compared with each lane's base entry alone (a
/// tree lookup; for a live worktree an `lstat`, then a hash only if the file was touched
/// since checkout). Asking about a folder scans that folder only.
public struct LaneChecker: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Checks `paths` (relative to `cwd`, or absolute). A path inside a lane's worktree means
    /// that lane's file, and that lane itself is left out of the answer (it is the one editing).
    /// Throws a usage error for a path outside the repository and its lanes.
    public func check(_ paths: [String], cwd: String) throws -> [PathCheck] {
        let lanes = try LaneStore(workspace: workspace).all().filter(OverlapAnalyzer.isLive)
        let targets = try paths.map { try resolve($0, cwd: cwd, lanes: lanes) }
        // A path of a working tree is changed only by lanes that merge into that tree.
        func mergesInto(_ target: (path: String, insideLane: String?)) -> WorkingTree {
            lanes.first { $0.name == target.insideLane }.map(workspace.workingTree(of:)) ?? workspace.workingTree
        }
        let repository = try workspace.openRepository()
        var probes: [String: LaneProbe] = [:]
        return try targets.map { target in
            var changedIn: [String] = []
            let tree = mergesInto(target)
            for lane in lanes where lane.name != target.insideLane && workspace.workingTree(of: lane).isSame(as: tree) {
                let probe = try probes[lane.name] ?? LaneProbe(lane: lane, repository: repository, workspace: workspace)
                probes[lane.name] = probe
                if try probe.changed(target.path) { changedIn.append(lane.name) }
            }
            return PathCheck(path: target.path, lanes: changedIn.sorted())
        }
    }

    /// A path relative to the repository root, and the lane whose worktree it was given in.
    private func resolve(_ path: String, cwd: String, lanes: [Lane]) throws -> (path: String, insideLane: String?) {
        let absolute = URL(fileURLWithPath: path.hasPrefix("/") ? path : cwd + "/" + path).standardizedFileURL.path
        for lane in lanes {
            let root = URL(fileURLWithPath: lane.worktree).standardizedFileURL.path
            if absolute == root { return ("", lane.name) }
            if absolute.hasPrefix(root + "/") { return (String(absolute.dropFirst(root.count + 1)), lane.name) }
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
    func changed(_ path: String) throws -> Bool {
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

    private func worktreeChanged(_ path: String, before: FileVersion?) throws -> Bool {
        let full = path.isEmpty ? lane.worktree : lane.worktree + "/" + path
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
            guard let before, before.mode != .tree else { return !(try repository().isIgnored(path)) }
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
