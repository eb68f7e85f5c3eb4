import ArgumentParser
import Foundation
import SpurKit

/// The detached watcher `spawn --no-run` starts; not for people to call.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__watch",
        abstract: "Journal a created lane's changed files (started by spawn --no-run).",
        shouldDisplay: false
    )

    @Argument var name: String
    @Option var readyFd: Int32?

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            try LaneWatch(workspace: workspace, name: name).run(ready: readyFd)
        }
    }
}
