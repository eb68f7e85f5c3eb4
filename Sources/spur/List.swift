import ArgumentParser
import Foundation
import SpurKit

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List lanes: state, age, files changed, overlap with your edits and other lanes, description.",
        discussion: """
        Examples:
          spur list
          spur list --json | jq '.[] | select(.state == "done") | .name'
        """
    )

    @Flag(help: "Print a JSON array of lanes (name, state, description, command, base, head, branch, worktree, workingTree, createdAt, changedFiles, ...).")
    var json = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            let lanes = try Supervision(workspace: workspace).reconcile()
            // Overlap detection also yields the files changed; if it fails, list without it.
            var rows: [(report: LaneReport, overlap: String)]
            do {
                rows = try OverlapAnalyzer(workspace: workspace).statuses(of: lanes).map { ($0.report, $0.overlap.columnText) }
            } catch {
                if !json { Terminal.warning("overlap unknown: \(error)") }
                let inspector = LaneInspector(workspace: workspace)
                rows = try lanes.map { (try inspector.report(for: $0), "?") }
            }
            let reports = rows.map(\.report)
            if json { return try Terminal.printJSON(reports) }
            if reports.isEmpty { return print("no lanes (start one with 'spur spawn NAME -- CMD')") }
            // Lanes spawned from another working tree (they merge there) name it in a column of their own.
            let showTree = reports.contains { !workspace.isCurrent($0.lane) }
            let table = rows.map { report, overlap in
                [report.lane.name, List.colored(report.tableState), Terminal.age(since: report.lane.createdAt),
                 "\(report.changedFiles.count)", overlap]
                    + (showTree ? [workspace.isCurrent(report.lane) ? "(this one)" : report.workingTree] : [])
                    + [report.lane.description ?? report.lane.command?.joined(separator: " ") ?? ""]
            }
            let headers = ["NAME", "STATE", "AGE", "FILES", "OVERLAP"] + (showTree ? ["WORKING TREE"] : []) + ["DESCRIPTION"]
            print(Terminal.table(headers, table))
            for report in reports { if let problem = report.problem { print("\(report.lane.name): \(problem)") } }
        }
    }

    static func colored(_ state: String) -> String {
        switch state {
        case "done", "merged": Terminal.paint(state, .green)
        case "failed", "killed", "missing": Terminal.paint(state, .red)
        case "running", "queued", "stalled": Terminal.paint(state, .yellow)
        default: state
        }
    }
}
