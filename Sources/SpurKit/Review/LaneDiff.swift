import Foundation
import SpurGit

/// What a lane changed against its base: its result, or its live worktree while it runs.
public struct LaneDiff: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// One file's change, for `--json` and `--stat`.
    public struct FileChange: Sendable, Encodable, Equatable {
        public let path: String
        public let added: Int
        public let removed: Int
        public let binary: Bool
    }

    /// The lane's patch (applies to its base with `git apply`).
    public func patch(of name: String, paths: [String] = []) throws -> String {
        let (repository, base, current) = try trees(of: name)
        return try repository.patch(from: base, to: current, paths: paths)
    }

    /// Per-file line counts of the lane's change.
    public func files(of name: String, paths: [String] = []) throws -> [FileChange] {
        let (repository, base, current) = try trees(of: name)
        return try repository.lineStats(from: base, to: current, paths: paths)
            .map { FileChange(path: $0.path, added: $0.added, removed: $0.removed, binary: $0.isBinary) }
    }

    func trees(of name: String) throws -> (Repository, ObjectID, ObjectID) {
        let lane = try LaneStore(workspace: workspace).require(name)
        let repository = try workspace.openRepository()
        let base = try repository.treeID(ofCommit: lane.base)
        guard let current = try LaneInspector(workspace: workspace).currentTree(of: lane, in: repository) else {
            throw SpurError("lane '\(name)' has no result and its worktree \(lane.worktree) is gone")
        }
        return (repository, base, current)
    }

    /// A git-style `--stat` block: " path | 12 ++++--" lines and a summary line.
    public static func stat(_ files: [FileChange], width: Int = 80) -> String {
        guard !files.isEmpty else { return "" }
        let nameWidth = min(files.map(\.path.count).max() ?? 0, max(20, width - 30))
        let largest = max(files.map { $0.added + $0.removed }.max() ?? 0, 1)
        let barWidth = max(10, width - nameWidth - 12)
        var lines: [String] = files.map { file in
            let name = file.path.count > nameWidth ? "..." + file.path.suffix(nameWidth - 3) : file.path
            let padded = name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            if file.binary { return " \(padded) | Bin" }
            let total = file.added + file.removed
            let scale = largest > barWidth ? Double(barWidth) / Double(largest) : 1
            let plus = Int((Double(file.added) * scale).rounded(.up)), minus = Int((Double(file.removed) * scale).rounded(.up))
            return " \(padded) | \(String(total).leftPadded(to: 5)) " + String(repeating: "+", count: plus) + String(repeating: "-", count: minus)
        }
        let added = files.map(\.added).reduce(0, +), removed = files.map(\.removed).reduce(0, +)
        lines.append(" \(files.count) file\(files.count == 1 ? "" : "s") changed, \(added) insertion\(added == 1 ? "" : "s")(+), \(removed) deletion\(removed == 1 ? "" : "s")(-)")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
