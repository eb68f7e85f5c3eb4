import ArgumentParser
import Foundation
import SpurKit

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare lanes side by side: outcome, check, size, and collisions.",
        discussion: """
        For each lane: state, duration, exit status, check result, files changed, lines
        added/removed, and overlap with your edits; then the files where the compared lanes
        overlap each other. Give an explore group's name or several lane names.

        Examples:
          spur compare cache                 # the lanes of 'spur explore cache'
          spur compare try-1 try-3 --json
        """
    )

    @Argument(help: "A group name, or lane names.")
    var lanes: [String]

    @Flag(help: "Print the comparison as JSON: {rows: [...], lanesOverlap: [...]}.")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard !lanes.isEmpty else { throw SpurError.usage("name a group or lanes to compare") }
            let comparison = try LaneComparison.make(workspace: currentWorkspace(), groupOrNames: lanes)
            if json { return try Terminal.printJSON(comparison) }
            let rows = comparison.rows.map { row -> [String] in
                let check = row.check.map { $0.passed ? "pass" : "FAIL" } ?? "-"
                let yours = row.overlap.isEmpty ? "none"
                    : "\(row.overlap.count) overlap\(row.conflicts > 0 ? ", \(row.conflicts) conflict" + (row.conflicts == 1 ? "" : "s") : "")"
                return [String(row.name.prefix(18)), row.state, row.durationSeconds.map { Summary.duration($0) } ?? "-",
                        row.exitCode.map(String.init) ?? "-", check, "\(row.changedFiles.count)",
                        "+\(row.linesAdded)/-\(row.linesRemoved)", yours]
            }
            print(Terminal.table(["LANE", "STATE", "TIME", "EXIT", "CHECK", "FILES", "LINES", "YOUR EDITS"], rows))
            for row in comparison.rows {
                for path in row.overlap where path.verdict == .conflict {
                    print(Terminal.paint("\(row.name): conflicts with your edits in \(path.located)", .red))
                }
            }
            if comparison.lanesOverlap.isEmpty {
                print("the compared lanes change different files")
            } else {
                for pair in comparison.lanesOverlap {
                    let paths = pair.paths.map { "\($0.path) (\($0.verdict.rawValue))" }.joined(separator: ", ")
                    print("\(pair.lanes.joined(separator: " & ")) both change: \(paths)")
                }
            }
        }
    }
}
