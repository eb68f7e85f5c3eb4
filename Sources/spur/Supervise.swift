import ArgumentParser
import Foundation
import SpurKit

/// The detached supervisor `spawn` starts; not for people to call.
struct Supervise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__supervise",
        abstract: "Supervise a lane's task (started by spawn).",
        shouldDisplay: false
    )

    @Argument var name: String
    @Option var readyFd: Int32?

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            try Supervisor(workspace: workspace, name: name).run(ready: readyFd)
        }
    }
}
