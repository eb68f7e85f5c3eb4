import Foundation
import SpurHookCore

/// Adds spur's Claude Code hooks to a project's `.claude/settings.json` and takes them out
/// again. Every other setting and hook stays as it was, in its order; installing twice
/// changes nothing. A hook counts as spur's when its command is `spur hook claude` or
/// `spur-hook claude` (the executable may be named by a path).
public struct ClaudeSettingsInstaller: Sendable {
    public static let command = "spur hook claude"
    /// The Bash hooks' command when `spur-hook` is installed: it answers the common Bash cases
    /// without starting `spur` (and hands the rest to `spur hook claude`).
    public static let fastBashCommand = "spur-hook claude"

    /// The snippet `hooks/claude/settings.json` holds: one group per event spur handles, the
    /// Bash ones through `spur-hook`.
    public static let snippet = snippet(bashCommand: fastBashCommand)

    /// One group per event spur handles; the Bash groups run `bashCommand`.
    public static func snippet(bashCommand: String) -> JSONValue {
        let hook = { (command: String) in
            JSONValue.object([
                JSONMember(key: "type", value: .string("command")),
                JSONMember(key: "command", value: .string(command)),
                JSONMember(key: "timeout", value: .number("10")),
            ])
        }
        let one = { (matcher: String?, command: String) -> JSONValue in
            .object((matcher.map { [JSONMember(key: "matcher", value: .string($0))] } ?? [])
                    + [JSONMember(key: "hooks", value: .array([hook(command)]))])
        }
        let bash = one(BashWriteGuard.tool, bashCommand)
        return .object([JSONMember(key: "hooks", value: .object([
            JSONMember(key: "PreToolUse", value: .array([one(ClaudeHook.editTools.sorted(by: toolOrder).joined(separator: "|"), command),
                                                         bash])),
            JSONMember(key: "PostToolUse", value: .array([bash])),
            // A Bash command that fails fires PostToolUseFailure instead; its writes count all the same.
            JSONMember(key: "PostToolUseFailure", value: .array([bash])),
            JSONMember(key: "UserPromptSubmit", value: .array([one(nil, command)])),
            JSONMember(key: "SessionStart", value: .array([one(nil, command)])),
        ]))])
    }

    /// Edit, Write, MultiEdit, NotebookEdit: the order Claude Code's documentation lists them in.
    private static func toolOrder(_ a: String, _ b: String) -> Bool {
        let order = ["Edit", "Write", "MultiEdit", "NotebookEdit"]
        return (order.firstIndex(of: a) ?? order.count, a) < (order.firstIndex(of: b) ?? order.count, b)
    }

    /// The settings file (`<main working tree>/.claude/settings.json`).
    public let path: String
    public init(workspace: Workspace) { path = workspace.root + "/.claude/settings.json" }
    public init(path: String) { self.path = path }

    /// A planned change to the settings file: its text before and after (nil: no file).
    public struct Change: Sendable, Equatable {
        public let path: String
        public let before: String?
        public let after: String?
        /// The events whose hooks are added or removed.
        public let events: [String]
        /// The events whose Bash hook moves between `spur hook claude` and `spur-hook claude`.
        public var switchedBash: [String] = []
        public var changesFile: Bool { before != after }
    }

    /// With `worktrees`, Claude Code's worktree events too (`worktreeSnippet`); with
    /// `fastBash`, the Bash hooks run `spur-hook claude` (give it only when `spur-hook` is on PATH).
    public func planInstall(worktrees: Bool = false, fastBash: Bool = false) throws -> Change {
        let before = try read()
        var settings = try parse(before)
        guard case .object = settings else { throw SpurError("\(path) does not hold a JSON object; nothing changed") }
        var hooks = settings["hooks"] ?? .object([])
        guard case .object = hooks else { throw SpurError("'hooks' in \(path) is not a JSON object; nothing changed") }
        var added: [String] = []
        var switchedBash: [String] = []
        let snippet = Self.snippet(bashCommand: fastBash ? Self.fastBashCommand : Self.command)
        guard case .object(var wanted)? = snippet["hooks"] else { return Change(path: path, before: before, after: before, events: []) }
        if worktrees, case .object(let more)? = Self.worktreeSnippet["hooks"] { wanted += more }
        for member in wanted {
            let groups = hooks[member.key] ?? .array([])
            guard let list = groups.arrayValue else { throw SpurError("'hooks.\(member.key)' in \(path) is not a list; nothing changed") }
            // A spur group whose matcher names any of the same tools is there already (the user may
            // have narrowed it); an install from before the Bash guard lacks the Bash group.
            let missing = (member.value.arrayValue ?? []).filter { wantedGroup in
                !list.contains { Self.holdsSpurHook($0) && Self.sharesTools($0["matcher"]?.stringValue, wantedGroup["matcher"]?.stringValue) }
            }
            // spur's Bash hook follows spur-hook: installed since (an install from before it),
            // it runs `spur-hook claude`; gone from PATH, `spur hook claude` again.
            let switched = list.map { Self.withBashHook($0, running: fastBash ? Self.fastBashCommand : Self.command) }
            if missing.isEmpty && switched == list { continue }
            hooks = hooks.setting(member.key, to: .array(switched + missing))
            if !missing.isEmpty { added.append(member.key) }
            if switched != list { switchedBash.append(member.key) }
        }
        guard !added.isEmpty || !switchedBash.isEmpty else { return Change(path: path, before: before, after: before, events: []) }
        settings = settings.setting("hooks", to: hooks)
        var change = Change(path: path, before: before, after: settings.rendered() + "\n", events: added)
        change.switchedBash = switchedBash
        return change
    }

