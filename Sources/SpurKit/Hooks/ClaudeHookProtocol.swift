import Foundation

/// One Claude Code hook event as it arrives on standard input. Only the fields spur uses are
/// read; anything else in the payload is ignored.
public struct ClaudeHookInput: Sendable, Equatable {
    /// `hook_event_name`: "PreToolUse", "UserPromptSubmit", "SessionStart", ...
    public var event: String
    /// `cwd`: the folder Claude Code runs in.
    public var cwd: String?
    /// `session_id`.
    public var sessionID: String?
    /// `tool_name` (PreToolUse).
    public var toolName: String?
    /// The file a tool writes: `tool_input.file_path` (Edit, Write, MultiEdit) or
    /// `tool_input.notebook_path` (NotebookEdit).
    public var filePath: String?
    /// `source` (SessionStart): "startup", "resume", "clear" or "compact".
    public var source: String?
    /// `name` (WorktreeCreate; `worktree_name` in some Claude Code versions): the worktree's slug.
    public var worktreeName: String?
    /// `agent_id` (SubagentStop).
    public var agentID: String?
    /// `agent_transcript_path` (SubagentStop): the subagent's own transcript, whose entries
    /// name the folder it worked in.
    public var agentTranscriptPath: String?
    /// `tool_use_id` (PreToolUse, PostToolUse): the same for one tool call's before and after.
    public var toolUseID: String?
    /// `tool_input.command` (Bash): the command's text.
    public var command: String?
    /// `tool_response.interrupted` (PostToolUse of Bash) or `is_interrupt` (PostToolUseFailure):
    /// the person stopped the command.
    public var interrupted: Bool?

    public init(event: String, cwd: String? = nil, sessionID: String? = nil, toolName: String? = nil,
                filePath: String? = nil, source: String? = nil, worktreeName: String? = nil, agentID: String? = nil) {
        self.event = event
        self.cwd = cwd
        self.sessionID = sessionID
        self.toolName = toolName
        self.filePath = filePath
        self.source = source
        self.worktreeName = worktreeName
        self.agentID = agentID
    }

    /// Reads a payload; throws a one-line reason when it is not a JSON object naming its event.
    /// (`spur-hook` answers a Bash event itself only when this reads it without complaint:
    /// a key read here as text is one of `BashHookEvent.textKeys` too.)
    ///
    /// Read with `JSONSerialization`, not a `Decodable`: a hook runs once per tool call, and in a
    /// new process decoding through `Codable` costs more than most answers (the runtime looks
    /// each conformance up the first time).
    public static func parse(_ data: Data) throws -> ClaudeHookInput {
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw SpurError("the hook input is not valid JSON")
        }
        guard let payload = parsed as? [String: Any] else { throw shapeError(at: "the top level") }
        guard let eventValue = payload["hook_event_name"], !(eventValue is NSNull) else {
            throw SpurError("the hook input has no hook_event_name")
        }
        guard let event = eventValue as? String else { throw shapeError(at: "hook_event_name") }
        let toolInput = try object(payload, "tool_input")
        var input = ClaudeHookInput(event: event, cwd: try string(payload, "cwd"), sessionID: try string(payload, "session_id"),
                                    toolName: try string(payload, "tool_name"),
                                    filePath: try toolInput.flatMap { try string($0, "file_path", in: "tool_input") }
                                        ?? toolInput.flatMap { try string($0, "notebook_path", in: "tool_input") },
                                    source: try string(payload, "source"),
                                    worktreeName: try string(payload, "name") ?? string(payload, "worktree_name"),
                                    agentID: try string(payload, "agent_id"))
        input.toolUseID = try string(payload, "tool_use_id")
        input.command = try toolInput.flatMap { try string($0, "command", in: "tool_input") }
        // Bash's `tool_response` (`stdout`, `stderr`, `interrupted`, `isImage`); other tools'
        // responses have other shapes, and anything but an object with a boolean is ignored.
        input.interrupted = (payload["tool_response"] as? [String: Any])?["interrupted"].flatMap { $0 as? Bool }
            ?? payload["is_interrupt"].flatMap { $0 as? Bool }
        input.agentTranscriptPath = try string(payload, "agent_transcript_path")
        return input
    }

    private static func shapeError(at path: String) -> SpurError {
        SpurError("the hook input has an unexpected shape at \(path)")
    }

    /// The text at `key`; nil when absent or null; a shape error for anything else.
    private static func string(_ object: [String: Any], _ key: String, in parent: String? = nil) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw shapeError(at: parent.map { "\($0).\(key)" } ?? key) }
        return text
    }

    /// The object at `key`; nil when absent or null; a shape error for anything else.
    private static func object(_ object: [String: Any], _ key: String) throws -> [String: Any]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let inner = value as? [String: Any] else { throw shapeError(at: key) }
        return inner
    }
}

