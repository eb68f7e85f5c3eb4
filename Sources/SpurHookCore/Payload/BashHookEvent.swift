/// A Bash call's PreToolUse, PostToolUse or PostToolUseFailure, read from a payload only when
/// `spur hook claude` would read the same fields from it without complaint (its reader takes
/// these keys as text or null, `tool_input` as an object or null). Anything else (another
/// event or tool, malformed JSON, a wrong type, a key given twice, a number a JSON reader
/// might refuse) is nil: `spur hook claude` answers it, with its own wording.
public struct BashHookEvent: Sendable {
    /// "PreToolUse", "PostToolUse" or "PostToolUseFailure".
    public let event: String
    public let session: String
    public let toolUseID: String
    /// The session's folder as given ("" or absent: none).
    public let cwd: String?

    static let events: Set<String> = ["PreToolUse", "PostToolUse", "PostToolUseFailure"]
    /// The top-level keys `spur hook claude` reads as text.
    static let textKeys = ["hook_event_name", "cwd", "session_id", "tool_name", "source", "name", "worktree_name", "agent_id",
                           "tool_use_id", "agent_transcript_path"]
    /// The keys of `tool_input` it reads as text.
    static let toolInputTextKeys = ["file_path", "notebook_path", "command"]
    /// Deeper than this, a payload is left to `spur hook claude` (Claude Code's are a few levels deep).
    static let deepest = 64

    public init?(payload: [UInt8]) {
        guard let parsed = try? JSONValue.parse(bytes: payload), case .object(let members) = parsed,
              Self.isPlain(parsed, depth: 0) else { return nil }
        var texts: [String: String] = [:]
        guard Self.readTexts(Self.textKeys, from: members, into: &texts) else { return nil }
        let toolInputs = members.filter { $0.key == "tool_input" }
        guard toolInputs.count <= 1 else { return nil }
        switch toolInputs.first?.value {
        case nil, .null?: break
        case .object(let inner)?:
            var ignored: [String: String] = [:]
            guard Self.readTexts(Self.toolInputTextKeys, from: inner, into: &ignored) else { return nil }
        default: return nil
        }
        guard let event = texts["hook_event_name"], Self.events.contains(event), texts["tool_name"] == "Bash",
              let session = texts["session_id"], !session.isEmpty, let toolUseID = texts["tool_use_id"], !toolUseID.isEmpty
        else { return nil }
        self.event = event
        self.session = session
        self.toolUseID = toolUseID
        cwd = texts["cwd"]
    }

    /// Each of `keys` present at most once, as text or null; false otherwise.
    private static func readTexts(_ keys: [String], from members: [JSONMember], into texts: inout [String: String]) -> Bool {
        for key in keys {
            let found = members.filter { $0.key == key }
            guard found.count <= 1 else { return false }
            switch found.first?.value {
            case nil, .null?: continue
            case .string(let text)?: texts[key] = text
            default: return false
            }
        }
        return true
    }

    /// False for nesting deeper than `deepest` or a number with an exponent or more than 15
    /// characters (JSON readers differ on what they accept there).
    private static func isPlain(_ value: JSONValue, depth: Int) -> Bool {
        guard depth <= deepest else { return false }
        switch value {
        case .object(let members): return members.allSatisfy { isPlain($0.value, depth: depth + 1) }
        case .array(let items): return items.allSatisfy { isPlain($0, depth: depth + 1) }
        case .number(let text): return text.utf8.count <= 15 && !text.utf8.contains { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        case .string, .bool, .null: return true
        }
    }
}
