import ArgumentParser
import Foundation
import SpurGit
import SpurKit

@main
struct Spur: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spur",
        abstract: "Run background tasks beside your working tree, each on a side track of its own.",
        discussion: """
        A lane is a snapshot of your working tree (including uncommitted and untracked files),
        a branch spur/NAME and a worktree of its own where a task runs. You keep working; spur
        tells you where the task and your edits overlap, and brings the result back safely.

        Exit codes: 0 success, 1 refused or failed (the message says why), 2 bad input;
        'spur check' also has 3, could not decide.
        """,
        subcommands: [
            // Start work.
            Spawn.self,
            Explore.self,
            // Watch it.
            List.self,
            Status.self,
            Check.self,
            Logs.self,
            Wait.self,
            Stop.self,
            Finish.self,
            // Review and bring it back.
            Show.self,
            Diff.self,
            Compare.self,
            Merge.self,
            Pick.self,
            Undo.self,
            Discard.self,
            Restore.self,
            Gc.self,
            // Guard edits and commits.
            Hook.self,
            Hooks.self,
            // Learn.
            Demo.self,
            Supervise.self,
            SnapshotCommand.self,
        ]
    )
}

extension Spur {
    /// Like ArgumentParser's main, but a malformed command line is one line on stderr and exit
    /// code 2, the same as any other bad input; help and version requests still exit 0.
    static func main() {
        // Claude Code runs `spur hook claude` on every tool call: it skips building the whole
        // command tree, which costs more than answering most events.
        if CommandLine.arguments.dropFirst().elementsEqual(["hook", "claude"]) { HookClaude.runWithoutParsing() }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            let message = Spur.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            Terminal.error("\(message) (see 'spur help')")
            exit(withError: ExitCode(SpurError.usage))
        }
    }
}

/// Runs a command body, turning spur's errors into one line on stderr and their exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as SpurError {
        Terminal.error(error.message)
        throw ExitCode(error.exitCode)
    } catch let error as ExitCode {
        throw error
    } catch {
        Terminal.error("\(error)")
        throw ExitCode(SpurError.refused)
    }
}

/// Command-line arguments as the bytes the kernel passed: Swift decodes `argv` as UTF-8 and
/// puts U+FFFD where it is not, so a path argument that is not UTF-8 is looked up again among
/// the raw arguments (the one whose decoding it is); valid UTF-8 is its own bytes.
func argumentBytes(_ decoded: [String]) -> [GitPath] {
    let raw = (0..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0].map { GitPath(cString: $0) } }
    return decoded.map { text in
        guard text.unicodeScalars.contains("\u{FFFD}") else { return GitPath(text) }
        let candidates = Set(raw.filter { String(decoding: $0.bytes, as: UTF8.self) == text })
        return candidates.count == 1 ? candidates.first ?? GitPath(text) : GitPath(text)
    }
}

/// The repository around the current folder. Warns when a merge or undo was interrupted
/// (merge and undo pass false: they report it themselves).
func currentWorkspace(noticeInterruptedMerge: Bool = true) throws -> Workspace {
    let workspace = try Workspace(discoveringFrom: FileManager.default.currentDirectoryPath)
    if noticeInterruptedMerge, let notice = MergeRecovery.notice(for: workspace) { Terminal.warning(notice) }
    return workspace
}
