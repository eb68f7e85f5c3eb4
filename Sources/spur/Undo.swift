import ArgumentParser
import Foundation
import SpurGit
import SpurKit

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Take back the last merge: restore the files it wrote, exactly as they were.",
        discussion: """
        Restores every path the last merge wrote to its bytes, mode and existence before the
        merge, and marks the lane done again. Run it again to take back the merge before that.
        Refuses, naming the files, when you changed one of them after the merge; --force
        restores them anyway and keeps your later versions in a commit (its id is printed).
        Also rolls back a merge that was interrupted. Given a merge's number (from --list), takes
        back that one while later merges stay, when none of them wrote one of its files.

        Examples:
          spur undo
          spur undo --list
          spur undo 3                # merge 3 only, e.g. one part of a lane merged in parts
        """
    )

    @Argument(help: "The merge to take back (a number from --list); default: the last one.")
    var id: Int?

    @Flag(help: "List the merges that can be undone, newest first.")
    var list = false

    @Flag(help: "Restore files you changed after the merge too (your versions are kept in a commit).")
    var force = false

    @Flag(help: "Print JSON (with --list: the merge records).")
    var json = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace(noticeInterruptedMerge: false)
            let undo = MergeUndo(workspace: workspace)
            if list && id != nil { throw SpurError.usage("--list takes no merge number") }
            if list {
                let records = try undo.undoable()
                if json { return try Terminal.printJSON(records) }
                if records.isEmpty { return print("no merges to undo") }
                let rows = records.map { record in
                    ["\(record.id)", record.lane, record.status.rawValue, "\(record.transitions.count)",
                     Terminal.age(since: record.createdAt), describeFiles(record.paths)]
                }
                return print(Terminal.table(["ID", "LANE", "STATUS", "FILES", "AGE", "PATHS"], rows))
            }
            let report = try undo.undo(force: force, id: id) {
                Terminal.warning("another merge or undo is running in this repository; waiting for it to finish")
            }
            if json { return try Terminal.printJSON(report) }
            print("undid merge \(report.id) of lane \(report.lane): restored \(report.restored.count) file\(report.restored.count == 1 ? "" : "s")")
            for path in report.restored { print("  \(path.display)") }
            if let displaced = report.displaced {
                print("your versions from after the merge are kept in commit \(displaced.short) ('git show \(displaced.short):PATH')")
            }
        }
    }

    func describeFiles(_ paths: [GitPath]) -> String {
        let shown = paths.prefix(3).map(\.display).joined(separator: ", ")
        return paths.count > 3 ? shown + ", …" : shown
    }
}
