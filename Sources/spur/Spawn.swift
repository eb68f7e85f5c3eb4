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

        NAME: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.

        Examples:
          spur spawn fix-tests -m "make the suite pass" -- claude -p "fix the failing tests"
          spur spawn scratch --no-run          # a lane to work in by hand
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

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run in the lane, after --.", valueName: "CMD"))
    var command: [String] = []

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            var request = SpawnRequest(name: name)
            request.base = SpawnRequest.Base(argument: base)
            request.description = message
            request.command = command.isEmpty ? nil : command
            let lane = try Lanes(workspace: workspace).create(request)
            print(lane.worktree)
        }
    }
}
