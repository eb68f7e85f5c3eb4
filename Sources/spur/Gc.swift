import ArgumentParser
import Foundation
import SpurKit

struct Gc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Prune archived lanes older than a given age (30 days by default).",
        discussion: """
        Deletes the refs refs/spur/archive/NAME/TIME of the archives taken before
        the cut-off; git's own gc then frees their objects. Lanes are never touched.

        Examples:
          spur gc --dry-run                 # what would go
          spur gc --older-than 7d
          spur gc --older-than 0s           # every archive
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
        }
    }

    /// `30d` → seconds; nil for anything that is not a whole number with one of s, m, h, d, w.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800]
        guard let unit = text.last.flatMap({ units[$0] }), let count = UInt32(text.dropLast()) else { return nil }
        return TimeInterval(count) * unit
    }
}
