import Foundation
import SpurGit
import SpurHookCore

/// Guards the interactive session's working tree against writes made through Bash, which
/// PreToolUse cannot predict from a command's text.
///
/// - Before a Bash call (PreToolUse) in a working tree (not a lane's worktree): fingerprints
///   each file a live lane of that tree changed (`LaneChangedPaths`, `FileFingerprint`) into
///   `<common git dir>/spur/bash/<session>-<tool use id>`. It never answers anything.
/// - After it (PostToolUse, or PostToolUseFailure when the command failed): compares. For each
///   watched file the command changed, the agent is told which lane changed it too and what to
///   do (`additionalContext`), the person gets a `systemMessage`; with `spur.guard=deny` the
///   answer is `decision: "block"` with the reason (after a failure, the reason as context: the
///   command already ran, nothing is undone). Nothing changed, no record, or a lane's agent: no
///   answer.
///
/// It sees only the files live lanes changed: other writes are not its business. A command
/// that changes a file and restores it exactly (same inode, size and times) is invisible.
struct BashWriteGuard {
    static let tool = "Bash"
    let hook: ClaudeHook

    /// PreToolUse of Bash.
    func before(_ input: ClaudeHookInput) throws -> ClaudeHookAnswer {
        let (session, toolUseID) = try ids(of: input)
        let given = input.cwd.flatMap { $0.isEmpty ? nil : $0 } ?? hook.processDirectory
        let cwd = CanonicalPath.of(given, relativeTo: hook.processDirectory)
        let workspace = try Workspace(discoveringFrom: cwd)
        let root = CanonicalPath.of(workspace.root, relativeTo: "/")
        let watched = try watchedFiles(workspace: workspace, root: root)
        // A lane's agent works in its own worktree (found as `ClaudeHook.context` finds it); spur does not watch it.
        if let name = hook.environment["SPUR_LANE"], watched.lanes.contains(where: { $0.name == name }) { return .silent }
        if watched.lanes.contains(where: { $0.worktreePresent && CanonicalPath.isInside(cwd, CanonicalPath.of($0.worktree, relativeTo: "/")) }) {
            return .silent
        }
        BashWriteRecord.prune(workspace, now: hook.now)
        var answer = ClaudeHookAnswer.silent
        if let first = watched.unreadable.first {
            answer = .failOpen("cannot tell what lane \(first.lane) changed (\(first.reason)); Bash writes to its files are not watched")
        }
        guard !watched.lanesByPath.isEmpty else { return answer }
        let record = BashWriteRecord.fingerprinting(watched.lanesByPath, root: root, session: session, toolUseID: toolUseID)
        try record.write(to: BashWriteRecord.file(session: session, toolUseID: toolUseID, in: workspace))
        return answer
    }

    /// The lanes of the repository and the files the live ones of `root` changed: from the stat
    /// cache while it holds, otherwise from the records and journals (and kept in the cache when
    /// it can be).
    private func watchedFiles(workspace: Workspace, root: String)
        throws -> (lanes: [WatchedPathsCache.CachedLane], lanesByPath: [(path: [UInt8], lanes: [String])],
                   unreadable: [(lane: String, reason: String)]) {
        let useJournal = hook.environment["SPUR_JOURNAL"] != "off"
        let stampedAt = FileTime.now()
        let inputs = useJournal ? WatchedPathsCache.stampInputs(workspace) : []
        if useJournal, let cached = WatchedPathsCache.load(workspace), cached.holds(root: root, inputs: inputs) {
            return (cached.lanes, cached.lanesByPath, [])
        }
        let records = LaneStore(workspace: workspace).records()
        let changed = try LaneChangedPaths.of(workspace: workspace, records: records, useJournal: useJournal)
        let cache = useJournal
            ? WatchedPathsCache.made(root: root, inputs: inputs, stampedAt: stampedAt, lanes: records.lanes, changed: changed) : nil
        cache?.save(workspace)
        return (cache?.lanes ?? records.lanes.map(WatchedPathsCache.cachedLane), cache?.lanesByPath ?? changed.sortedEntries,
                changed.unreadable)
    }

