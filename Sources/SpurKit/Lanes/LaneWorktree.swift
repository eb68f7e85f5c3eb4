import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// A lane's worktree reached the way spur registered it, never through what a task left in it.
///
/// The task owns its worktree, including the `.git` file that links it to the repository, and
/// it can write spur's lane records. So spur opens a lane's worktree through git's admin folder
/// for it (`<common git dir>/worktrees/spur-NAME`): the repository `open` returns has that
/// folder as its git directory, so its index, HEAD and config are the lane's whatever the
/// worktree's `.git` now says, and its working tree is the lane's worktree path. `open` throws
/// `Tampered` when the `.git` in the worktree no longer names that admin folder (a task
/// pointed it elsewhere or replaced it), or git's record names another working tree.
/// `removableFolder` names the only folder `discard` may delete.
public struct LaneWorktree: Sendable {
    public let workspace: Workspace
    public let name: String

    /// Thrown when what a lane's worktree holds no longer links it to the lane: spur reads and
    /// records nothing through it.
    public struct Tampered: Error, CustomStringConvertible {
        public let description: String
        /// True when the worktree's `.git` itself is what changed (rewriting it repairs the link).
        public var inGitFile = false
    }

    public init(workspace: Workspace, name: String) {
        self.workspace = workspace
        self.name = name
    }

    /// git's admin folder for the lane's worktree.
    public var adminFolder: String { workspace.commonDir + "/worktrees/" + Lane.worktreeAdminName(name) }

    /// Opens the worktree of `lane` through its admin folder, after checking that `lane.worktree`
    /// is the working tree git registered for it and that its `.git` still names that folder.
    public static func open(_ lane: Lane, workspace: Workspace) throws -> Repository {
        try LaneWorktree(workspace: workspace, name: lane.name).open(expectedPath: lane.worktree)
    }

    func open(expectedPath: String) throws -> Repository {
        if let problem = LaneName.problem(with: name) { throw SpurError("invalid lane name '\(name)': \(problem)") }
        let admin = adminFolder
        guard FileStat.of(admin)?.kind == .directory else {
            throw SpurError("git has no worktree record for lane '\(name)' (\(admin) is missing)")
        }
        let expected = CanonicalPath.of(expectedPath, relativeTo: "/")
        // The lane record is checked against git's record first: a `.git` is only looked at in
        // the folder git registered (advice to repair a `.git` must never reach another folder).
        let registered = try registeredPath()
        guard let registered, CanonicalPath.of(registered, relativeTo: "/") == expected else {
            throw Tampered(description: "lane \(name)'s record names \(expectedPath), but git registered its worktree at "
                + "\(registered ?? "no folder")")
        }
        try checkGitLink(in: expectedPath, admin: admin)
        let repository = try Repository(path: admin)
        guard repository.isLinkedWorktree, CanonicalPath.of(repository.gitDir, relativeTo: "/") == CanonicalPath.of(admin, relativeTo: "/"),
              let workdir = repository.workdir, CanonicalPath.of(workdir, relativeTo: "/") == expected else {
            throw Tampered(description: "git's worktree record \(admin) names \(repository.workdir ?? "no working tree"), "
                + "not lane \(name)'s worktree \(expectedPath)")
        }
        // Its objects and refs must be the repository's own (`<admin>/commondir` is a file too).
        guard CanonicalPath.of(repository.commonDir, relativeTo: "/") == CanonicalPath.of(workspace.commonDir, relativeTo: "/") else {
            throw Tampered(description: "git's worktree record \(admin) belongs to \(repository.commonDir), not \(workspace.commonDir)")
        }
        return repository
    }

    /// Throws `Tampered` unless `folder/.git` is a regular file saying `gitdir: <admin>`.
    func checkGitLink(in folder: String, admin: String) throws {
        let link = folder + "/.git"
        guard let info = FileStat.of(link) else {
            throw Tampered(description: "\(link) is gone", inGitFile: true)
        }
        guard info.kind == .file, let data = FileManager.default.contents(atPath: link),
              let text = String(data: data, encoding: .utf8), text.hasPrefix("gitdir: ") else {
            throw Tampered(description: "\(link) is no longer the file linking the worktree to \(admin)", inGitFile: true)
        }
        let named = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .newlines)
        guard !named.isEmpty, CanonicalPath.of(named, relativeTo: folder) == CanonicalPath.of(admin, relativeTo: "/") else {
            throw Tampered(description: "\(link) names \(named), not \(admin)", inGitFile: true)
        }
    }

    /// The only folder `discard` may delete for this lane: the working tree git registered for
    /// it, when it is the lane's folder in spur's lanes folder (`worktreeRoot/NAME`, or the
    /// default `<common git dir>/spur/worktrees/NAME`) inside a real folder, not a link; or, for
    /// a lane made before `spur.worktreeRoot` changed, when the lane's record names it too and
    /// its `.git` is still the file naming this lane's admin folder. Nil when there is nothing
    /// to delete; throws when git's record names any other folder, which is then left alone.
    public func removableFolder(in repository: Repository, recordedPath: String?) throws -> String? {
        if let problem = LaneName.problem(with: name) { throw SpurError("invalid lane name '\(name)': \(problem)") }
        let allowed = [try workspace.worktreeRoot(repository) + "/" + name, workspace.stateDir + "/worktrees/" + name]
            .map(Self.standardized)
        guard let registered = try registeredPath().map(Self.standardized) else {
            // git no longer records the worktree: only the lane's own folder in the lanes folder.
            return try allowed.first { FileStat.of($0) != nil }.map(inRealLanesFolder)
        }
        guard FileStat.of(registered) != nil else { return nil }
        if allowed.contains(registered) { return try inRealLanesFolder(registered) }
        let linked = (try? checkGitLink(in: registered, admin: adminFolder)) != nil
        guard linked, recordedPath.map(Self.standardized) == registered else {
            throw SpurError("the worktree git registered for lane '\(name)' is \(registered), outside spur's lanes folder "
                + "and not provably the lane's; not deleting it (remove it yourself if it is the lane's)")
        }
        return registered
    }

    /// `folder`, after checking that the lanes folder holding it is a real folder, not a link
    /// to somewhere else.
    private func inRealLanesFolder(_ folder: String) throws -> String {
        let lanesFolder = (folder as NSString).deletingLastPathComponent
        guard FileStat.of(lanesFolder)?.kind == .directory else {
            throw SpurError("\(lanesFolder) is not a folder (a link?); not deleting \(folder)")
        }
        return folder
    }

    /// The working tree git's record names (`<admin>/gitdir` names its `.git` file); nil
    /// without a readable record.
    func registeredPath() throws -> String? {
        let admin = adminFolder
        guard FileStat.of(admin)?.kind == .directory, let data = FileManager.default.contents(atPath: admin + "/gitdir"),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let gitFile = text.trimmingCharacters(in: .newlines)
        guard gitFile.hasPrefix("/"), gitFile.hasSuffix("/.git") else {
            throw SpurError("git's worktree record \(admin)/gitdir names \(gitFile), not a worktree's .git; not deleting anything")
        }
        return String(gitFile.dropLast("/.git".count))
    }

    static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
