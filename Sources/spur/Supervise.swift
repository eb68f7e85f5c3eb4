import ArgumentParser
import Foundation
import SpurKit

/// The detached supervisor `spawn` starts; not for people to call. For a lane made with
/// `--no-run` it only keeps the lane's change journal until the lane is finished or discarded.
struct Supervise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__supervise",
        abstract: "Supervise a lane's task, or watch a --no-run lane's worktree (started by spawn).",
        shouldDisplay: false
    )

    @Argument var name: String
    @Option var readyFd: Int32?
    @Flag var watchOnly = false

    func run() throws {
        try runReportingErrors {
            let found = try currentWorkspace()
            // The task, its notifications and SPUR_REPO belong to the tree the lane was spawned from.
            let lane = try? LaneStore(workspace: found).load(name)
            let workspace = lane.flatMap { try? found.forLane($0) } ?? found
            if watchOnly {
                try LaneWatch(workspace: workspace, name: name).run(ready: readyFd)
            } else {
                try Supervisor(workspace: workspace, name: name).run(ready: readyFd)
            }
        }
    }
}
