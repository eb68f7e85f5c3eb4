import ArgumentParser
import Foundation
import SpurKit

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List lanes: state, age, files changed, overlap with your edits and other lanes, description.",
        discussion: """
        Under each running lane, its latest line: the last line the task wrote to
        the file named by $SPUR_PROGRESS (outside the worktree), or else the last
        line of its output, cut to the terminal's width; control sequences and
        invalid UTF-8 are made harmless (--json: lastLine, at most 500 characters).
        A lane waiting for a running slot (git config spur.maxRunning) shows its place:
        "queued (2nd for a slot, maxRunning 2)" (--json: queuePosition, 1 next to start).

        --watch redraws the table whenever a lane changes: a lane record, a task's
        output or progress, a live lane's change journal (inotify; no timer, no CPU
        while nothing happens), at most four times a second. On a terminal it takes
        the screen and q, ^C or ^D ends it (the terminal is restored). When standard
        output is not a terminal each changed table is printed again, after a blank
        line. When standard input is not a terminal, the watch ends at its end or at
        a line with q: 'spur list --watch < /dev/null' prints once, and
        'tail -f /dev/null | spur list --watch >> lanes.log' runs until killed.

        Examples:
          spur list
          spur list --watch
          spur list --json | jq '.[] | select(.state == "done") | .name'
          spur list --json | jq -r '.[] | select(.state == "running") | .lastLine'
          spur list --archived
        """
    )

    @Flag(help: "Print a JSON array of lanes (name, state, description, command, base, head, branch, worktree, workingTree, createdAt, changedFiles, lastLine, queuePosition, worktreeRemoved, included, setup, ...).")
    var json = false

    @Flag(help: "Redraw the table whenever a lane changes, until q or ^C (see 'spur help list').")
    var watch = false

    @Flag(help: "List archived lanes instead (discarded or picked over; 'spur restore NAME' brings one back).")
    var archived = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            if archived {
                guard !watch else { throw SpurError.usage("--watch draws the table of live lanes; it cannot be combined with --archived") }
                return try List.showArchived(in: workspace, json: json)
            }
            if watch {
                guard !json else { throw SpurError.usage("--watch draws the table; it cannot be combined with --json") }
                return try LiveView(workspace: workspace).run(title: "spur list --watch") { try render(workspace) }
            }
            print(try render(workspace), terminator: "")
        }
    }

    /// The table (or JSON) as `spur list` prints it, ending in a newline.
    func render(_ workspace: Workspace) throws -> String {
        var out = ""
        func print(_ text: String) { out += text + "\n" }
        do {  // the body of what list printed before --watch, unchanged but for where it prints
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
            for index in rows.indices { rows[index].report.queuePosition = RunningSlots.position(of: rows[index].report.lane.name, in: lanes) }
            let slotLimit = try? RunningSlots(workspace: workspace).limit()
            let reports = rows.map(\.report)
            if json { return try Terminal.json(reports.map(LaneEntry.lane) + damaged.map(LaneEntry.damaged)) }
            if reports.isEmpty && damaged.isEmpty { print("no lanes (start one with 'spur spawn NAME -- CMD')"); return out }
            // Lanes spawned from another working tree (they merge there) name it in a column of their own.
            let showTree = reports.contains { !workspace.isCurrent($0.lane) }
            let laneRows: [[String]] = rows.map { report, overlap in
                let tree: [String] = showTree ? [workspace.isCurrent(report.lane) ? "(this one)" : report.workingTree] : []
                let description = report.lane.description ?? report.lane.command?.joined(separator: " ") ?? ""
                let place = report.queuePosition.map { " (" + RunningSlots.describePlace($0, limit: slotLimit) + ")" } ?? ""
                let leading: [String] = [report.lane.name, List.colored(report.tableState) + place, Terminal.age(since: report.lane.createdAt),
                                         "\(report.changedFiles.count)", overlap]
                return leading + tree + [description]
            }
            let damagedRows: [[String]] = damaged.map { record in
                [record.name, List.colored(LaneReport.damaged), "?", "?", "?"] + (showTree ? ["?"] : []) + [""]
            }
            let table = laneRows + damagedRows
            let headers = ["NAME", "STATE", "AGE", "FILES", "OVERLAP"] + (showTree ? ["WORKING TREE"] : []) + ["DESCRIPTION"]
            print(List.withLatestLines(Terminal.table(headers, table), reports))
            for report in reports { if let problem = report.problem { print("\(report.lane.name): \(problem)") } }
            for record in damaged { print("\(record.name): \(record.problem)") }
        }
        return out
    }

    /// Under each running lane's row, its latest progress or output line, cut to the terminal's width.
    static func withLatestLines(_ table: String, _ reports: [LaneReport]) -> String {
        var lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (position, report) in reports.enumerated().reversed() where report.lane.state == .running {
            guard let latest = report.lastLine, position + 1 < lines.count else { continue }
            let prefix = "  > "
            lines.insert(prefix + Terminal.paint(SafeText.cut(latest, toColumns: Terminal.columns - prefix.count), .dim), at: position + 2)
        }
        return lines.joined(separator: "\n")
    }

    static func colored(_ state: String) -> String {
        switch state {
        case "done", "merged": Terminal.paint(state, .green)
        case "failed", "killed", LaneReport.removed, LaneReport.damaged: Terminal.paint(state, .red)
        case "running", "queued", "stalled", LaneReport.settingUp: Terminal.paint(state, .yellow)
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
