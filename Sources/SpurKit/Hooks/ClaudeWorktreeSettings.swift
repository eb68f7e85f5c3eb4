import Foundation
import SpurHookCore

extension ClaudeSettingsInstaller {
    /// The hooks `spur hooks install --claude --worktrees` adds (`hooks/claude/worktrees.json`):
    /// WorktreeCreate (spur makes Claude Code's worktrees, as lanes), SubagentStop and Stop (an
    /// agent's end records its lane's result). None takes a matcher. Opt-in, because
    /// WorktreeCreate replaces Claude Code's own worktree creation and its `.worktreeinclude`
    /// handling. Their timeouts allow for a large repository's checkout and a merge.
    public static let worktreeSnippet: JSONValue = {
        let group = { (timeout: String) -> JSONValue in
            .array([.object([JSONMember(key: "hooks", value: .array([.object([
                JSONMember(key: "type", value: .string("command")),
                JSONMember(key: "command", value: .string(command)),
                JSONMember(key: "timeout", value: .number(timeout)),
            ])]))])])
        }
        return .object([JSONMember(key: "hooks", value: .object([
            JSONMember(key: "WorktreeCreate", value: group("600")),
            JSONMember(key: "SubagentStop", value: group("120")),
            JSONMember(key: "Stop", value: group("120")),
        ]))])
    }()
}
