import Foundation
import SpurGit

/// Answers Claude Code's `WorktreeCreate` event: makes a lane, as `spawn --no-run` makes one,
/// from a snapshot of the working tree the session runs in (git config `spur.claudeBase`:
/// `worktree`, the default, or `head`), named after the event's `name` made valid and unique,
/// and marked as owned by the asking session (`Lane.createdBy`, `Lane.claudeSession`).
///
/// Guarantees: on success the lane exists (record, branch, worktree) and `path` is its
/// worktree's canonical absolute path (no symlink, no `..`); on failure it throws one line and
/// no part of a lane is left (`Lanes.create` rolls back).
public struct ClaudeWorktreeProvider: Sendable {
    /// The value of `Lane.createdBy` for lanes made this way.
    public static let creator = "claude-worktree"
    /// How many suffixed names (`-2`, `-3`, …) are tried before giving up.
    static let maximumSuffix = 100

    /// The hook process's folder, used when the event carries no `cwd`.
    public let processDirectory: String
    public init(processDirectory: String = FileManager.default.currentDirectoryPath) {
        self.processDirectory = processDirectory
    }

    /// A created lane and the path to answer with.
    public struct Created: Sendable {
        public let lane: Lane
        public let workspace: Workspace
        /// The lane's worktree, canonical.
        public let path: String
    }

    /// Makes the lane for one `WorktreeCreate` event. `prepare` runs after the lane exists and
    /// before the path is given to Claude Code; when it throws, the lane is discarded again.
    public func create(_ input: ClaudeHookInput, prepare: (Workspace, Lane) throws -> Void = { _, _ in }) throws -> Created {
        guard let requested = input.worktreeName else { throw SpurError.usage("the WorktreeCreate event has no name") }
        guard let stem = Self.laneNameStem(requested) else {
            throw SpurError.usage("the WorktreeCreate name '\(requested.escapingControlCharacters)' has no letter or digit to name a lane after")
        }
        let given = input.cwd.flatMap { $0.isEmpty ? nil : $0 } ?? processDirectory
        let workspace = try Workspace(discoveringFrom: CanonicalPath.of(given, relativeTo: processDirectory))
        let base = try Self.configuredBase(workspace)
        let lanes = Lanes(workspace: workspace)
        var lane: Lane?
        for suffix in 1...Self.maximumSuffix {
            let name = Self.candidate(stem, suffix: suffix)
            guard try !isTaken(name, workspace: workspace) else { continue }
            var request = SpawnRequest(name: name)
            request.base = base
            request.description = "Claude Code worktree '\(requested.escapingControlCharacters)'"
            // The lane is set up as any lane is (`spur.setup`); .worktreeinclude is copied by Lanes.create.
            request.setupCommand = try LaneSetup.command(requested: nil, workspace: workspace)
            do {
                lane = try lanes.create(request)
                break
            } catch {
                // Another hook took the name meanwhile: try the next one. Anything else is the answer.
                if try isTaken(name, workspace: workspace) { continue }
                throw error
            }
        }
        guard var made = lane else {
            throw SpurError("no free lane name for '\(stem)' (tried \(stem) to \(Self.candidate(stem, suffix: Self.maximumSuffix)))")
        }
        do {
            made = try LaneStore(workspace: workspace).update(made.name) { lane in
                lane.createdBy = Self.creator
                lane.claudeSession = input.sessionID.flatMap { $0.isEmpty ? nil : $0 }
            }
            try prepare(workspace, made)
        } catch {
            // A lane Claude Code never hears of would be a stray: take it out again (it holds nothing yet).
            try? lanes.discard(made.name, force: true)
            throw error
        }
        return Created(lane: made, workspace: workspace, path: CanonicalPath.of(made.worktree, relativeTo: "/"))
    }

    /// True when a lane, its branch or its worktree folder already uses `name`.
    func isTaken(_ name: String, workspace: Workspace) throws -> Bool {
        if try LaneStore(workspace: workspace).load(name) != nil { return true }
        let repository = try workspace.openRepository()
        if try repository.referenceTarget(Lane.branchRef(name)) != nil { return true }
        return FileManager.default.fileExists(atPath: try workspace.worktreeRoot(repository) + "/" + name)
    }

    /// `spur.claudeBase`: where Claude Code's lanes start.
    static func configuredBase(_ workspace: Workspace) throws -> SpawnRequest.Base {
        let value = try workspace.openRepository().config().string("spur.claudeBase")
        switch value?.lowercased() {
        case nil, "", "worktree": return .worktree
        case "head": return .head
        default:
            throw SpurError.usage("git config spur.claudeBase is '\(value ?? "")'; it takes worktree or head")
        }
    }

    /// `name` made a valid lane name: lower case; anything but letters, digits, `.`, `_` and
    /// `-` becomes `-`; runs of separators and `..` collapsed; no separator at either end; at
    /// most 64 characters. Nil when nothing is left.
    public static func laneNameStem(_ name: String) -> String? {
        var bytes: [UInt8] = []
        for byte in name.lowercased().utf8 {
            let isAlphanumeric = (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122)
            let kept: UInt8 = isAlphanumeric || byte == 95 ? byte : (byte == 46 ? 46 : 45)
            // A separator after a separator adds nothing (and never makes "..").
            if !isAlphanumeric && kept != 95, let last = bytes.last, last == 45 || last == 46 {
                if kept == 45 { bytes[bytes.count - 1] = 45 }
                continue
            }
            bytes.append(kept)
        }
        var stem = Array(trimmed(bytes).prefix(64))
        stem = trimmed(stem)
        var text = String(decoding: stem, as: UTF8.self)
        while text.hasSuffix(".lock") { text = String(decoding: trimmed(Array(text.utf8.dropLast(5))), as: UTF8.self) }
        guard !text.isEmpty, LaneName.problem(with: text) == nil else { return nil }
        return text
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let isEdge = { (byte: UInt8) in byte == 45 || byte == 46 || byte == 95 }
        guard let first = bytes.firstIndex(where: { !isEdge($0) }), let last = bytes.lastIndex(where: { !isEdge($0) }) else { return [] }
        return Array(bytes[first...last])
    }

    /// The stem itself, then `stem-2`, `stem-3`, … cut so that the whole stays within 64 characters.
    static func candidate(_ stem: String, suffix: Int) -> String {
        guard suffix > 1 else { return stem }
        let tail = "-\(suffix)"
        let kept = trimmed(Array(stem.utf8.prefix(64 - tail.utf8.count)))
        return String(decoding: kept, as: UTF8.self) + tail
    }
}
