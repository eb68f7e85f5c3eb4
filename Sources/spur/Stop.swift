import ArgumentParser
import SpurKit

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "End a running task (TERM, then KILL) and commit what it left.",
        discussion: """
        The whole process group of the task is ended. What the task wrote so far is
        committed as the lane's result; the lane becomes 'killed'.

        Example:
          spur stop fix-tests
        """
    )

    @Argument(help: "The lane whose task to end.")
    var name: String

    func run() throws {
        try runReportingErrors {
            let lane = try Supervision(workspace: currentWorkspace()).stop(name)
            print(Summary.line(for: lane))
        }
    }
}
