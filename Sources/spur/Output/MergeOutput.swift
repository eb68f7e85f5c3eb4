import Foundation
import SpurKit

/// How `merge` and `pick` describe a merge to a person.
enum MergeOutput {
    /// `selection`: the pathspecs the merge was given, repeated in the commands it suggests so
    /// that following the advice does not merge the rest of the lane.
    static func show(_ report: MergeReport, selection: [String] = []) {
        let paths = selection.isEmpty ? "" : " -- " + selection.map(shellQuoted).joined(separator: " ")
        let verb = report.dryRun ? "would write" : "wrote"
        switch report.status {
        case .conflicts:
            print("lane \(report.lane) conflicts with your working tree; \(report.dryRun ? "nothing would be written" : "nothing was written")")
            for conflict in report.conflicts { printConflict(conflict, lane: report.lane) }
            if paths.isEmpty {
                print("settle them with 'spur merge \(report.lane) --markers', '--ours' or '--theirs', or edit your files and merge again")
            } else {
                print("settle them with: spur merge \(report.lane) --markers\(paths)   (or --ours, --theirs), or edit your files and merge again")
            }
        case .merged:
            if report.partial {
                let skipped = report.conflicts.filter { $0.resolution == nil }.count
                let written = report.changes.isEmpty
                    ? (skipped > 0 ? "nothing \(report.dryRun ? "would be" : "was") written, every file selected conflicts"
                                   : "nothing to write, your working tree already has the selected files' changes")
                    : "\(verb) \(report.changes.count) file\(report.changes.count == 1 ? "" : "s")"
                print("lane \(report.lane)\(report.dryRun || report.changes.isEmpty ? "" : " merged in part"): \(written)")
            } else if report.changes.isEmpty {
                print(report.dryRun ? "lane \(report.lane): nothing to write, your working tree already has its changes"
                                    : "lane \(report.lane) merged: your working tree already had its changes")
            } else {
                print("lane \(report.lane)\(report.dryRun ? "" : " merged"): \(verb) \(report.changes.count) file\(report.changes.count == 1 ? "" : "s")")
            }
            for change in report.changes {
                let letter = change.change == "added" ? "A" : change.change == "deleted" ? "D" : change.change == "typechange" ? "T" : "M"
                if let target = change.outsideLinkTarget {
                    print(Terminal.paint("  \(letter) \(change.path) -> \(target) (a link outside the repository)", .yellow))
                } else {
                    print("  \(letter) \(change.path)")
                }
            }
            for conflict in report.conflicts {
                let how: String = switch conflict.resolution {
                case .markers?: "conflict markers written"
                case .ours?: "took your side"
                case .theirs?: "took the lane's side"
                default: "left as it was"
                }
                print(Terminal.paint("  \(conflict.kind.rawValue): \(conflict.path) (\(how))", .yellow))
            }
            if report.leftMarkers {
                let count = report.conflicts.filter { $0.resolution == .markers }.count
                print("\(count) file\(count == 1 ? "" : "s") \(report.dryRun ? "would be left" : "left") with conflict markers: edit \(count == 1 ? "it" : "them") to settle the conflicts")
            }
            if report.partial {
                print("lane \(report.lane) \(report.dryRun ? "would stay" : "stays") unmerged: 'spur merge \(report.lane)' merges the rest of it")
                if report.conflicts.contains(where: { $0.resolution == nil }) {
                    print("settle a file left as it was with 'spur merge \(report.lane) --markers -- PATH' (or --ours, --theirs), or edit it and merge again")
                }
            }
            if let undo = report.undoID { print("undo with 'spur undo' (merge \(undo))") }
        }
    }

    /// `text` as one shell word: as it is when it holds only characters no shell treats
    /// specially, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._/-+=,@%".unicodeScalars.contains($0)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func printConflict(_ conflict: MergeConflict, lane: String) {
        print(Terminal.paint("CONFLICT (\(conflict.kind.rawValue)) \(conflict.path): \(conflict.message)", .red))
        for hunk in conflict.hunks {
            print("  at line \(hunk.line):")
            print("  <<<<<<< working tree")
            hunk.ours.forEach { print("  \($0)") }
            print("  ||||||| lane base")
            hunk.base.forEach { print("  \($0)") }
            print("  =======")
            hunk.theirs.forEach { print("  \($0)") }
            print("  >>>>>>> lane \(lane)")
        }
    }
}

extension MergeReport {
    /// True when the merge wrote (or, dry, would write) conflict markers for you to settle.
    var leftMarkers: Bool { status == .merged && conflicts.contains { $0.resolution == .markers } }
}
