import ArgumentParser
import Foundation
import SpurKit

struct Spawn: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Snapshot your working tree into a new lane and run a command there.",
        discussion: """
        The snapshot records HEAD plus staged, unstaged and untracked (not ignored) files,
        without touching your index, working tree, branch or stash. The lane gets a branch
        spur/NAME and a worktree of its own; the last line printed is the worktree's path.

        The command runs detached (closing the terminal does not stop it), with stdin from
        /dev/null, output to the lane's log ('spur logs NAME'), and SPUR_LANE, SPUR_BASE and
        SPUR_REPO in its environment. When it ends, the worktree's state is committed as the
        lane's result and you are notified (git config spur.notify names a command to run).

        NAME: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.

        Examples:
          spur spawn fix-tests -m "make the suite pass" -- claude -p "fix the failing tests"
          spur spawn suite --timeout 30m -- swift test
          spur spawn scratch --no-run          # a lane to work in by hand; 'spur finish' later
          spur spawn from-main --base main --no-run
        """
    )

    @Argument(help: "The lane's name.")
    var name: String

    @Option(help: ArgumentHelp("Where the lane starts: worktree (a snapshot of your working tree), head, or any revision.", valueName: "worktree|head|REV"))
    var base: String = "worktree"

    @Option(name: .short, help: ArgumentHelp("What the task should produce (shown by list).", valueName: "TEXT"))
    var message: String?

    @Flag(help: "Create the lane only; run nothing.")
    var noRun = false

    @Option(help: ArgumentHelp("End the task after this long (TERM, then KILL): 90s, 30m, 2h.", valueName: "DURATION"))
    var timeout: String?

    @Option(help: ArgumentHelp("Report the task as stalled after this long without output or file changes.", valueName: "DURATION"))
    var idle: String = "10m"

    @Option(help: ArgumentHelp("When the task ends done: merge (only if the merge is clean) or flag it for review.", valueName: "merge|flag"))
    var onFinish: String = "flag"

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run in the lane, after --.", valueName: "CMD"))
    var command: [String] = []

    func run() throws {
        try runReportingErrors {
            let timeoutSeconds = try timeout.map { try duration($0, option: "--timeout") }
            let idleSeconds = try duration(idle, option: "--idle")
            guard let finishAction = FinishAction(rawValue: onFinish) else {
                throw SpurError.usage("--on-finish takes merge or flag, not '\(onFinish)'")
            }
            if !noRun && command.isEmpty {
                throw SpurError.usage("nothing to run: give a command after -- (spur spawn \(name) -- CMD) or use --no-run")
            }
            let workspace = try currentWorkspace()
            var request = SpawnRequest(name: name)
            request.base = SpawnRequest.Base(argument: base)
            request.description = message
            request.command = command.isEmpty ? nil : command
            let lanes = Lanes(workspace: workspace)
            var lane = try lanes.create(request)
            lane = try lanes.store.update(lane.name) { lane in
                lane.timeoutSeconds = timeoutSeconds
                lane.idleSeconds = idleSeconds
                lane.onFinish = finishAction
            }
            if !noRun {
                try Supervision(workspace: workspace).launch(lane.name, spurExecutable: spurExecutablePath())
                print("lane \(lane.name) running: \(command.joined(separator: " "))")
            }
            print(lane.worktree)
        }
    }
}

/// Parses a DURATION option or throws a usage error naming the option.
func duration(_ text: String, option: String) throws -> Double {
    guard let seconds = Summary.parseDuration(text) else {
        throw SpurError.usage("\(option) takes a duration such as 90s, 30m or 2h, not '\(text)'")
    }
    return seconds
}

/// This executable's path, for starting supervisors.
func spurExecutablePath() -> String {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
}
