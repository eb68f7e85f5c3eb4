import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// A repository with one commit and helpers to make lanes and edit both sides.
struct OverlapFixture {
    let repo: TestRepository
    let workspace: Workspace

    /// In-process libgit2 must not read the developer's configuration either.
    private static let pinned: Bool = {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("spur-test-empty-config").path
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        for level in [Libgit2.ConfigLevel.system, .xdg, .global] { try? Libgit2.setConfigSearchPath(level, to: empty) }
        return true
    }()

    /// A repository whose first commit holds `files` (path → content).
    init(_ files: [String: String]) throws {
        _ = Self.pinned
        repo = try TestRepository.empty()
        for (path, content) in files { try repo.write(path, content) }
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "base")
        workspace = try Workspace(discoveringFrom: repo.root)
    }

    func remove() { repo.remove() }

    /// Spawns lane `name` (a snapshot of the working tree, nothing run) and returns its worktree.
    @discardableResult
    func spawn(_ name: String) throws -> String {
        let result = try repo.spur("spawn", name, "--no-run")
        guard result.status == 0, let path = result.lines.last else { throw TestFailure("spawn \(name): \(result.stderr)") }
        return path
    }

    func lane(_ name: String) throws -> Lane { try LaneStore(workspace: workspace).require(name) }

    func worktree(_ name: String) throws -> String { try lane(name).worktree }

    /// Writes `content` at `path` in lane `name`'s worktree.
    func writeInLane(_ name: String, _ path: String, _ content: String) throws {
        let full = try worktree(name) + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: full, atomically: false, encoding: .utf8)
    }

    func shellInLane(_ name: String, _ command: String) throws {
        try repo.shell(command, cwd: try worktree(name))
    }

    func report(_ name: String) throws -> LaneOverlapReport {
        try OverlapAnalyzer(workspace: workspace).report(forLane: name)
    }

    /// Commits the lane's worktree and records it as the lane's result (state done), as the
    /// supervisor does when a task ends.
    func finish(_ name: String) throws {
        let worktree = try worktree(name)
        try repo.git("add", "-A", cwd: worktree)
        try repo.git("commit", "-qm", "result", "--allow-empty", cwd: worktree)
        let head = try repo.git("rev-parse", "HEAD", cwd: worktree).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = ObjectID(hex: head) else { throw TestFailure("bad head \(head)") }
        let changed = try LaneInspector(workspace: workspace).changedPaths(
            in: workspace.openRepository(), from: workspace.openRepository().treeID(ofCommit: lane(name).base),
            to: workspace.openRepository().treeID(ofCommit: id))
        try LaneStore(workspace: workspace).update(name) { lane in
            lane.head = id
            lane.state = .done
            lane.changedFiles = changed
        }
    }

    /// The independent oracle: commits of the lane's base, your working tree and the lane's
    /// content, merged by `git merge-tree --write-tree`; returns the paths git reports as
    /// conflicted (empty when the merge is clean).
    func mergeTreeConflicts(lane name: String) throws -> Set<String> {
        let lane = try lane(name)
        let mine = try commit(tree: repo.gitSnapshotTree(), parent: lane.base.hex, message: "yours")
        let theirs = try commit(tree: laneTree(lane), parent: lane.base.hex, message: "lane")
        return try mergeTree(mine, theirs)
    }

    /// The same oracle for two lanes spawned from the same snapshot.
    func mergeTreeConflicts(lane a: String, _ b: String) throws -> Set<String> {
        let first = try lane(a), second = try lane(b)
        let one = try commit(tree: laneTree(first), parent: first.base.hex, message: a)
        let two = try commit(tree: laneTree(second), parent: second.base.hex, message: b)
        return try mergeTree(one, two)
    }

    private func laneTree(_ lane: Lane) throws -> String {
        if let head = lane.head { return try repo.git("rev-parse", head.hex + "^{tree}").trimmingCharacters(in: .whitespacesAndNewlines) }
        return try repo.gitSnapshotTree(of: lane.worktree)
    }

    private func commit(tree: String, parent: String, message: String) throws -> String {
        try repo.git("commit-tree", tree, "-p", parent, "-m", message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func mergeTree(_ one: String, _ two: String) throws -> Set<String> {
        let result = try ProcessRunner.run("/usr/bin/git", ["merge-tree", "--write-tree", "--name-only", "--no-messages", one, two],
                                           cwd: repo.root, environment: repo.environment)
        guard result.status == 0 || result.status == 1 else { throw TestFailure("merge-tree failed: \(result.stderr)") }
        // For type and file/folder clashes git keeps one side under "PATH~COMMIT".
        return Set(result.lines.dropFirst().map { name in
            guard let tilde = name.lastIndex(of: "~"), ObjectID(hex: String(name[name.index(after: tilde)...])) != nil else { return name }
            return String(name[..<tilde])
        })
    }
}

extension LaneOverlapReport {
    var conflictPaths: Set<String> { Set(withUser.filter { $0.verdict == .conflict }.map(\.path.text)) }
    func verdict(_ path: String) -> OverlapVerdict? { withUser.first { $0.path == GitPath(path) }?.verdict }
    func entry(_ path: String) -> OverlapPath? { withUser.first { $0.path == GitPath(path) } }
}
