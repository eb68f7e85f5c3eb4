import ArgumentParser
import Foundation
import SpurGit
import SpurKit

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Answer a hook event: Claude Code's (claude) or git's pre-commit (git-pre-commit).",
        discussion: """
        Run by the integrations 'spur hooks install' sets up, not by hand. Neither ever blocks
        you because of spur's own trouble: anything spur cannot read or decide lets the edit
        or commit go ahead, with one warning line on standard error.

        git config spur.guard decides what happens when you are about to change a file a live
        lane has changed too: warn, ask (the default) or deny.
        """,
        subcommands: [HookClaude.self, HookGitPreCommit.self]
    )
}

struct HookClaude: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude",
        abstract: "Read one Claude Code hook event (JSON) on standard input and answer it.",
        discussion: """
        PreToolUse (Edit, Write, MultiEdit, NotebookEdit): in your working tree, a file a live
        lane has changed is answered per spur.guard (warn: allowed, the agent is told; ask: you
        decide; deny: refused); in a lane's worktree, any write outside it is refused.
        PreToolUse and PostToolUse (PostToolUseFailure when the command failed) of Bash:
        before the command, the files live lanes changed are fingerprinted (lstat); after it,
        each one the command changed is reported to the agent (additionalContext) and to you
        (systemMessage), or blocked with spur.guard=deny (the command already ran: nothing is
        undone).
        UserPromptSubmit and SessionStart: lane events this session has not heard of yet.
        SubagentStop and Stop: when the agent working in a lane spur made for Claude
        Code stops, its worktree becomes the lane's result; the session hears of it
        on its next prompt, and with git config spur.claudeOnFinish=merge a clean
        result is merged.
        Always exits 0; the answer is JSON on standard output (nothing when there is nothing
        to say).

        WorktreeCreate (installed by 'spur hooks install --claude --worktrees'):
        makes a lane from a snapshot of your working tree (git config
        spur.claudeBase: worktree, the default, or head), named after the event's
        name, and prints only its worktree's path. This one fails loudly: one line
        on standard error and a non-zero exit.

        Example (what Claude Code does):
          echo '{"hook_event_name":"PreToolUse","cwd":"'$PWD'","session_id":"s","tool_name":"Edit","tool_input":{"file_path":"'$PWD'/a.txt"}}' | spur hook claude
          echo '{"hook_event_name":"WorktreeCreate","cwd":"'$PWD'","session_id":"s","name":"fix-auth"}' | spur hook claude
        """
    )

    /// Answers the event on standard input and exits, as `spur hook claude` does, without the
    /// argument parser (the hot path: one process per tool call).
    static func runWithoutParsing() -> Never {
        do {
            try HookClaude().run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        // WorktreeCreate is answered with a path, not JSON, and fails with a non-zero exit.
        // Read once: decoding the payload is a large part of a hook's own work.
        let parsed = Result { try ClaudeHookInput.parse(input) }
        if try answerWorktreeCreate(parsed, data: input) { return }
        let answer = ClaudeHook().answer(parsed: parsed)
        if let warning = answer.warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        if let json = answer.json { FileHandle.standardOutput.write(Data((json + "\n").utf8)) }
        if answer.exitCode != 0 { throw ExitCode(answer.exitCode) }
    }
}

struct HookGitPreCommit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-pre-commit",
        abstract: "Check staged paths (NUL-separated on standard input) against live lanes.",
        discussion: """
        Warns about each staged file a live lane has changed too; exits 1 (refusing the
        commit) only when git config spur.guard is deny. Run by spur's pre-commit hook:
          git diff --cached --name-only --no-renames -z | spur hook git-pre-commit
        """
    )

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        // Names are bytes: NUL-separated (-z) they are taken exactly; without -z, one per line.
        let paths = input.split(separator: input.contains(0) ? 0 : 0x0A).map { GitPath(bytes: $0) }.filter { !$0.isEmpty }
        let cwd = FileManager.default.currentDirectoryPath
        let verdict: CommitGuard.Verdict
        do {
            verdict = try CommitGuard(workspace: Workspace(discoveringFrom: cwd)).review(stagedPaths: paths, cwd: cwd)
        } catch {
            let message = (error as? SpurError)?.message ?? "\(error)"
            Terminal.warning("pre-commit check skipped: \(message)")
            return
        }
        for line in verdict.lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if verdict.blocks { throw ExitCode(1) }
    }
}
