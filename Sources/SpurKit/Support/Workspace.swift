import Foundation
import SpurGit
import SpurHookCore

/// The repository spur works on and the working tree it acts on, found from any folder inside
/// a working tree of the repository or inside one of spur's lanes.
///
/// `root` is the working tree spur was run in: the main one, or a linked one made with
/// `git worktree add` (with its own git dir, index and HEAD). From inside one of spur's own
/// lanes it is the working tree that lane was spawned from. State shared by every worktree
/// (lanes, logs, merges) lives in `<common git dir>/spur`. A lane's merge, overlap and guard
/// refer to the tree the lane was spawned from (`forLane`), whichever tree spur runs in.
public struct Workspace: Sendable {
    /// The root of the working tree spur acts on (absolute, no trailing slash).
    public let root: String
    /// That working tree's own git dir: `commonDir` for the main tree, `<commonDir>/worktrees/X`
    /// for a linked one.
    public let gitDir: String
    /// The git directory shared by every worktree.
    public let commonDir: String
    /// The main working tree's root.
    public let mainRoot: String

    /// The working tree spur acts on.
    public var workingTree: WorkingTree { WorkingTree(root: root, gitDir: gitDir) }
    /// The repository's main working tree.
    public var mainWorkingTree: WorkingTree { WorkingTree(root: mainRoot, gitDir: commonDir) }
    /// True when spur acts on the main working tree.
    public var isMainWorkingTree: Bool { workingTree.isSame(as: mainWorkingTree) }

    private init(root: String, gitDir: String, commonDir: String, mainRoot: String) {
        self.root = root
        self.gitDir = gitDir
        self.commonDir = commonDir
        self.mainRoot = mainRoot
    }

