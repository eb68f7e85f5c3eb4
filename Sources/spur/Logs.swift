import ArgumentParser
import Foundation
import SpurKit

struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a lane's log (its task's standard output and error).",
        discussion: """
        Examples:
          spur logs fix-tests
          spur logs -f fix-tests     # follow until the task ends
        """
    )

    @Argument(help: "The lane whose log to print.")
    var name: String

    @Flag(name: .shortAndLong, help: "Keep printing new output until the task ends.")
    var follow = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            try LogReader(workspace: workspace, name: name).print(follow: follow) { chunk in
                FileHandle.standardOutput.write(chunk)
            }
        }
    }
}
