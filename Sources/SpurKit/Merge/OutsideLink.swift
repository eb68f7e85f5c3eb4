import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// A symbolic link a lane puts into the working tree whose target leaves the repository: an
/// absolute target not under the working tree, a relative one that climbs above its root, or
/// one into a `.git` folder. `merge` writes one only with consent (`--allow-outside-links`);
/// `merge`, `status` and `diff` name each one.
///
/// Judged on the target's text alone (links inside the tree on the way are not followed), so
/// the answer does not depend on what is on disk.
public struct OutsideLink: Sendable, Encodable, Equatable {
    public let path: GitPath
    /// The link's target as written (invalid UTF-8 shown as U+FFFD).
    public let target: String
    /// True when the path held a file before (a type change), false for a new or changed link.
    public let typeChange: Bool

    public init(path: GitPath, target: String, typeChange: Bool) {
        self.path = path
        self.target = target
        self.typeChange = typeChange
    }

    /// One line for people: what the path becomes and why it matters.
    public var sentence: String {
        "\(path): \(typeChange ? "type change, a file becomes a" : "a") link to \(target), outside the repository"
    }

    /// True when a link at `path` (relative to the working tree `root`) with `target` points
    /// outside the repository.
    public static func leavesRepository(target: [UInt8], at path: GitPath, root: String) -> Bool {
        // Bytes split at "/" bytes, as the kernel resolves it (never by characters: a combining
        // mark after "/" would glue to it and hide a "..").
        if target.isEmpty { return false }
        let dot: [UInt8] = [0x2E], dotDot: [UInt8] = [0x2E, 0x2E]
        func components<C: Collection>(_ bytes: C) -> [[UInt8]] where C.Element == UInt8 {
            bytes.split(separator: 0x2F).map(Array.init)
        }
        var resolved: [[UInt8]]
        if target.first == 0x2F {
            resolved = []
            for component in components(target) where component != dot {
                if component == dotDot { _ = resolved.popLast() } else { resolved.append(component) }
            }
            let rootComponents = components(root.utf8)
            guard resolved.count >= rootComponents.count, Array(resolved.prefix(rootComponents.count)) == rootComponents else { return true }
            resolved.removeFirst(rootComponents.count)
        } else {
            resolved = Array(components(path.bytes).dropLast())
            for component in components(target) where component != dot {
                if component == dotDot {
                    if resolved.popLast() == nil { return true }
                } else {
                    resolved.append(component)
                }
            }
        }
        return resolved.contains { $0.count == 4 && String(decoding: $0, as: UTF8.self).lowercased() == ".git" }
    }

    /// The links leaving the repository among the changes from tree `base` to tree `tree`.
    static func find(in repository: Repository, from base: ObjectID, to tree: ObjectID, root: String) throws -> [OutsideLink] {
        try repository.changes(from: base, to: tree).compactMap { change in
            guard change.newMode == .link, let id = change.newID else { return nil }
            let target = try repository.blob(id).bytes
            guard leavesRepository(target: target, at: change.newPath, root: root) else { return nil }
            return OutsideLink(path: change.newPath, target: String(decoding: target, as: UTF8.self),
                               typeChange: change.oldID != nil && change.oldMode.isFile)
        }
    }

    /// The links leaving the repository among `paths` of a committed tree (one lookup each).
    static func find(inTree tree: Tree, of repository: Repository, paths: [GitPath], base: Tree, root: String) throws -> [OutsideLink] {
        try paths.compactMap { path in
            guard let entry = try tree.entry(path: path), entry.mode == .link else { return nil }
            return try link(at: path, target: repository.blob(entry.id).bytes, base: base, root: root)
        }
    }

    /// The links leaving the repository among `paths` of a live worktree (one `readlink` each).
    static func find(inWorktree worktree: String, paths: [GitPath], base: Tree, root: String) throws -> [OutsideLink] {
        try paths.compactMap { path in
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path.under(worktree).cString, &buffer, buffer.count)
            guard count >= 0 else { return nil }
            return try link(at: path, target: buffer.prefix(count).map { UInt8(bitPattern: $0) }, base: base, root: root)
        }
    }

    /// The link at `path` with `target`, when it leaves the repository; a type change when the
    /// base held a file there.
    private static func link(at path: GitPath, target: [UInt8], base: Tree, root: String) throws -> OutsideLink? {
        guard leavesRepository(target: target, at: path, root: root) else { return nil }
        let old = try base.entry(path: path)
        return OutsideLink(path: path, target: String(decoding: target, as: UTF8.self), typeChange: old?.mode.isFile ?? false)
    }
}

extension LaneInspector {
    /// The links lane `lane` puts outside the repository: from its result, or, while it runs,
    /// among `changedFiles` of its worktree.
    public func outsideLinks(of lane: Lane, changedFiles: [GitPath], repository given: Repository? = nil) throws -> [OutsideLink] {
        let repository = try given ?? workspace.openRepository()
        let base = try repository.treeID(ofCommit: lane.base)
        let root = workspace.workingTree(of: lane).root
        if let head = lane.head, !lane.state.isActive, lane.state != .created {
            // Only a changed path can hold a new link: look those up in the result's tree
            // (a whole-tree diff reads every folder, which status pays for each lane).
            let result = try repository.tree(repository.treeID(ofCommit: head))
            return try OutsideLink.find(inTree: result, of: repository, paths: changedFiles, base: repository.tree(base), root: root)
        }
        guard !worktreeMissing(lane) else { return [] }
        return try OutsideLink.find(inWorktree: lane.worktree, paths: changedFiles, base: repository.tree(base), root: root)
    }
}
