import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Whether a lane's worktree was removed behind spur's back (`git worktree remove`, `rm -rf`
/// with or without `git worktree prune`, Claude Code cleaning up its worktrees).
///
/// A lane's worktree counts as removed only when the kernel says so: `lstat` of the folder the
/// lane's record names fails with "no such file", and git's record of it is gone, or names that
/// same folder, or names a folder that is gone too. Any other answer (a permission or I/O error,
/// git's record naming a folder that exists) is `undecided`, which every caller treats like a
/// worktree that is there: a momentarily unreadable folder is never taken for a removed one.
public enum WorktreePresence: Sendable, Equatable {
    case present
    case removed
    /// spur cannot tell; the words say why.
    case undecided(String)

    /// The presence of `lane`'s worktree now. A lane that never had a worktree (queued behind
    /// another) or whose result was merged is `present`: nothing about it depends on one.
    public static func of(_ lane: Lane, workspace: Workspace) -> WorktreePresence {
        if lane.neverHadWorktree || lane.state == .merged { return .present }
        switch entry(at: lane.worktree) {
        case .exists: return .present
        case .unreadable(let why): return .undecided("\(lane.worktree) cannot be read: \(why)")
        case .absent: break
        }
        let admin = LaneWorktree(workspace: workspace, name: lane.name).adminFolder
        switch entry(at: admin) {
        case .absent: return .removed
        case .unreadable(let why): return .undecided("\(admin) cannot be read: \(why)")
        case .exists: break
        }
        // git's own rule for a prunable worktree: its record has no `gitdir`, or the `.git` it names is gone.
        switch entry(at: admin + "/gitdir") {
        case .absent: return .removed
        case .unreadable(let why): return .undecided("\(admin)/gitdir cannot be read: \(why)")
        case .exists: break
        }
        guard let data = FileManager.default.contents(atPath: admin + "/gitdir"),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .newlines),
              text.hasPrefix("/"), text.hasSuffix("/.git") else {
            return .undecided("git's worktree record \(admin)/gitdir cannot be read as a worktree's .git")
        }
        let registered = String(text.dropLast("/.git".count))
        if LaneWorktree.standardized(registered) == LaneWorktree.standardized(lane.worktree) { return .removed }
        switch entry(at: registered) {
        case .absent: return .removed
        case .unreadable(let why): return .undecided("\(registered) cannot be read: \(why)")
        case .exists:
            return .undecided("git registered lane \(lane.name)'s worktree at \(registered), which exists, not at \(lane.worktree)")
        }
    }

    enum Entry { case exists, absent, unreadable(String) }

    /// What `lstat` says of `path`: only ENOENT and ENOTDIR (a parent gone or no longer a folder) mean absent.
    static func entry(at path: String) -> Entry {
        var info = stat()
        if lstat(path, &info) == 0 { return .exists }
        let error = errno
        return error == ENOENT || error == ENOTDIR ? .absent : .unreadable(String(cString: strerror(error)))
    }
}

extension Lane {
    /// True when the lane's content is its result commit (its task ended or `finish` ran), so
    /// it keeps being diffable and mergeable without a worktree.
    public var hasResult: Bool { head != nil && !state.isActive && state != .created }
}

extension WorktreePresence {
    /// Why spur cannot tell, for an `undecided` presence.
    public var undecidedReason: String? {
        if case .undecided(let why) = self { return why }
        return nil
    }
}

/// How `list`, `status` and `show` word a lane whose worktree was removed.
enum RemovedWorktreeWording {
    /// The state to show and the problem line: a lane with a result keeps its state (its result
    /// is still diffable and mergeable); one without shows as `removed`.
    static func stateAndProblem(of lane: Lane) -> (state: String, problem: String) {
        if lane.hasResult {
            return (lane.state.rawValue, "worktree \(lane.worktree) was removed; the result is kept on branch spur/\(lane.name) "
                + "('spur diff' and 'spur merge' work; 'spur gc' archives it)")
        }
        if lane.state.isActive {
            return (LaneReport.removed, "worktree \(lane.worktree) was removed while its task runs; the task is ended and "
                + "the lane recorded as killed")
        }
        return (LaneReport.removed, "worktree \(lane.worktree) was removed before the lane had a result; 'spur gc' cleans it "
            + "(its branch is archived first if it holds commits)")
    }
}

extension RemovedWorktreeWording {
    /// The supervisor's reason for ending a task whose worktree was removed.
    static func endReason(_ lane: Lane) -> String {
        "worktree removed: \(lane.worktree) no longer exists, so the task was ended"
    }

    /// Why no result was recorded, when it is because the worktree was removed; nil otherwise.
    static func resultError(_ lane: Lane, ending killReason: String?, workspace: Workspace) -> String? {
        guard WorktreePresence.of(lane, workspace: workspace) == .removed else { return nil }
        return killReason?.hasPrefix("worktree removed") == true ? "no result recorded"
            : "worktree removed: \(lane.worktree) no longer exists; no result recorded"
    }
}

extension RemovedWorktreeWording {
    /// The state `compare` shows: `removed` for a lane without a result whose worktree was removed.
    static func shownState(of lane: Lane, workspace: Workspace) -> String {
        !lane.hasResult && WorktreePresence.of(lane, workspace: workspace) == .removed ? LaneReport.removed : lane.state.rawValue
    }

    /// Why a lane without a result has nothing to diff, merge or record, when its worktree was
    /// removed; nil otherwise.
    static func noResult(_ lane: Lane, workspace: Workspace) -> String? {
        guard !lane.hasResult, WorktreePresence.of(lane, workspace: workspace) == .removed else { return nil }
        return "lane \(lane.name)'s worktree \(lane.worktree) was removed before it had a result, so there is nothing "
            + "to use; 'spur gc' cleans the lane (its branch is archived first if it holds commits)"
    }
}