/// What a PreToolUse hook tells Claude Code to do with a tool call.
public enum PermissionDecision: String, Sendable, Equatable, Encodable {
    /// Skip the permission prompt.
    case allow
    /// Block the call; the reason is shown to the agent.
    case deny
    /// Ask the person; the reason is shown in the prompt.
    case ask
}

/// spur's answer to one hook event: JSON for standard output (nothing when spur lets the
/// event pass untouched) and at most one warning line for standard error. The exit code is
/// always 0, so Claude Code reads the JSON and never treats spur's own trouble as a block.
public struct ClaudeHookAnswer: Sendable, Equatable {
    /// `hookSpecificOutput.hookEventName`; nil for a silent answer.
    public var event: String?
    public var permissionDecision: PermissionDecision?
    public var permissionDecisionReason: String?
    public var additionalContext: String?
    /// One line for standard error (spur could not decide and let the event pass).
    public var warning: String?
    /// Top-level `decision`: "block" after a tool ran (PostToolUse) tells the agent `reason`;
    /// the call is not undone.
    public var decision: String? = nil
    /// Top-level `reason` that goes with `decision`.
    public var reason: String? = nil
    /// Top-level `systemMessage`: shown to the person, not to the agent.
    public var systemMessage: String? = nil

    public init(event: String? = nil, permissionDecision: PermissionDecision? = nil, permissionDecisionReason: String? = nil,
                additionalContext: String? = nil, warning: String? = nil) {
        self.event = event
        self.permissionDecision = permissionDecision
        self.permissionDecisionReason = permissionDecisionReason
        self.additionalContext = additionalContext
        self.warning = warning
    }

    /// Let the event pass with nothing to say.
    public static let silent = ClaudeHookAnswer()

    /// Let the event pass because spur could not decide, saying why on standard error.
    public static func failOpen(_ reason: String) -> ClaudeHookAnswer {
        ClaudeHookAnswer(warning: "spur: warning: hook: \(reason.split(separator: "\n").first.map(String.init) ?? reason) (allowing)")
    }

    public static func decision(_ decision: PermissionDecision, reason: String, context: String? = nil) -> ClaudeHookAnswer {
        ClaudeHookAnswer(event: "PreToolUse", permissionDecision: decision, permissionDecisionReason: reason, additionalContext: context)
    }

    public static func context(_ text: String, event: String) -> ClaudeHookAnswer {
        ClaudeHookAnswer(event: event, additionalContext: text)
    }

    /// Always 0: a decision travels in the JSON, and a hook failure must never block the person.
    public var exitCode: Int32 { 0 }

    /// The JSON for standard output (one line, sorted keys), or nil for a silent answer.
    public var json: String? {
        guard event != nil || decision != nil || systemMessage != nil else { return nil }
        let output = Output(hookSpecificOutput: event.map {
            .init(hookEventName: $0, permissionDecision: permissionDecision, permissionDecisionReason: permissionDecisionReason,
                  additionalContext: additionalContext)
        }, decision: decision, reason: reason, systemMessage: systemMessage)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(output) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private struct Output: Encodable {
        let hookSpecificOutput: Specific?
        let decision: String?
        let reason: String?
        let systemMessage: String?
        struct Specific: Encodable {
            let hookEventName: String
            let permissionDecision: PermissionDecision?
            let permissionDecisionReason: String?
            let additionalContext: String?
        }
    }
}
