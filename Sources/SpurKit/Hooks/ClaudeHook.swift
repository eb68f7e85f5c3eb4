import Foundation
import SpurGit

/// Decides Claude Code hook events (`spur hook claude`):
///
/// - PreToolUse of a file-writing tool in the main working tree: when a live lane has changed
///   that file, answers per git config `spur.guard` (warn: allow and tell the agent; ask: the
///   person decides; deny: refuse). Any other file passes silently.
/// - PreToolUse in a lane's worktree (a background agent): refuses any write outside that
///   worktree, so the agent cannot race the person's working tree, and any write of its `.git`.
/// - UserPromptSubmit and SessionStart: lane events not yet delivered to this session.
/// - SubagentStop and Stop: the end of an agent's work in a lane made as Claude Code's worktree
///   (`ClaudeAgentStop`). WorktreeCreate is answered by `ClaudeWorktreeProvider`, not here.
/// - PreToolUse and PostToolUse (or PostToolUseFailure) of Bash: `BashWriteGuard`.
///
/// It never blocks because of spur's own trouble: malformed input, an unknown event or a
/// folder outside any repository give a silent answer with one warning line. Its cost does not
/// depend on the repository's size: one path is compared with each lane's base (`LaneChecker`).
public struct ClaudeHook: Sendable {
    /// The tools whose calls write one file, named by `tool_input.file_path` or `notebook_path`.
    public static let editTools: Set<String> = ["Edit", "Write", "MultiEdit", "NotebookEdit"]

