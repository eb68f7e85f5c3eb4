import Foundation
import Testing
@testable import SpurKit
import SpurTestSupport

/// The provider's pure parts: lane names made from Claude Code's slugs, the payload fields, the shipped snippet.
@Suite struct ClaudeWorktreeProviderTests {
    @Test func slugsBecomeValidLaneNames() {
        let cases: [(String, String?)] = [
            ("agent-a1b2c3", "agent-a1b2c3"),
            ("Fix Auth/Retry!", "fix-auth-retry"),
            ("--.lead", "lead"),
            ("a..b", "a.b"),
            ("x.lock", "x"),
            ("café au lait", "caf-au-lait"),
            ("under_score", "under_score"),
            ("/-/", nil),
            ("", nil),
            ("日本", nil),
        ]
        for (slug, expected) in cases {
            let stem = ClaudeWorktreeProvider.laneNameStem(slug)
            #expect(stem == expected, "\(slug)")
            if let stem { #expect(LaneName.problem(with: stem) == nil, "\(slug)") }
        }
        #expect(ClaudeWorktreeProvider.laneNameStem(String(repeating: "ab", count: 50))?.count == 64)
    }

    @Test func suffixedNamesStayWithinSixtyFourCharacters() {
        let stem = String(repeating: "a", count: 63) + "b"
        #expect(ClaudeWorktreeProvider.candidate(stem, suffix: 1) == stem)
        #expect(ClaudeWorktreeProvider.candidate(stem, suffix: 2) == String(repeating: "a", count: 62) + "-2")
        #expect(ClaudeWorktreeProvider.candidate(String(repeating: "a", count: 61) + "-bc", suffix: 10) == String(repeating: "a", count: 61) + "-10")
        #expect(ClaudeWorktreeProvider.candidate("short", suffix: 3) == "short-3")
    }

    @Test func worktreeAndStopPayloadsAreRead() throws {
        let create = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload("worktree-create", cwd: "/w", session: "s")
            .replacingOccurrences(of: "{{NAME}}", with: "agent-1").utf8))
        #expect(create == ClaudeHookInput(event: "WorktreeCreate", cwd: "/w", sessionID: "s", worktreeName: "agent-1"))
        let documented = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload("worktree-create-documented", cwd: "/w", session: "s")
            .replacingOccurrences(of: "{{NAME}}", with: "feat").utf8))
        #expect(documented.worktreeName == "feat")
        let stop = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload("subagent-stop", cwd: "/w", session: "s")
            .replacingOccurrences(of: "{{AGENT}}", with: "a7").utf8))
        var expected = ClaudeHookInput(event: "SubagentStop", cwd: "/w", sessionID: "s", agentID: "a7")
        expected.agentTranscriptPath = "/home/user/.claude/projects/-work-project/s/subagents/agent-a7.jsonl"
        #expect(stop == expected)
        let remove = try ClaudeHookInput.parse(Data(try Fixtures.hookPayload("worktree-remove", cwd: "/w", file: "/w/x", session: "s").utf8))
        #expect(remove.event == "WorktreeRemove")
    }

    @Test func theShippedWorktreeSnippetIsWhatTheInstallerWrites() throws {
        #expect(try Fixtures.read("../hooks/claude/worktrees.json") == ClaudeSettingsInstaller.worktreeSnippet.rendered() + "\n")
    }
}
