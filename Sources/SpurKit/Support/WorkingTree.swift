import Foundation
import SpurGit

/// One working tree a user works in: the repository's main working tree, or a linked one made
/// with `git worktree add` (never one of spur's lanes). Identified by its own git dir, which
/// holds its index and HEAD: the common git dir for the main tree, `<common>/worktrees/X` for a
/// linked one. Lanes and merge records name the tree they belong to with this value.
public struct WorkingTree: Codable, Sendable, Hashable {
    /// Absolute path of its root, no trailing slash.
    public let root: String
    /// Its own git dir (absolute).
    public let gitDir: String

    public init(root: String, gitDir: String) {
        self.root = root
        self.gitDir = gitDir
    }

    /// True when both name the same tree (their git dirs are the same folder).
    public func isSame(as other: WorkingTree) -> Bool {
        CanonicalPath.of(gitDir, relativeTo: "/") == CanonicalPath.of(other.gitDir, relativeTo: "/")
    }

    /// True when this linked tree is still a worktree of the repository at `commonDir`, as git
    /// registered it: its git dir is `<commonDir>/worktrees/X` (X not a lane's), git's record
    /// there names `root`, and `root/.git` names that git dir back. A record naming anything
    /// else (a task can write spur's records) is not a user's working tree.
    func isRegisteredLinkedTree(of commonDir: String) -> Bool {
        let admin = CanonicalPath.of(gitDir, relativeTo: "/")
        let adminName = (admin as NSString).lastPathComponent
        guard (admin as NSString).deletingLastPathComponent == CanonicalPath.of(commonDir + "/worktrees", relativeTo: "/"),
              !adminName.hasPrefix(Lane.worktreeAdminName("")), FileStat.of(admin)?.kind == .directory,
              let repository = try? Repository(path: admin), repository.isLinkedWorktree,
              CanonicalPath.of(repository.gitDir, relativeTo: "/") == admin,
              CanonicalPath.of(repository.commonDir, relativeTo: "/") == CanonicalPath.of(commonDir, relativeTo: "/"),
              let workdir = repository.workdir,
              CanonicalPath.of(workdir, relativeTo: "/") == CanonicalPath.of(root, relativeTo: "/") else { return false }
        let link = root + "/.git"
        guard FileStat.of(link)?.kind == .file, let data = FileManager.default.contents(atPath: link),
              let text = String(data: data, encoding: .utf8), text.hasPrefix("gitdir: ") else { return false }
        let named = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .newlines)
        return !named.isEmpty && CanonicalPath.of(named, relativeTo: root) == admin
    }
}
