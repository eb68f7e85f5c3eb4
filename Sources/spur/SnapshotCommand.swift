import ArgumentParser
import Foundation
import SpurKit

/// `spur __snapshot`: takes a snapshot of the working tree (as `spur spawn` does) and prints
/// the commit id, changing nothing else. Hidden: for benchmarks and debugging.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__snapshot",
        abstract: "Print the id of a snapshot commit of the working tree (internal).",
        shouldDisplay: false
    )

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            print(try Snapshot.take(workdir: workspace.root).commit.hex)
        }
    }
}
