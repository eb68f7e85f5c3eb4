import Foundation
import SpurGit

/// The repository spur works on, found from any folder inside its main working tree or inside
/// one of its lanes. Knows where spur keeps its state (`<common git dir>/spur`).
public struct Workspace: Sendable {
    /// The main working tree's root (absolute, no trailing slash).
    public let root: String
    /// The git directory shared by every worktree.
    public let commonDir: String

    /// Finds the repository containing `path`; from inside a lane it returns the main repository.
    public init(discoveringFrom path: String) throws {
        Environment.applyGitConfigOverrides()
        let found: Repository
        do {
            found = try Repository.discover(from: path)
        } catch let error as GitError where error.isNotFound {
            throw SpurError.usage("not a git repository (or any parent folder): \(path)")
        } catch let error as GitError {
            throw SpurError.usage("cannot open the repository at \(path): \(error.message)")
        }
        if found.isBare { throw SpurError.usage("\(found.gitDir) is a bare repository; spur needs a working tree") }
        let commonDir = URL(fileURLWithPath: found.commonDir).standardizedFileURL.path
        // A folder whose `.git` file names another working tree's `.git` (a lane's task can
        // write one) borrows that git dir: the main working tree is the one the git dir belongs to.
        let borrowed = (found.gitDir as NSString).lastPathComponent == ".git" && found.workdir.map {
            CanonicalPath.of($0, relativeTo: "/") != CanonicalPath.of((found.gitDir as NSString).deletingLastPathComponent, relativeTo: "/")
        } == true
        let main = found.isLinkedWorktree || borrowed ? try Repository(path: commonDir) : found
        guard let root = main.workdir, !main.isBare else {
            throw SpurError.usage("the main repository at \(commonDir) has no working tree")
        }
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.commonDir = commonDir
    }

    /// Opens the main repository. Each caller gets its own handle (handles are not Sendable).
    public func openRepository() throws -> Repository { try Repository(path: root) }

    /// Where spur keeps lanes, logs, events and locks.
    public var stateDir: String { commonDir + "/spur" }

    /// Where lanes' worktrees go: git config `spur.worktreeRoot` (relative to the repository
    /// root, or absolute) or `<common git dir>/spur/worktrees`.
    public func worktreeRoot(_ repository: Repository) throws -> String {
        if let configured = try repository.config().string("spur.worktreeRoot"), !configured.isEmpty {
            let expanded = (configured as NSString).expandingTildeInPath
            let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
                                              : URL(fileURLWithPath: root).appendingPathComponent(expanded)
            return url.standardizedFileURL.path
        }
        return stateDir + "/worktrees"
    }

    /// Turns a path given on the command line (relative to `cwd`) into a path relative to the
    /// repository root; throws when it lies outside the repository.
    public func repositoryRelativePath(_ path: String, cwd: String) throws -> String {
        let absolute = path.hasPrefix("/") ? path : cwd + "/" + path
        let standardized = URL(fileURLWithPath: absolute).standardizedFileURL.path
        if standardized == root { return "" }
        guard standardized.hasPrefix(root + "/") else {
            throw SpurError.usage("\(path) is outside the repository \(root)")
        }
        let relative = String(standardized.dropFirst(root.count + 1))
        if relative == ".git" || relative.hasPrefix(".git/") {
            throw SpurError.usage("\(path) is inside the git directory")
        }
        return relative
    }
}
