import Foundation

extension Fixtures {
    /// The Claude Code hook payload `fixtures/hooks/NAME.json` with its placeholders filled in:
    /// `{{CWD}}` (the folder Claude Code runs in), `{{FILE}}` (the file a tool writes) and
    /// `{{SESSION}}` (the session id).
    public static func hookPayload(_ name: String, cwd: String, file: String = "", session: String = "session-1") throws -> String {
        try read("hooks/\(name).json")
            .replacingOccurrences(of: "{{CWD}}", with: cwd)
            .replacingOccurrences(of: "{{FILE}}", with: file)
            .replacingOccurrences(of: "{{SESSION}}", with: session)
    }

    /// Every payload of a tool that writes a file, by tool name.
    public static let editToolPayloads = ["Edit": "pre-tool-use-edit", "Write": "pre-tool-use-write",
                                          "MultiEdit": "pre-tool-use-multiedit", "NotebookEdit": "pre-tool-use-notebookedit"]
}

/// A hook's JSON answer decoded for comparison; nil for an empty answer.
public func hookAnswerObject(_ stdout: String) throws -> NSDictionary? {
    let text = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return nil }
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary else {
        throw TestFailure("not a JSON object: \(stdout)")
    }
    return object
}

/// The answer Claude Code expects for a PreToolUse decision.
public func expectedDecision(_ decision: String, _ reason: String) -> NSDictionary {
    ["hookSpecificOutput": ["hookEventName": "PreToolUse", "permissionDecision": decision, "permissionDecisionReason": reason]]
}

/// The answer Claude Code expects when the hook adds context for the agent.
public func expectedContext(_ event: String, _ text: String) -> NSDictionary {
    ["hookSpecificOutput": ["hookEventName": event, "additionalContext": text]]
}

/// One line of spur's event log (`<common git dir>/spur/events.jsonl`), as the supervisor writes it.
public func laneEventLine(time: Date, lane: String, kind: String, state: String, summary: String) throws -> String {
    let formatter = ISO8601DateFormatter()
    let object: [String: String] = ["time": formatter.string(from: time), "lane": lane, "kind": kind, "state": state, "summary": summary]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
}

/// The value at a dotted path ("hookSpecificOutput.additionalContext") in decoded JSON.
public func jsonPath(_ object: Any?, _ path: String) -> Any? {
    path.split(separator: ".").reduce(object) { current, key in (current as? NSDictionary)?[String(key)] }
}
