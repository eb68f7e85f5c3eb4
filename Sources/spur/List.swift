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
          spur list --archived
        """
    )

    @Flag(help: "Print a JSON array of lanes (name, state, description, command, base, head, branch, worktree, workingTree, createdAt, changedFiles, ...).")
    var json = false

    @Flag(help: "List archived lanes instead (discarded or picked over; 'spur restore NAME' brings one back).")
    var archived = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            if archived { return try List.showArchived(in: workspace, json: json) }
            let lanes = try Supervision(workspace: workspace).reconcile()
            // A record that cannot be read is shown as damaged; it does not stop the others.
            let damaged = LaneStore(workspace: workspace).damaged()
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
            if json { return try Terminal.printJSON(reports.map(LaneEntry.lane) + damaged.map(LaneEntry.damaged)) }
            if reports.isEmpty && damaged.isEmpty { return print("no lanes (start one with 'spur spawn NAME -- CMD')") }
            // Lanes spawned from another working tree (they merge there) name it in a column of their own.
            let showTree = reports.contains { !workspace.isCurrent($0.lane) }
            let laneRows: [[String]] = rows.map { report, overlap in
                let tree: [String] = showTree ? [workspace.isCurrent(report.lane) ? "(this one)" : report.workingTree] : []
                let description = report.lane.description ?? report.lane.command?.joined(separator: " ") ?? ""
                let leading: [String] = [report.lane.name, List.colored(report.tableState), Terminal.age(since: report.lane.createdAt),
                                         "\(report.changedFiles.count)", overlap]
                return leading + tree + [description]
            }
            let damagedRows: [[String]] = damaged.map { record in
                [record.name, List.colored(LaneReport.damaged), "?", "?", "?"] + (showTree ? ["?"] : []) + [""]
            }
            let table = laneRows + damagedRows
            let headers = ["NAME", "STATE", "AGE", "FILES", "OVERLAP"] + (showTree ? ["WORKING TREE"] : []) + ["DESCRIPTION"]
            print(Terminal.table(headers, table))
            for report in reports { if let problem = report.problem { print("\(report.lane.name): \(problem)") } }
            for record in damaged { print("\(record.name): \(record.problem)") }
        }
    }

    static func colored(_ state: String) -> String {
        switch state {
        case "done", "merged": Terminal.paint(state, .green)
        case "failed", "killed", "missing", LaneReport.damaged: Terminal.paint(state, .red)
        case "running", "queued", "stalled": Terminal.paint(state, .yellow)
        default: state
        }
    }
}

/// One entry of `list --json` and `status --json`: a lane, or a lane record that cannot be
/// read (`{name, state: "damaged", branch, problem}`).
enum LaneEntry<Report: Encodable>: Encodable {
    case lane(Report)
    case damaged(DamagedLaneRecord)

    func encode(to encoder: Encoder) throws {
        switch self {
        case .lane(let report): try report.encode(to: encoder)
        case .damaged(let record): try record.encode(to: encoder)
        }
    }
}
