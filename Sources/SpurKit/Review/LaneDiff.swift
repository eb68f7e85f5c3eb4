import Foundation
import SpurGit

/// What a lane changed against its base: its result, or its live worktree while it runs.
public struct LaneDiff: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// One file's change, for `--json` and `--stat`.
    public struct FileChange: Sendable, Encodable, Equatable {
        public let path: GitPath
        public let added: Int
        public let removed: Int
        public let binary: Bool
        /// Where the path's new link points, when that is outside the repository.
        public var outsideLinkTarget: String? = nil
        /// True when a file became a link or a link a file.
        public var typeChange = false
    }

    /// The lane's patch (applies to its base with `git apply`), its bytes as libgit2 wrote them
    /// (paths quoted as git quotes them).
    public func patch(of name: String, paths: [GitPath] = []) throws -> [UInt8] {
        let (repository, base, current, _) = try trees(of: name)
        return try repository.patch(from: base, to: current, paths: paths)
    }

    /// Per-file line counts of the lane's change.
    public func files(of name: String, paths: [GitPath] = []) throws -> [FileChange] {
        let (repository, base, current, root) = try trees(of: name)
        let links = Dictionary(try OutsideLink.find(in: repository, from: base, to: current, root: root).map { ($0.path, $0) },
                               uniquingKeysWith: { $1 })
        let typeChanged = Set(try repository.changes(from: base, to: current)
            .filter { $0.kind == .typeChanged }.map(\.newPath))
        return try repository.lineStats(from: base, to: current, paths: paths).map {
            FileChange(path: $0.path, added: $0.added, removed: $0.removed, binary: $0.isBinary,
                       outsideLinkTarget: links[$0.path]?.target, typeChange: typeChanged.contains($0.path))
        }
    }

    /// The links the lane's change puts outside the repository (within `paths`, when given).
    public func outsideLinks(of name: String, paths: [GitPath] = []) throws -> [OutsideLink] {
        let (repository, base, current, root) = try trees(of: name)
        return try OutsideLink.find(in: repository, from: base, to: current, root: root)
            .filter { link in paths.isEmpty || paths.contains { link.path.isInside($0.bytes.last == 0x2F ? GitPath(bytes: $0.bytes.dropLast()) : $0) } }
    }

    /// The repository, the lane's base and current trees, and the root of the working tree the
    /// lane merges into (where "outside the repository" is measured from).
    func trees(of name: String) throws -> (Repository, ObjectID, ObjectID, String) {
        let lane = try LaneStore(workspace: workspace).require(name)
        let repository = try workspace.openRepository()
        let base = try repository.treeID(ofCommit: lane.base)
        guard let current = try LaneInspector(workspace: workspace).currentTree(of: lane, in: repository) else {
            if let removed = RemovedWorktreeWording.noResult(lane, workspace: workspace) { throw SpurError(removed) }
            throw SpurError("lane '\(name)' has no result and its worktree \(lane.worktree) is gone")
        }
        return (repository, base, current, workspace.workingTree(of: lane).root)
    }

    /// A git-style `--stat` block: " path | 12 ++++--" lines and a summary line.
    public static func stat(_ files: [FileChange], width: Int = 80) -> String {
        guard !files.isEmpty else { return "" }
        let names = files.map(\.path.display)
        let nameWidth = min(names.map(\.count).max() ?? 0, max(20, width - 30))
        let largest = max(files.map { $0.added + $0.removed }.max() ?? 0, 1)
        let barWidth = max(10, width - nameWidth - 12)
        var lines: [String] = zip(files, names).map { file, shown in
            let name = shown.count > nameWidth ? "..." + shown.suffix(nameWidth - 3) : shown
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
