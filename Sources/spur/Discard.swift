import ArgumentParser
import Foundation
import SpurKit

struct Discard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Remove a lane, archived first: worktree, branch, refs, record.",
        discussion: """
        Refuses when the lane holds changes that were never merged, and names
        the files; --force discards them anyway. Either way the lane's final
        state (a snapshot of its worktree: its result, plus any later edit)
        and its record are first kept under refs/spur/archive/NAME/TIME:
        'spur list --archived' shows them, 'spur restore NAME' brings one
        back, 'spur gc' prunes those older than 30 days.

        Examples:
          spur discard try-2
          spur discard --force try-3 && spur restore try-3
        """
    )

    @Argument(help: "The lane to remove.")
    var name: String

    @Flag(help: "Discard even unmerged changes or a running lane.")
    var force = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            try Lanes(workspace: workspace).discard(name, force: force)
            print("discarded lane \(name)")
        }
    }
}
