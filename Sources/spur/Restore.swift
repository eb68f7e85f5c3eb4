import ArgumentParser
import SpurKit

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring back an archived lane as a finished lane.",
        discussion: """
        Every discarded lane (and each lane 'spur pick' set aside) is archived
        first; see them with 'spur list --archived'. The restored lane is
        finished at the archived result, so 'spur diff' and 'spur merge' work
        on it as before; it merges into the working tree you run restore in.
        The archive is kept until 'spur gc' prunes it.

        Refused (exit 1) while a lane of that name exists; a name with no
        archive, or a --at matching none, is bad input (exit 2).

        Examples:
          spur restore try-2
          spur restore try-2 --at 20261202-103512
        """
    )

    @Argument(help: "The archived lane to bring back.")
    var name: String

    @Option(help: ArgumentHelp("Which archive of the lane, by its time as 'spur list --archived' shows it "
                               + "(or the beginning of it); the latest by default.", valueName: "TIME"))
    var at: String?

    func run() throws {
        try runReportingErrors {
            let lane = try Lanes(workspace: currentWorkspace()).restore(name, at: at)
            print("restored lane \(name) (\(lane.state.rawValue), \(lane.changedFiles?.count ?? 0) files changed); "
                  + "'spur diff \(name)' shows it, 'spur merge \(name)' brings it in")
            print(lane.worktree)
        }
    }
}
