import ArgumentParser
import SpurKit

struct Finish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "Commit a lane's worktree as its result and mark it done.",
        discussion: """
        For a lane made with --no-run where you or an agent worked by hand, or a lane whose
        supervisor was lost: the worktree's whole state (by the snapshot rule) becomes the
        lane's result on branch spur/NAME.

        Example:
          spur spawn scratch --no-run && cd "$(spur list --json | jq -r '.[-1].worktree')"
          ... edit ...
          spur finish scratch
        """
    )

    @Argument(help: "The lane to finish.")
    var name: String

    func run() throws {
        try runReportingErrors {
            let lane = try LaneResults(workspace: currentWorkspace()).finish(name)
            print(Summary.line(for: lane))
        }
    }
}
