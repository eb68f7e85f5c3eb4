import ArgumentParser
import Foundation
import SpurKit

struct Gc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Prune archived lanes older than a given age (30 days by default); clean lanes whose worktree was removed.",
        discussion: """
        Deletes the refs refs/spur/archive/NAME/TIME of the archives taken before
        the cut-off; git's own gc then frees their objects.

        Then cleans lanes whose worktree was removed behind spur's back (git
        worktree remove, rm -rf, Claude Code's cleanup; 'spur list' shows them
        as removed or with "worktree ... was removed"). A lane that holds nothing
        (its branch is its base) is deleted; any other is archived first (its
        branch or result: 'spur list --archived', 'spur restore NAME') and then
        removed. Running lanes, and lanes whose folder is still on disk, are left.

        Examples:
          spur gc --dry-run                 # what would go
          spur gc --older-than 7d
          spur gc --older-than 0s           # every archive
          git worktree remove --force .git/spur/worktrees/try-1 && spur gc
        """
    )

    @Option(help: ArgumentHelp("Prune archives older than this: a number with s, m, h, d or w (e.g. 12h, 30d, 2w).",
                               valueName: "AGE"))
    var olderThan = "30d"

    @Flag(help: "Only list the archives that would be pruned.")
    var dryRun = false

    func run() throws {
        try runReportingErrors {
            guard let age = Gc.seconds(olderThan) else {
                throw SpurError.usage("--older-than '\(olderThan.escapingControlCharacters)' is not an age; write e.g. 30d, 12h, 2w or 0s")
            }
            let pruned = try LaneArchive(workspace: currentWorkspace()).prune(before: Date().addingTimeInterval(-age), dryRun: dryRun)
            for archive in pruned { print("\(dryRun ? "would prune" : "pruned") \(archive.name) \(archive.time)") }
            if pruned.isEmpty { print("no archive is older than \(olderThan)") }
            // After the pruning, so the archives this writes are not pruned by --older-than 0s.
            Gc.printRemovedLanes(try RemovedLaneCleanup(workspace: currentWorkspace()).run(dryRun: dryRun), dryRun: dryRun)
        }
    }

    /// `30d` → seconds; nil for anything that is not a whole number with one of s, m, h, d, w.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800]
        guard let unit = text.last.flatMap({ units[$0] }), let count = UInt32(text.dropLast()) else { return nil }
        return TimeInterval(count) * unit
    }

    /// One line per lane whose worktree was removed: deleted, archived (with the ref) or kept (why).
    static func printRemovedLanes(_ outcomes: [RemovedLaneCleanup.Outcome], dryRun: Bool) {
        for outcome in outcomes {
            switch outcome.action {
            case .deleted: print("\(dryRun ? "would delete" : "deleted") lane \(outcome.name): \(outcome.reason)")
            case .archived:
                print("\(dryRun ? "would archive and remove" : "archived and removed") lane \(outcome.name)"
                      + (outcome.archive.map { " as \($0)" } ?? "") + ": \(outcome.reason)")
            case .kept: print("kept lane \(outcome.name): \(outcome.reason)")
            }
        }
    }
}