    public func planUninstall() throws -> Change {
        let before = try read()
        guard let before else { return Change(path: path, before: nil, after: nil, events: []) }
        let settings = try parse(before)
        guard case .object(let events)? = settings["hooks"] else { return Change(path: path, before: before, after: before, events: []) }
        var hooks = JSONValue.object(events)
        var removed: [String] = []
        for member in events {
            guard let groups = member.value.arrayValue, groups.contains(where: Self.holdsSpurHook) else { continue }
            let kept = groups.compactMap(Self.withoutSpurHooks)
            hooks = hooks.setting(member.key, to: kept.isEmpty ? nil : .array(kept))
            removed.append(member.key)
        }
        guard !removed.isEmpty else { return Change(path: path, before: before, after: before, events: []) }
        let remaining = settings.setting("hooks", to: hooks == .object([]) ? nil : hooks)
        // A file that held nothing but spur's hooks goes away with them.
        return Change(path: path, before: before, after: remaining == .object([]) ? nil : remaining.rendered() + "\n", events: removed)
    }

    /// Writes a planned change (atomically; through a symlink to its target), refusing when
    /// the file changed since it was planned. Removes `.claude/` when it is left empty.
    public func apply(_ change: Change) throws {
        guard change.changesFile else { return }
        guard try read() == change.before else { throw SpurError("\(path) changed while spur was updating it; nothing written") }
        let target = CanonicalPath.of(path, relativeTo: "/")
        if let after = change.after {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Data(after.utf8), to: target)
        } else if FileStat.of(path)?.kind == .symlink {
            // The file lives elsewhere (a dotfiles repository, say): empty it, keep the link.
            try AtomicFile.write(Data("{}\n".utf8), to: target)
        } else {
            try FileManager.default.removeItem(atPath: path)
            let folder = (path as NSString).deletingLastPathComponent
            if (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true { try? FileManager.default.removeItem(atPath: folder) }
        }
    }

    private func read() throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw SpurError("cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw SpurError("\(path) is not UTF-8 text; nothing changed") }
        return text
    }

    private func parse(_ text: String?) throws -> JSONValue {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .object([]) }
        do {
            return try JSONValue.parse(text)
        } catch {
            throw SpurError("\(path) is not valid JSON (\(error)); nothing changed")
        }
    }

    /// True for a command that runs spur's Claude Code hook: `spur hook claude` or
    /// `spur-hook claude`, the executable perhaps named by a path.
    public static func isSpurCommand(_ command: String) -> Bool {
        let words = command.split(whereSeparator: \.isWhitespace).map(String.init)
        switch words.first.map({ ($0 as NSString).lastPathComponent }) {
        case "spur": return words.dropFirst() == ["hook", "claude"]
        case "spur-hook": return words.dropFirst() == ["claude"]
        default: return false
        }
    }

    /// True when an executable `spur-hook` is in a folder of `path` (a PATH value).
    public static func fastHookOnPath(_ path: String?) -> Bool {
        (path ?? "").split(separator: ":").contains { folder in
            !folder.isEmpty && FileManager.default.isExecutableFile(atPath: folder + "/spur-hook")
        }
    }

    /// True when two matchers name a common tool ("Write|Edit" and "Edit|Write|MultiEdit"); no
    /// matcher, "" or "*" names every tool.
    static func sharesTools(_ a: String?, _ b: String?) -> Bool {
        func tools(_ matcher: String?) -> Set<Substring>? {
            guard let matcher, !matcher.isEmpty, matcher != "*" else { return nil }
            return Set(matcher.split(separator: "|"))
        }
        guard let first = tools(a), let second = tools(b) else { return true }
        return !first.isDisjoint(with: second)
    }

    /// `group`, when its matcher is Bash, with spur's hook (`spur hook claude` or `spur-hook
    /// claude`, as the installer writes them) running `command`.
    static func withBashHook(_ group: JSONValue, running command: String) -> JSONValue {
        guard group["matcher"]?.stringValue == BashWriteGuard.tool, let hooks = group["hooks"]?.arrayValue else { return group }
        return group.setting("hooks", to: .array(hooks.map { hook in
            let current = hook["command"]?.stringValue
            return (current == Self.command || current == fastBashCommand) && current != command
                ? hook.setting("command", to: .string(command)) : hook
        }))
    }

    static func holdsSpurHook(_ group: JSONValue) -> Bool {
        group["hooks"]?.arrayValue?.contains { $0["command"]?.stringValue.map(isSpurCommand) == true } == true
    }

    /// The group without spur's hooks; nil when nothing else was in it.
    static func withoutSpurHooks(_ group: JSONValue) -> JSONValue? {
        guard let hooks = group["hooks"]?.arrayValue, holdsSpurHook(group) else { return group }
        let others = hooks.filter { $0["command"]?.stringValue.map(isSpurCommand) != true }
        return others.isEmpty ? nil : group.setting("hooks", to: .array(others))
    }
}
