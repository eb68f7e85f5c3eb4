import Foundation
import Testing
import SpurHookCore
import SpurKit
import SpurTestSupport

/// `spur-hook` reads a Bash event's fields itself (`BashHookEvent`) only where `spur hook
/// claude` (`ClaudeHookInput.parse`, through JSONSerialization) reads the same fields without
/// complaint: for random payloads, whenever the fast reader accepts one, the full reader does
/// too and finds the same event, session, tool use id and folder.
@Suite struct BashHookEventTests {
    /// One member's text: a value of a random shape (text, empty, null, number, object, array) or nothing.
    static func member(_ key: String, _ text: String, _ random: inout SeededGenerator) -> String? {
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return nil
        case 1: return "\"\(key)\":null"
        case 2: return "\"\(key)\":\"\""
        case 3: return "\"\(key)\":7"
        case 4: return "\"\(key)\":{\"x\":\"\(text)\"}"
        case 5: return "\"\(key)\":[\"\(text)\"]"
        case 6: return "\"\(key)\":\"\(text)\",\"\(key)\":\"\(text)2\""
        default: return "\"\(key)\":\"\(text)\""
        }
    }

    static let oddTexts = ["caf\\u00e9", "a\\/b", "\\ud83d\\ude00", "\\ud800", "tab\\there", "\\u0000", "é", "\\x"]
    static let oddNumbers = ["1", "-0.5", "1e400", "12345678901234567890", "0.1E2", "01"]

    static func payload(_ random: inout SeededGenerator) -> [UInt8] {
        let folder = Bool.random(using: &random) ? "/tmp/work" : "/tmp/" + oddTexts[Int.random(in: 0..<oddTexts.count, using: &random)]
        let event = ["PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"][Int.random(in: 0..<4, using: &random)]
        var members: [String] = []
        for (key, text) in [("hook_event_name", event), ("session_id", "s-1"), ("tool_use_id", "toolu_1"), ("cwd", folder),
                            ("tool_name", Bool.random(using: &random) ? "Bash" : "Edit"), ("source", "startup"), ("name", "n"),
                            ("agent_id", "a"), ("agent_transcript_path", "/tmp/t.jsonl"), ("worktree_name", "w"),
                            ("transcript_path", "/tmp/t.jsonl")] {
            // Mostly plain text, so that many payloads are ones spur-hook takes.
            if Int.random(in: 0..<8, using: &random) > 0 { members.append("\"\(key)\":\"\(text)\"") } else if let odd = member(key, text, &random) {
                members.append(odd)
            }
        }
        switch Int.random(in: 0..<9, using: &random) {
        case 0: members.append("\"tool_input\":\"echo\"")
        case 1: members.append("\"tool_input\":{\"command\":5}")
        case 2: members.append("\"tool_input\":null")
        case 3: members.append("\"tool_input\":{\"command\":\"x\",\"file_path\":5}")
        case 4: members.append("\"tool_input\":{\"command\":\"x\",\"notebook_path\":[\"n\"]}")
        case 5: members.append("\"tool_input\":{\"command\":\"x\",\"file_path\":null,\"command\":\"y\"}")
        default: members.append("\"tool_input\":{\"command\":\"echo \\\"hi\\\" > a.txt\",\"description\":\"d\"}")
        }
        let number = oddNumbers[Int.random(in: 0..<oddNumbers.count, using: &random)]
        members.append("\"tool_response\":{\"stdout\":\"\(oddTexts[Int.random(in: 0..<oddTexts.count, using: &random)])\","
            + "\"interrupted\":false,\"code\":\(Int.random(in: 0..<3, using: &random) == 0 ? number : "0")}")
        members.shuffle(using: &random)
        var bytes = Array(("{" + members.joined(separator: ",") + "}").utf8)
        switch Int.random(in: 0..<14, using: &random) {
        case 0: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        case 1: bytes += Array(" x".utf8)
        case 2: bytes = [0xEF, 0xBB, 0xBF] + bytes
        case 3: bytes.insert(0xFF, at: bytes.count / 2)
        case 4: bytes = Array("[".utf8) + bytes + Array("]".utf8)
        case 5: bytes = Array(" \n\t".utf8) + bytes + Array("\r\n".utf8)
        default: break
        }
        return bytes
    }

    @Test(arguments: [UInt64(3), 17, 101])
    func whatTheFastReaderTakesTheFullReaderReadsAlike(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var taken = 0
        for round in 0..<1500 {
            let bytes = Self.payload(&random)
            guard let fast = BashHookEvent(payload: bytes) else { continue }
            taken += 1
            let text = String(decoding: bytes, as: UTF8.self)
            let full = try #require(try? ClaudeHookInput.parse(Data(bytes)), "seed \(seed) round \(round): \(text)")
            #expect(full.event == fast.event && full.toolName == "Bash", "\(text)")
            #expect(full.sessionID == fast.session && full.toolUseID == fast.toolUseID, "\(text)")
            #expect(full.cwd == fast.cwd, "\(text)")
            #expect(full.cwd?.utf8.elementsEqual((fast.cwd ?? "").utf8) ?? (fast.cwd == nil), "\(text)")
        }
        // Not a test that proves nothing: a good share of the payloads are taken.
        #expect(taken > 40, "seed \(seed): only \(taken) payloads taken")
    }

    @Test func claudeCodesBashPayloadsAreTakenAndOthersLeftToSpur() throws {
        for fixture in ["pre-tool-use-bash", "post-tool-use-bash", "post-tool-use-failure-bash"] {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(Fixtures.hookPayload(fixture, cwd: "/tmp/w").utf8))
                as? [String: Any])
            object["tool_use_id"] = "toolu_1"
            let event = BashHookEvent(payload: Array(try JSONSerialization.data(withJSONObject: object)))
            #expect(event?.cwd == "/tmp/w" && event?.session == "session-1" && event?.toolUseID == "toolu_1", "\(fixture)")
        }
        for fixture in ["pre-tool-use-edit", "user-prompt-submit", "worktree-create", "malformed", "stop"] {
            #expect(BashHookEvent(payload: Array(try Fixtures.hookPayload(fixture, cwd: "/tmp/w").utf8)) == nil, "\(fixture)")
        }
    }
}
