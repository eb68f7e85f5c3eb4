import ArgumentParser
import SpurKit

struct Pick: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pick",
        abstract: "Keep one approach: merge a lane and discard the other lanes of its group.",
        discussion: """
        The merge follows 'spur merge' (three-way into your working tree, undo point first).
        When it would conflict, nothing is merged or discarded and the conflicts are listed.

        Example:
          spur explore cache --run './try-lru.sh' --run './try-ttl.sh'
          spur wait && spur compare cache
          spur pick cache-2
        """
    )

    @Argument(help: "The lane to keep.")
    var name: String

    func run() throws {
        try runReportingErrors {
            let outcome = try LanePicker(workspace: currentWorkspace(noticeInterruptedMerge: false)).pick(name)
            MergeOutput.show(outcome.merge)
            if outcome.merge.status == .conflicts {
                print("nothing was picked: the other lanes are kept")
                throw ExitCode(SpurError.refused)
            }
            for lane in outcome.discarded { print("discarded lane \(lane)") }
        }
    }
}
