import ArgumentParser
import Foundation
import SpurKit

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each lane's state, files changed, and where it overlaps your edits and other lanes.",
        discussion: """
        A lane overlaps your edits where you and the task both changed a file since the lane's
        snapshot; it overlaps another live lane where both changed a file. Each such file is
        'clean' (a three-way merge of it succeeds) or 'conflict' (same lines, delete against
        modify, add/add, a mode or type clash, or a binary changed on both sides); conflicts
        name the lines in your file. Renamed files are listed under both names.

        A finished lane is read from its result commit. A live lane is read from the change
        journal its supervisor (or its --no-run watcher) keeps: only the files it saw change
        are looked at, so the cost follows the lane's changes, not the repository's size. If
        the journal cannot be trusted (its watcher died, an event was lost), the worktree is
        scanned instead; --json's changesFrom says which (result, journal or scan), and
        SPUR_JOURNAL=off forces the scan.

        A lane spur cannot work with (its record unreadable, or its base or result commit
        gone from the repository) is shown as damaged, with what is wrong; status then exits 1.

        Examples:
          spur status
          spur status fix-tests
          spur status --json | jq '.[] | {name, overlap}'
          spur status --watch
        """
    )

    @Argument(help: "Only this lane.")
    var name: String?

    @Flag(help: "Print a JSON array: list --json's fields plus overlap [{path, verdict, ...}], laneOverlaps [{lane, paths, conflicts}] and verdict.")
    var json = false

    @Flag(help: "Redraw whenever a lane changes, until q or ^C (as 'spur list --watch'; see 'spur help list').")
    var watch = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            if watch {
                guard !json else { throw SpurError.usage("--watch draws the report; it cannot be combined with --json") }
                return try LiveView(workspace: workspace).run(title: "spur status --watch") { try render(workspace).text }
            }
            let (text, anyDamaged) = try render(workspace)
            print(text, terminator: "")
            if anyDamaged { throw ExitCode(SpurError.refused) }
        }
    }

    /// What `status` prints (ending in a newline), and whether any lane is damaged.
    func render(_ workspace: Workspace) throws -> (text: String, anyDamaged: Bool) {
        let store = LaneStore(workspace: workspace)
        if let name { _ = try store.require(name) }
        let lanes = try Supervision(workspace: workspace).reconcile().filter { name == nil || $0.name == name }
        // A record that cannot be read is shown as damaged; it does not stop the others.
        let damaged = name == nil ? store.damaged() : []
        let statuses = try OverlapAnalyzer(workspace: workspace).statuses(of: lanes)
        let anyDamaged = !damaged.isEmpty || statuses.contains { $0.report.isDamaged }
        if json { return (try Terminal.json(statuses.map(LaneEntry.lane) + damaged.map(LaneEntry.damaged)), anyDamaged) }
        if statuses.isEmpty && damaged.isEmpty { return ("no lanes (start one with 'spur spawn NAME -- CMD')\n", false) }
        let blocks = statuses.map { lines(for: $0) }
            + damaged.map { ["\(Terminal.paint($0.name, .bold))  \(List.colored(LaneReport.damaged))", "  " + $0.problem] }
        return (blocks.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n", anyDamaged)
    }

    func lines(for status: LaneStatus) -> [String] {
        let report = status.report, overlap = status.overlap
        let files = report.changedFiles.count
        var result = ["\(Terminal.paint(report.lane.name, .bold))  \(List.colored(report.tableState))  \(files) file\(files == 1 ? "" : "s") changed"]
        if let problem = report.problem { result.append("  " + problem) }
        if report.lane.state == .running, let latest = report.lastLine {
            result.append("  > " + Terminal.paint(SafeText.cut(latest, toColumns: Terminal.columns - 4), .dim))
        }
        for link in status.outsideLinks {
            result.append("  " + Terminal.paint(link.sentence + " (merging it needs --allow-outside-links)", .yellow))
        }
        guard overlap.isLive else { return result }
        if let mine = overlap.userSummary {
            result.append("  " + (overlap.userConflicts.isEmpty ? mine : Terminal.paint(mine, .red)))
        }
        for (collision, sentence) in zip(overlap.withLanes, overlap.laneSummaries) {
            result.append("  " + (collision.conflicts.isEmpty ? sentence : Terminal.paint(sentence, .red)))
        }
        if overlap.withUser.isEmpty && overlap.withLanes.isEmpty && files > 0 {
            result.append("  no overlap with your edits or other lanes")
        }
        return result
    }
}
