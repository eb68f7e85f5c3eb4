import Foundation
import SpurGit
import SpurKit
import SpurTestSupport

/// Lanes with results, made in-process (before `spur finish` exists): spawn with no command,
/// edit the lane's worktree, then record its snapshot as the result.
enum LaneResults {
    /// A lane called `name` starting from a snapshot of the working tree as it is now.
    static func spawn(_ repository: TestRepository, _ name: String) throws -> Lane {
        TestPortRegistry.isolateThisProcess()
        return try Lanes(workspace: workspace(repository)).create(SpawnRequest(name: name))
    }

    /// Records the lane's worktree as its result: head, state done, changed files.
    @discardableResult
    static func finish(_ repository: TestRepository, _ name: String) throws -> Lane {
        let workspace = try workspace(repository)
        let store = LaneStore(workspace: workspace)
        var lane = try store.require(name)
        let snapshot = try Snapshot.take(workdir: lane.worktree, message: "result of lane \(name)")
        lane.head = snapshot.commit
        lane.state = .done
        let git = try workspace.openRepository()
        // As `spur finish` does: the lane's branch holds its result (merge checks it does).
        try git.setReference(Lane.branchRef(name), to: snapshot.commit, message: "test: result of lane \(name)")
        lane.changedFiles = try LaneInspector(workspace: workspace)
            .changedPaths(in: git, from: git.treeID(ofCommit: lane.base), to: snapshot.tree)
        try store.save(lane)
        return lane
    }

    /// Spawns a lane, lets `edit` change its worktree (given its root), and finishes it.
    @discardableResult
    static func make(_ repository: TestRepository, _ name: String, _ edit: (String) throws -> Void) throws -> Lane {
        let lane = try spawn(repository, name)
        try edit(lane.worktree)
        return try finish(repository, name)
    }

    static func workspace(_ repository: TestRepository) throws -> Workspace {
        try Workspace(discoveringFrom: repository.root)
    }

    /// Merges lane `name`; after a merge that wrote, checks that the working tree holds exactly
    /// the reported result tree (git as the oracle), so every merge test asserts it.
    static func merge(_ repository: TestRepository, _ name: String, _ resolution: ConflictResolution = .refuse,
                      dryRun: Bool = false, allowOutsideLinks: Bool = false) throws -> MergeReport {
        let report = try Merger(workspace: workspace(repository))
            .merge(laneName: name, options: MergeOptions(dryRun: dryRun, resolution: resolution, allowOutsideLinks: allowOutsideLinks))
        if !dryRun && report.status == .merged {
            try repository.requireWorkingTree(equals: report.resultTree.hex, "merge of lane \(name)")
        }
        return report
    }

    static func undo(_ repository: TestRepository, force: Bool = false) throws -> UndoReport {
        try MergeUndo(workspace: workspace(repository)).undo(force: force)
    }

    static func lane(_ repository: TestRepository, _ name: String) throws -> Lane {
        try LaneStore(workspace: workspace(repository)).require(name)
    }
}

/// Small file helpers for a folder that is not the repository root (a lane's worktree).
enum Files {
    static func write(_ root: String, _ relative: String, _ content: String, executable: Bool = false) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        try content.write(toFile: path, atomically: false, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }

    static func read(_ root: String, _ relative: String) throws -> String {
        try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
    }

    static func remove(_ root: String, _ relative: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relative)
    }

    static func link(_ root: String, _ relative: String, to target: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    static func lines(_ items: String...) -> String { items.map { $0 + "\n" }.joined() }

    static func mtime(_ path: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
    }
}

/// `git merge-tree --write-tree` for the same three states: base = the lane's base, ours = the
/// tree git itself records for the working tree now (a commit on top of the base), theirs = the
/// lane's head. Returns the tree id and the conflicted paths.
enum GitMergeOracle {
    static func merge(_ repository: TestRepository, lane: Lane) throws -> (tree: String, conflicts: Set<String>) {
        guard let head = lane.head else { throw TestFailure("lane has no head") }
        let oursTree = try repository.gitSnapshotTree()
        let ours = try repository.git("commit-tree", oursTree, "-p", lane.base.hex, "-m", "ours")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try ProcessRunner.run("/usr/bin/git", ["merge-tree", "--write-tree", "--name-only", "--no-messages", ours, head.hex],
                                           cwd: repository.root, environment: repository.environment)
        guard result.status == 0 || result.status == 1 else { throw TestFailure("git merge-tree failed: \(result.stderr)") }
        let lines = result.lines
        guard let tree = lines.first else { throw TestFailure("git merge-tree printed nothing") }
        return (tree, Set(lines.dropFirst()))
    }
}
