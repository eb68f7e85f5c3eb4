import Foundation
import SpurGit

/// `SubagentStop` and `Stop` for lanes made as Claude Code's worktrees (`ClaudeWorktreeProvider`):
/// when the agent working in such a lane stops, its worktree becomes the lane's result (as
/// `spur finish` records it), the verdict is computed, the event posted (the parent session
/// hears of it on its next prompt), and with git config `spur.claudeOnFinish merge` a clean
/// result is merged into the working tree the lane came from.
///
/// The lane is found by, in order: the event's `cwd` inside the lane's worktree; for
/// `SubagentStop`, the `agent_id` seen stopping in it before; the lane whose worktree the
/// subagent's own transcript (`agent_transcript_path`, its last 256 KB) names as its `cwd`
/// last; else the asking session's only claude-owned lane still `created` — a guess (another
/// subagent of the session may be the one stopping), so then no agent is bound to the lane and
/// its result is never merged automatically. An event for no such lane gets no answer. A lane whose
/// worktree holds what its result already holds is left alone (no new commit, no event), so a
/// background session's `Stop` after each of its turns costs one snapshot and says nothing new.
extension ClaudeHook {
    func agentStopped(_ input: ClaudeHookInput) throws -> ClaudeHookAnswer {
        // Claude Code stops its main session after every turn: outside a repository that is no news.
        guard let context = try? context(for: input), let found = claudeLane(for: input, context: context) else { return .silent }
        let agent = input.event == "SubagentStop" && !found.guessed ? input.agentID : nil
        try ClaudeLaneEnding(workspace: context.workspace).record(found.lane.name, agentID: agent, mayMerge: !found.guessed)
        return .silent
    }

    /// The claude-owned lane the stopping agent worked in, if spur knows it; `guessed` when only
    /// the session's one waiting lane points to it.
    func claudeLane(for input: ClaudeHookInput, context: Context) -> (lane: Lane, guessed: Bool)? {
        let owned = context.lanes.filter { $0.createdBy == ClaudeWorktreeProvider.creator }
        if let here = context.lane {
            return here.lane.createdBy == ClaudeWorktreeProvider.creator ? (here.lane, false) : nil
        }
        guard input.event == "SubagentStop" else { return nil }
        if let agent = input.agentID, !agent.isEmpty, let known = owned.first(where: { $0.claudeAgent == agent }) { return (known, false) }
        if let transcript = input.agentTranscriptPath, let named = Self.laneNamed(inTranscript: transcript, among: owned) {
            return (named, false)
        }
        guard let session = input.sessionID, !session.isEmpty else { return nil }
        let waiting = owned.filter { $0.claudeSession == session && $0.state == .created && $0.claudeAgent == nil }
        return waiting.count == 1 ? (waiting[0], true) : nil
    }

    /// The lane whose worktree a subagent's transcript names last as its `"cwd"` (Claude Code
    /// writes the folder a message was made in into each transcript line). Only the file's last
    /// 256 KB are read, so the cost does not grow with the transcript.
    static func laneNamed(inTranscript path: String, among lanes: [Lane]) -> Lane? {
        guard !lanes.isEmpty, let read = OutputTail.lastBytes(of: path, window: 256 * 1024), !read.bytes.isEmpty else { return nil }
        let tail = Data(read.bytes)
        var best: (lane: Lane, offset: Int)?
        for lane in lanes {
            let root = CanonicalPath.of(lane.worktree, relativeTo: "/")
            for spelling in Set([root, lane.worktree]) {
                for separator in ["\":\"", "\": \""] {
                    let marker = Data(("\"cwd" + separator + spelling + "\"").utf8)
                    if let found = tail.range(of: marker, options: .backwards), found.lowerBound > (best?.offset ?? -1) {
                        best = (lane, found.lowerBound)
                    }
                }
            }
        }
        return best?.lane
    }
}

/// Records the end of a Claude Code agent's work in its lane (see `ClaudeHook.agentStopped`).
public struct ClaudeLaneEnding: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Records lane `name`'s worktree as its result, unless the result already holds it;
    /// posts the event with the verdict, merging per `spur.claudeOnFinish`. Returns the lane
    /// when something was recorded.
    @discardableResult
    public func record(_ name: String, agentID: String?, mayMerge: Bool = true) throws -> Lane? {
        let store = LaneStore(workspace: workspace)
        guard let before = try store.load(name) else { return nil }
        if let agentID, !agentID.isEmpty, before.claudeAgent == nil {
            _ = try store.update(name) { $0.claudeAgent = agentID }
        }
        if try holdsItsResult(before) { return nil }
        let onFinish = mayMerge ? try Self.configuredAction(workspace) : .flag
        var lane = try LaneResults(workspace: workspace).finishWithoutEvent(name, outcome: "finished by its Claude Code agent",
                                                                             mergedToo: true)
        // Not this lane's own `--on-finish`: the repository's setting for Claude Code's lanes.
        let verdictMaker = LaneVerdict(workspace: workspace)
        let verdict = onFinish == .merge ? verdictMaker.mergeAutomatically(lane) : verdictMaker.outlook(for: lane)
        lane = try store.require(name)
        lane.verdict = verdict
        Notifier(workspace: workspace).laneEnded(lane, verdict: verdict, flagged: verdict?.hasPrefix("flagged") == true)
        return try store.update(name) { $0.verdict = verdict }
    }

    /// True when the lane already has a result and its worktree holds exactly that.
    func holdsItsResult(_ lane: Lane) throws -> Bool {
        guard let head = lane.head, lane.state == .done || lane.state == .merged,
              FileManager.default.isDirectory(lane.worktree) else { return false }
        let worktree = try LaneWorktree.open(lane, workspace: workspace)
        let now = try Snapshot.take(repository: worktree, message: "spur: \(lane.name) unchanged?", updateIndex: true)
        return try workspace.openRepository().treeID(ofCommit: head) == now.tree
    }

    /// git config `spur.claudeOnFinish`: merge or flag (the default).
    static func configuredAction(_ workspace: Workspace) throws -> FinishAction {
        let value = try workspace.openRepository().config().string("spur.claudeOnFinish")
        switch value?.lowercased() {
        case nil, "", "flag": return .flag
        case "merge": return .merge
        default: throw SpurError.usage("git config spur.claudeOnFinish is '\(value ?? "")'; it takes merge or flag")
        }
    }
}
