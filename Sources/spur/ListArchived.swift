import Foundation
import SpurKit

extension List {
    /// `spur list --archived`: one row per archive, oldest first (name, time, state when
    /// archived, files changed, description); `--json` prints them as an array.
    static func showArchived(in workspace: Workspace, json: Bool) throws {
        let archives = try LaneArchive(workspace: workspace).all()
        if json { return try Terminal.printJSON(archives) }
        if archives.isEmpty { return print("no archived lanes (discard keeps one for each lane it removes)") }
        let rows: [[String]] = archives.map { archive in
            let description = archive.lane?.description ?? archive.lane?.command?.joined(separator: " ") ?? ""
            return [archive.name, archive.time, List.colored(archive.lane?.state.rawValue ?? LaneReport.damaged),
                    Terminal.age(since: archive.archivedAt), "\(archive.changedFiles.count)", description]
        }
        print(Terminal.table(["NAME", "ARCHIVED (UTC)", "STATE", "AGE", "FILES", "DESCRIPTION"], rows))
    }
}
