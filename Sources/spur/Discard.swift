import ArgumentParser
import Foundation
import SpurKit

struct Discard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Remove a lane: its worktree, branch, refs and record.",
        discussion: """
        Refuses when the lane holds changes that were never merged, and names the files
        that would be lost; --force discards them anyway.

        Example:
          spur discard try-2
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
