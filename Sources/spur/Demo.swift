import ArgumentParser
import Foundation
import SpurKit

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show spur's whole story on a throw-away repository, printing each command it runs.",
        discussion: """
        Builds a small repository in a temporary folder, makes uncommitted edits as a user
        would, and runs spur on it with plain shell commands standing in for agents.

        Example:
          spur demo --keep      # keep the demo repository to explore afterwards
        """
    )

    @Flag(help: "Keep the demo repository instead of deleting it.")
    var keep = false

    func run() throws {
        try runReportingErrors {
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let script = DemoScript(spurExecutable: executable)
            let folder = try script.run()
            if keep { print("\nthe demo repository is kept at \(folder)") } else { try? FileManager.default.removeItem(atPath: folder) }
        }
    }
}
