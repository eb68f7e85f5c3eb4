import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// A lane's submodules, checked out at the commits its snapshot records.
///
/// Guarantees: a submodule the user's tree has initialised (its folder holds a `.git`) gets,
/// in the lane, a repository of its own under the lane's git admin folder
/// (`<common dir>/worktrees/spur-NAME/modules/<name>`, where `git submodule update` in a linked
/// worktree puts it; discard's prune of that folder removes it) that borrows the objects of the
/// user's module repository through `objects/info/alternates` (no copy, no network) and never
/// writes into it. Its HEAD is detached at the recorded commit, its files and index checked out.
/// Nested submodules are done the same way, up to 8 levels. A submodule the user has not
/// initialised, or whose repository lacks the recorded commit, stays an empty folder, as git
/// leaves it.
struct LaneSubmodules {
    /// One submodule entry of a checked-out tree.
    struct Gitlink {
        var path: String
        var commit: ObjectID
        /// Its name in `.gitmodules` (nil: none, so git does not treat it as a submodule).
        var name: String?
    }

    static let maximumDepth = 8

    /// Checks out the submodules of the tree checked out at `laneRoot` (whose git dir is
    /// `laneGitDir`), from the module repositories of the user's tree at `userRoot`.
    static func checkOut(laneRoot: String, laneGitDir: String, userRoot: String, applyFilters: Bool, depth: Int = 0) throws {
        for link in try gitlinks(checkedOutAt: laneRoot) {
            guard let name = link.name, isSafeModuleName(name),
                  let source = moduleGitDir(ofFolder: userRoot + "/" + link.path) else { continue }
            let workdir = laneRoot + "/" + link.path
            let gitDir = laneGitDir + "/modules/" + name
            let sourceGitDir: String
            do {
                let sourceRepository = try Repository(path: source)
                guard sourceRepository.hasCommit(link.commit) else { continue }
                sourceGitDir = sourceRepository.commonDir
            } catch { continue }
            do {
                try Repository.checkOutSubmodule(gitDir: gitDir, workdir: workdir, borrowingFrom: sourceGitDir,
                                                  commit: link.commit, applyFilters: applyFilters)
            } catch {
                // What this submodule got is removed: its folder stays empty, as an uninitialised one.
                try? FileManager.default.removeItem(atPath: gitDir)
                try? FileManager.default.removeItem(atPath: workdir)
                try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: false)
                continue
            }
            if depth + 1 < maximumDepth {
                try checkOut(laneRoot: workdir, laneGitDir: gitDir, userRoot: userRoot + "/" + link.path,
                             applyFilters: applyFilters, depth: depth + 1)
            }
        }
    }

    /// What `spawn` tells about the submodules of a new lane: those whose changes in the user's
    /// tree (files changed, staged or untracked inside them) the lane does not have, when the
    /// lane was made from the working tree; those left empty because the recorded commit is not
    /// in the user's module repository.
    static func notes(forLaneAt laneRoot: String, userRoot: String, fromWorkingTree: Bool) -> [String] {
        guard let links = try? gitlinks(checkedOutAt: laneRoot) else { return [] }
        var notes: [String] = []
        for link in links {
            guard link.name != nil, let source = moduleGitDir(ofFolder: userRoot + "/" + link.path) else { continue }
            let short = String(link.commit.hex.prefix(7))
            if !FileManager.default.fileExists(atPath: laneRoot + "/" + link.path + "/.git") {
                notes.append("submodule \(link.path): commit \(short) is not in \(source); its folder in the lane is empty")
            } else if fromWorkingTree, let user = try? Repository(path: userRoot + "/" + link.path),
                      (try? user.hasUncommittedChanges()) == true {
                notes.append("submodule \(link.path) has uncommitted changes; the lane has its commit \(short) only")
            }
        }
        return notes
    }

    /// The gitlinks of the tree checked out at `root` (from its index; entries outside a sparse
    /// checkout left out), each with its `.gitmodules` name; none without a `.gitmodules`. Paths that are not UTF-8 are left
    /// out (their folders stay empty).
    static func gitlinks(checkedOutAt root: String) throws -> [Gitlink] {
        // Without .gitmodules git names no submodule: the index (large or not) is not read.
        guard FileManager.default.fileExists(atPath: root + "/.gitmodules") else { return [] }
        let entries = try Repository(path: root).index().entries().filter { $0.mode == .commit && !$0.isSkipWorktree }
        guard !entries.isEmpty else { return [] }
        let names = (try? Config.submodulePaths(inGitmodules: root + "/.gitmodules")) ?? []
        return entries.compactMap { entry in
            guard entry.path.isValidUTF8 else { return nil }
            let path = entry.path.text
            return Gitlink(path: path, commit: entry.id, name: names.last { $0.path == path }?.name)
        }
    }

    /// The repository of a submodule folder of the user's tree: what its `.git` file names, or
    /// its `.git` folder; nil when the submodule is not initialised there.
    static func moduleGitDir(ofFolder folder: String) -> String? {
        let dotGit = folder + "/.git"
        var info = stat()
        guard lstat(dotGit, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT == S_IFDIR { return dotGit }
        guard info.st_mode & S_IFMT == S_IFREG, let text = try? String(contentsOfFile: dotGit, encoding: .utf8),
              text.hasPrefix("gitdir: ") else { return nil }
        let named = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .newlines)
        let path = named.hasPrefix("/") ? named : folder + "/" + named
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.path
        return FileManager.default.fileExists(atPath: resolved + "/HEAD") ? resolved : nil
    }

    /// A name git would accept for a module folder: relative, no empty, `.` or `..` component.
    static func isSafeModuleName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/")
            && !name.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}

extension Lanes {
    /// Checks out the submodules of a new lane's worktree (see `LaneSubmodules`).
    func checkOutSubmodules(ofLane name: String, worktree: String, applyFilters: Bool) throws {
        try LaneSubmodules.checkOut(laneRoot: worktree, laneGitDir: workspace.commonDir + "/worktrees/" + Lane.worktreeAdminName(name),
                                    userRoot: workspace.root, applyFilters: applyFilters)
    }

    /// The lines `spawn` prints about a new lane's submodules.
    public func submoduleNotes(of lane: Lane, fromWorkingTree: Bool) -> [String] {
        LaneSubmodules.notes(forLaneAt: lane.worktree, userRoot: workspace.root, fromWorkingTree: fromWorkingTree)
    }
}