    public let environment: [String: String]
    public let now: Date
    /// The hook process's folder, used when an event carries no `cwd`.
    public let processDirectory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date(),
                processDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment
        self.now = now
        self.processDirectory = processDirectory
    }

    /// The answer to one payload as read from standard input. Never throws.
    public func answer(_ data: Data) -> ClaudeHookAnswer {
        answer(parsed: Result { try ClaudeHookInput.parse(data) })
    }

    /// The answer to a payload `ClaudeHookInput.parse` has read (or could not). Never throws.
    public func answer(parsed: Result<ClaudeHookInput, Error>) -> ClaudeHookAnswer {
        switch parsed {
        case .success(let input): return answer(input)
        case .failure(let error): return .failOpen(Self.describe(error))
        }
    }

    /// The answer to one event. Never throws.
    public func answer(_ input: ClaudeHookInput) -> ClaudeHookAnswer {
        do {
            switch input.event {
            case "PreToolUse" where input.toolName == BashWriteGuard.tool: return try BashWriteGuard(hook: self).before(input)
            case "PreToolUse": return try preToolUse(input)
            case "PostToolUse", "PostToolUseFailure":
                return input.toolName == BashWriteGuard.tool ? try BashWriteGuard(hook: self).after(input) : .silent
            case "UserPromptSubmit", "SessionStart": return try laneNews(input)
            case "SubagentStop", "Stop": return try agentStopped(input)
            default: return .failOpen("spur does not handle \(input.event) events")
            }
        } catch {
            return .failOpen(Self.describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        (error as? SpurError)?.message ?? (error as? GitError)?.message ?? "\(error)"
    }

    // MARK: - Where the agent works

    /// The repository around the event, its lanes, and the lane the agent works in, if any.
    struct Context {
        let workspace: Workspace
        let lanes: [Lane]
        /// The event's folder, canonical.
        let cwd: String
        /// The main working tree's root, canonical.
        let root: String
        /// The lane whose worktree the agent works in (a background agent), with its canonical root.
        let lane: (lane: Lane, root: String)?
        /// Every existing lane worktree, canonical.
        let laneRoots: [(lane: Lane, root: String)]
    }

    func context(for input: ClaudeHookInput) throws -> Context {
        let given = input.cwd.flatMap { $0.isEmpty ? nil : $0 } ?? processDirectory
        let cwd = CanonicalPath.of(given, relativeTo: processDirectory)
        let workspace = try Workspace(discoveringFrom: cwd)
        let lanes = try LaneStore(workspace: workspace).all()
        let laneRoots = lanes.filter { FileManager.default.isDirectory($0.worktree) }
            .map { (lane: $0, root: CanonicalPath.of($0.worktree, relativeTo: "/")) }
        // A lane's worktree may lie inside the main working tree (spur.worktreeRoot), so lanes come first.
        let lane = laneRoots.first { CanonicalPath.isInside(cwd, $0.root) }
            ?? environment["SPUR_LANE"].flatMap { name in laneRoots.first { $0.lane.name == name } }
        return Context(workspace: workspace, lanes: lanes, cwd: cwd, root: CanonicalPath.of(workspace.root, relativeTo: "/"),
                       lane: lane, laneRoots: laneRoots)
    }

    // MARK: - PreToolUse

    func preToolUse(_ input: ClaudeHookInput) throws -> ClaudeHookAnswer {
        guard let tool = input.toolName, Self.editTools.contains(tool) else { return .silent }
        guard let given = input.filePath, !given.isEmpty else {
            throw SpurError("the \(tool) call names no file (tool_input.\(tool == "NotebookEdit" ? "notebook_path" : "file_path"))")
        }
        if let tooLong = CanonicalPath.lengthProblem(of: given) { throw SpurError("the \(tool) call's file: \(tooLong)") }
        let context = try context(for: input)
        let target = CanonicalPath.of(given, relativeTo: context.cwd)
        if let lane = context.lane { return confine(target, given: given, to: lane, context: context) }
        return try guardMainTree(target, context: context)
    }

    /// A background agent writes inside its own worktree only, and never its `.git` (which links
    /// the worktree to the repository; spur refuses a result whose `.git` was changed).
    func confine(_ target: String, given: String, to lane: (lane: Lane, root: String), context: Context) -> ClaudeHookAnswer {
        if CanonicalPath.isInside(target, lane.root) {
            guard let inLane = Self.relative(target, to: lane.root), Self.isGitDirectory(inLane) else { return .silent }
            return .decision(.deny, reason: "spur: \(lane.lane.worktree)/.git links lane \(lane.lane.name)'s worktree to its "
                + "repository; a lane's agent must not change it (spur would refuse the lane's result). Keep every change "
                + "to the lane's own files.")
        }
        var reason = "spur: this session works in lane \(lane.lane.name)'s worktree \(lane.lane.worktree); "
            + "writing \(given) outside it is refused, because it would race the user's own working tree."
        if let relative = Self.relative(target, to: context.root), !Self.isGitDirectory(relative) {
            reason += " Make the change in \(lane.lane.worktree)/\(relative) instead; spur brings the lane's work back when the task ends."
        } else {
            reason += " Keep every change inside the worktree."
        }
        return .decision(.deny, reason: reason)
    }

    /// The interactive agent edits the main working tree: warn, ask or deny when a live lane
    /// changed the same file.
    func guardMainTree(_ target: String, context: Context) throws -> ClaudeHookAnswer {
        guard let relative = Self.relative(target, to: context.root), !relative.isEmpty, !Self.isGitDirectory(relative),
              !context.laneRoots.contains(where: { CanonicalPath.isInside(target, $0.root) }),
              context.lanes.contains(where: OverlapAnalyzer.isLive) || !LaneStore(workspace: context.workspace).damaged().isEmpty
        else { return .silent }
        let checked = try LaneChecker(workspace: context.workspace).check([relative], cwd: context.workspace.root)
        guard let changedIn = checked.first?.lanes, !changedIn.isEmpty else {
            // Undecided is not "a lane changed it": the edit goes ahead, with a note.
            guard let unknown = checked.first?.undecided.first else { return .silent }
            return .failOpen("could not tell whether lane \(unknown.lane) changed \(relative): \(unknown.reason)")
        }
        let (mode, warning) = GuardMode.configured(in: try context.workspace.openRepository())
        let who = HookWording.lanes(changedIn, states: HookWording.states(of: context.lanes))
        let has = changedIn.count == 1 ? "has" : "have"
        let lane = changedIn.count == 1 ? changedIn[0] : "LANE"
        var answer: ClaudeHookAnswer
        switch mode {
        case .warn:
            answer = .context("spur: \(who) \(has) also changed \(relative). The edit is allowed (git config spur.guard=warn), "
                + "but merging that lane into this working tree later may conflict with it. If you can, leave \(relative) alone "
                + "until the lane is merged (`spur status` shows the overlap, `spur merge \(lane)` brings its work in); "
                + "if you edit it, tell the user.", event: "PreToolUse")
        case .ask:
            answer = .decision(.ask, reason: "spur: \(who) \(has) also changed \(relative); editing it here may conflict "
                + "when that lane is merged (git config spur.guard=ask).")
        case .deny:
            answer = .decision(.deny, reason: "spur: \(who) \(has) also changed \(relative), so editing it here is refused "
                + "(git config spur.guard=deny). Work on other files, wait until the lane is merged (`spur status`, "
                + "`spur merge \(lane)`), or ask the user to merge or discard it.")
        }
        answer.warning = warning.map { "spur: warning: \($0)" }
        return answer
    }

    /// `path` relative to `root` (both canonical), "" for the root itself, nil outside it.
    static func relative(_ path: String, to root: String) -> String? {
        guard CanonicalPath.isInside(path, root) else { return nil }
        let rootLength = root.utf8.count
        return String(decoding: path.utf8.dropFirst(rootLength == 1 ? 1 : min(path.utf8.count, rootLength + 1)), as: UTF8.self)
    }

    static func isGitDirectory(_ relative: String) -> Bool {
        GitPath(relative).isInside(".git")
    }

    // MARK: - UserPromptSubmit and SessionStart

    func laneNews(_ input: ClaudeHookInput) throws -> ClaudeHookAnswer {
        guard let session = input.sessionID, !session.isEmpty else { throw SpurError("the \(input.event) event has no session_id") }
        let context = try context(for: input)
        // A background agent is not told about other lanes.
        if context.lane != nil { return .silent }
        let news = LaneNews(workspace: context.workspace)
        if input.event == "SessionStart" { news.prune(now: now) }
        let events = try news.take(session: session, now: now, existingLanes: Set(context.lanes.map(\.name)))
        guard !events.isEmpty else { return .silent }
        return .context(LaneNews.text(events), event: input.event)
    }
}
