import ArgumentParser
import Foundation
import SpurKit

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List lanes: state, age, description and files changed.",
        discussion: """
        Examples:
          spur list
          spur list --json | jq '.[] | select(.state == "done") | .name'
        """
    )

    @Flag(help: "Print a JSON array of lanes (name, state, description, command, base, head, branch, worktree, createdAt, changedFiles, ...).")
    var json = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            let inspector = LaneInspector(workspace: workspace)
            let reports = try Supervision(workspace: workspace).reconcile().map { try inspector.report(for: $0) }
            if json { return try Terminal.printJSON(reports) }
            if reports.isEmpty { return print("no lanes (start one with 'spur spawn NAME -- CMD')") }
            let rows = reports.map { report in
                [report.lane.name, colored(report.tableState), Terminal.age(since: report.lane.createdAt),
                 "\(report.changedFiles.count)", report.lane.description ?? report.lane.command?.joined(separator: " ") ?? ""]
            }
            print(Terminal.table(["NAME", "STATE", "AGE", "FILES", "DESCRIPTION"], rows))
            for report in reports { if let problem = report.problem { print("\(report.lane.name): \(problem)") } }
        }
    }

    func colored(_ state: String) -> String {
        switch state {
        case "done", "merged": Terminal.paint(state, .green)
        case "failed", "killed", "missing": Terminal.paint(state, .red)
        case "running", "queued", "stalled": Terminal.paint(state, .yellow)
        default: state
        }
    }
}