    /// PostToolUse of Bash, or PostToolUseFailure (the command failed, its writes are made all
    /// the same): a failure's answer can only add context, not block.
    func after(_ input: ClaudeHookInput) throws -> ClaudeHookAnswer {
        let (session, toolUseID) = try ids(of: input)
        // The command may have changed the session's folder (`cd`): the record is looked for
        // from the event's folder, then the project's, then the hook's own.
        let candidates = [input.cwd, hook.environment["CLAUDE_PROJECT_DIR"], hook.processDirectory]
            .compactMap { $0 }.filter { !$0.isEmpty }
        var found: (workspace: Workspace, record: BashWriteRecord)?
        for folder in candidates {
            guard let workspace = try? Workspace(discoveringFrom: CanonicalPath.of(folder, relativeTo: hook.processDirectory)) else { continue }
            if let record = try BashWriteRecord.take(from: BashWriteRecord.file(session: session, toolUseID: toolUseID, in: workspace)) {
                found = (workspace, record)
                break
            }
        }
        // No record: no live lane had changed anything, or the hook was installed mid-command.
        guard let (workspace, record) = found else { return .silent }
        let changed = record.files.filter { $0.changed(under: record.root) }
        guard !changed.isEmpty else { return .silent }
        if let context = try? hook.context(for: input), context.lane != nil { return .silent }
        let touched = try confirmed(changed, in: (try? Workspace(discoveringFrom: record.root)) ?? workspace)
        guard !touched.isEmpty else { return .silent }
        let lanes = (try? LaneStore(workspace: workspace).all()) ?? []
        let (mode, warning) = GuardMode.configured(in: try workspace.openRepository())
        var answer = Self.answer(touched, states: HookWording.states(of: lanes), mode: mode, interrupted: input.interrupted == true,
                                 event: input.event)
        answer.warning = warning.map { "spur: warning: \($0)" }
        return answer
    }

    /// The files whose lanes really hold another version than their base (a lane may have touched
    /// a file and left it as it was), each with those lanes; a lane spur cannot ask now keeps the
    /// name it had before the command.
    private func confirmed(_ changed: [BashWriteRecord.Watched], in workspace: Workspace) throws -> [BashWriteRecord.Watched] {
        let checks = try LaneChecker(workspace: workspace).check(repositoryPaths: changed.map(\.repositoryPath))
        return zip(changed, checks).compactMap { file, check in
            let undecided = Set(check.undecided.map(\.lane))
            let lanes = Set(check.lanes).union(file.lanes.filter(undecided.contains)).sorted()
            return lanes.isEmpty ? nil : BashWriteRecord.Watched(path: file.path, lanes: lanes, before: file.before)
        }
    }

    private func ids(of input: ClaudeHookInput) throws -> (session: String, toolUseID: String) {
        guard let session = input.sessionID, !session.isEmpty else { throw SpurError("the \(input.event) event has no session_id") }
        guard let toolUseID = input.toolUseID, !toolUseID.isEmpty else { throw SpurError("the \(input.event) event has no tool_use_id") }
        return (session, toolUseID)
    }

    // MARK: - Wording

    /// At most this many files are named per group of lanes.
    static let namedFiles = 10

    /// `event` is PostToolUse or PostToolUseFailure; a failure's answer carries `spur.guard=deny`'s
    /// refusal as context, since Claude Code takes no decision from it.
    static func answer(_ touched: [BashWriteRecord.Watched], states: [String: String], mode: GuardMode,
                       interrupted: Bool, event: String = "PostToolUse") -> ClaudeHookAnswer {
        let what = changedList(touched, states: states)
        let laneNames = Set(touched.flatMap(\.lanes)).sorted()
        let lane = laneNames.count == 1 ? laneNames[0] : "LANE"
        let failed = event == "PostToolUseFailure"
        let command = "the Bash command just run" + (interrupted ? " (then interrupted)" : failed ? " (it failed)" : "")
        let person = "spur: a Bash command changed \(what); merging that lane may conflict (see `spur status`)."
        var answer = ClaudeHookAnswer.silent
        switch mode {
        case .deny:
            let reason = "spur: \(command) changed \(what), and git config spur.guard=deny forbids changing files a live lane "
                + "changed. The change is made (spur undoes nothing). Do not change these files again; tell the user what you "
                + "changed so they can restore it, or merge or discard the lane (`spur status`, `spur merge \(lane)`)."
            if failed {
                answer = .context(reason, event: event)
            } else {
                answer.decision = "block"
                answer.reason = reason
            }
        case .warn, .ask:
            answer = .context("spur: \(command) changed \(what). Merging that lane into this working tree later may conflict "
                + "with this change. Check `spur status` (it shows the overlap), keep the change in mind, leave these files alone "
                + "if you can, and tell the user; `spur merge \(lane)` brings the lane's work in.", event: event)
        }
        answer.systemMessage = person
        return answer
    }

    /// "a.txt and b.txt, which lane task (running) has also changed; c.txt, which lanes …".
    static func changedList(_ touched: [BashWriteRecord.Watched], states: [String: String]) -> String {
        var groups: [(lanes: [String], paths: [String])] = []
        for file in touched {
            if let position = groups.firstIndex(where: { $0.lanes == file.lanes }) {
                groups[position].paths.append(file.repositoryPath.display)
            } else {
                groups.append((file.lanes, [file.repositoryPath.display]))
            }
        }
        return groups.map { group in
            var names = Array(group.paths.prefix(namedFiles))
            if group.paths.count > namedFiles { names.append("\(group.paths.count - namedFiles) more files") }
            let list = names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
            let has = group.lanes.count == 1 ? "has" : "have"
            return "\(list), which \(HookWording.lanes(group.lanes, states: states)) \(has) also changed"
        }.joined(separator: "; ")
    }
}
