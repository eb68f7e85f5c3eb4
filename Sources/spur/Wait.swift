import ArgumentParser
import Foundation
import SpurKit

struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Block until lanes end, printing each one's summary as it ends.",
        discussion: """
        Without names, waits for every running lane. Uses no CPU while waiting.
        Exit status: 0 when all ended done, 1 when any failed or was killed, 124 on timeout.

        Examples:
          spur wait                      # all running lanes
          spur wait try-1 try-2 --any    # the first of these to end
          spur wait suite --timeout 10m
        """
    )

    @Argument(help: "Lanes to wait for (default: all running).")
    var names: [String] = []

    @Flag(help: "Return as soon as any one of them ends.")
    var any = false

    @Option(help: ArgumentHelp("Give up after this long (exit 124).", valueName: "DURATION"))
    var timeout: String?

    func run() throws {
        try runReportingErrors {
            let seconds = try timeout.map { try duration($0, option: "--timeout") }
            let result = try Supervision(workspace: currentWorkspace()).wait(for: names, any: any, timeout: seconds) { lane in
                print(Summary.line(for: lane))
                fflush(nil)
            }
            if result.timedOut { throw ExitCode(124) }
            if result.lanes.contains(where: { $0.state == .failed || $0.state == .killed }) { throw ExitCode(1) }
        }
    }
}