    /// Finds the repository containing `path` and the working tree to act on (see the type).
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
        let commonDir = Self.standardized(found.commonDir)
        // A folder whose `.git` file names another working tree's `.git` (a lane's task can
        // write one) borrows that git dir: the main working tree is the one the git dir belongs to.
        let borrowed = (found.gitDir as NSString).lastPathComponent == ".git" && found.workdir.map {
            CanonicalPath.of($0, relativeTo: "/") != CanonicalPath.of((found.gitDir as NSString).deletingLastPathComponent, relativeTo: "/")
        } == true
        let main = found.isLinkedWorktree || borrowed ? try Repository(path: commonDir) : found
        guard let mainRoot = main.workdir, !main.isBare else {
            throw SpurError.usage("the main repository at \(commonDir) has no working tree")
        }
        let mainWorkspace = Workspace(root: Self.standardized(mainRoot), gitDir: commonDir, commonDir: commonDir,
                                      mainRoot: Self.standardized(mainRoot))
        guard found.isLinkedWorktree, let linkedRoot = found.workdir else {
            self = mainWorkspace
            return
        }
        // libgit2 takes a linked worktree's root from git's record (`<admin>/gitdir`), so
        // `linkedRoot` is the tree git registered for this git dir.
        let admin = Self.standardized(found.gitDir)
        let adminName = (admin as NSString).lastPathComponent
        let lanePrefix = Lane.worktreeAdminName("")
        let inWorktreesFolder = CanonicalPath.of((admin as NSString).deletingLastPathComponent, relativeTo: "/")
            == CanonicalPath.of(commonDir + "/worktrees", relativeTo: "/")
        guard inWorktreesFolder, adminName.hasPrefix(lanePrefix) else {
            self.init(root: Self.standardized(linkedRoot), gitDir: admin, commonDir: commonDir, mainRoot: mainWorkspace.mainRoot)
            return
        }
        // One of spur's lanes: act on the working tree it was spawned from.
        let laneName = String(adminName.dropFirst(lanePrefix.count))
        let lane = try? LaneStore(workspace: mainWorkspace).load(laneName)
        self = try lane.map { try mainWorkspace.forLane($0) } ?? mainWorkspace
    }

    /// The workspace acting on the working tree `lane` was spawned from (records without one:
    /// the main tree). Throws a one-line refusal when that tree is gone or is no longer a
    /// worktree of this repository.
    public func forLane(_ lane: Lane) throws -> Workspace {
        try on(lane.workingTree, what: "lane \(lane.name) was spawned from")
    }

    /// The workspace acting on `tree` (nil: the main tree), after checking it is still a
    /// working tree of this repository; `what` completes "the working tree … is gone".
    public func on(_ tree: WorkingTree?, what: String) throws -> Workspace {
        guard let tree, !tree.isSame(as: mainWorkingTree) else {
            return Workspace(root: mainRoot, gitDir: commonDir, commonDir: commonDir, mainRoot: mainRoot)
        }
        guard tree.isRegisteredLinkedTree(of: commonDir) else {
            throw SpurError("the working tree \(what) (\(tree.root)) no longer exists or is no longer a worktree of this repository; "
                            + "nothing was changed")
        }
        return Workspace(root: Self.standardized(tree.root), gitDir: tree.gitDir, commonDir: commonDir, mainRoot: mainRoot)
    }

    /// The working tree `lane` belongs to (records without one: the main tree).
    public func workingTree(of lane: Lane) -> WorkingTree { lane.workingTree ?? mainWorkingTree }

    /// True when `lane` was spawned from the working tree this workspace acts on.
    public func isCurrent(_ lane: Lane) -> Bool { workingTree(of: lane).isSame(as: workingTree) }

    static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// Opens the repository at the working tree spur acts on (its index and HEAD are that
    /// tree's). Each caller gets its own handle (handles are not Sendable).
    public func openRepository() throws -> Repository { try Repository(path: root) }

    /// Where spur keeps lanes, logs, events and locks.
    public var stateDir: String { layout.stateDir }

    /// Where each of spur's records lies in the common git dir.
    public var layout: StateLayout { StateLayout(commonDir: commonDir) }

    /// Where lanes' worktrees go: git config `spur.worktreeRoot` (relative to the repository
    /// main working tree's root, or absolute) or `<common git dir>/spur/worktrees`.
    public func worktreeRoot(_ repository: Repository) throws -> String {
        if let configured = try repository.config().string("spur.worktreeRoot"), !configured.isEmpty {
            let expanded = (configured as NSString).expandingTildeInPath
            let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
                                              : URL(fileURLWithPath: mainRoot).appendingPathComponent(expanded)
            return url.standardizedFileURL.path
        }
        return stateDir + "/worktrees"
    }

    /// Turns a path given on the command line (relative to `cwd`, as bytes) into a path
    /// relative to the repository root; throws when it lies outside the repository. Worked out
    /// on bytes ("." and ".." removed at "/" bytes, links not followed), never by characters.
    public func repositoryRelativePath(_ path: GitPath, cwd: String) throws -> GitPath {
        let standardized = Self.standardized(path, cwd: cwd)
        let top = Self.standardized(GitPath(root), cwd: "/")
        guard standardized.isInside(top) else {
            throw SpurError.usage("\(path.display) is outside the repository \(root)")
        }
        let relative = GitPath(bytes: standardized.bytes.dropFirst(top.bytes.count == 1 ? 1 : top.bytes.count + 1))
        if relative.isInside(".git") {
            throw SpurError.usage("\(path.display) is inside the git directory")
        }
        return relative
    }

    /// `path` made absolute against `cwd` with "." and ".." components resolved and empty ones
    /// dropped, by bytes ("/" for the root).
    static func standardized(_ path: GitPath, cwd: String) -> GitPath {
        let absolute = path.bytes.first == 0x2F ? path : GitPath(cwd).appending(path)
        var components: [GitPath] = []
        for component in absolute.components where component != "." {
            if component == ".." { _ = components.popLast() } else { components.append(component) }
        }
        return GitPath(bytes: [0x2F] + Array(components.map(\.bytes).joined(separator: [0x2F])))
    }
}
