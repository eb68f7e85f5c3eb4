import ArgumentParser
import Foundation
import SpurKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Tell which live lanes have changed the given paths (for editor and agent hooks).",
        discussion: """
        Exit 0: no live lane changed any of the paths; 1: at least one did; 2: bad input (for
        example an empty path or one outside the repository); 3: could not decide (a lane's
        record or commits cannot be read, or the lanes could not be looked at), and none
        that could be asked changed them. Hooks treat 3 as "allow, with a note". Its cost
        does not grow with the repository: only the named paths are compared with each
        lane's base.

        Paths are relative to the current folder, or absolute. A path inside a lane's worktree
        means that lane's file, and that lane is left out of the answer.

        Examples:
          spur check src/a.swift
          spur check --json src/a.swift README.md   # [{"path": ..., "lanes": [...], "undecided": [{"lane", "reason"}]}]
        """
    )

    /// The exit code for "could not decide": neither 0 (no lane changed it) nor 1 (one did).
    static let undecided: Int32 = 3

    @Argument(help: "Files or folders to check.")
    var paths: [String]

    @Flag(help: "Print a JSON array [{path, lanes: [names], undecided: [{lane, reason}]}] (paths relative to the repository root).")
    var json = false

    func run() throws {
        let results: [PathCheck]
        do {
            let workspace = try currentWorkspace()
            results = try LaneChecker(workspace: workspace).check(argumentBytes(paths), cwd: FileManager.default.currentDirectoryPath)
        } catch let error as SpurError where error.exitCode == SpurError.usage {
            Terminal.error(error.message)
            throw ExitCode(SpurError.usage)
        } catch {
            // Any other failure leaves the question open: 1 would claim a lane changed the path.
            Terminal.error("could not decide: \((error as? SpurError)?.message ?? "\(error)")")
            throw ExitCode(Check.undecided)
        }
        if json {
            try Terminal.printJSON(results)
        } else {
            for result in results {
                let shown = result.path.isEmpty ? "." : result.path
                let unknown = result.undecided.map(\.lane)
                var line = result.lanes.isEmpty ? "\(shown): no live lane changed it"
                                                : "\(shown): changed in lane\(result.lanes.count == 1 ? "" : "s") \(result.lanes.joined(separator: ", "))"
                if !unknown.isEmpty {
                    line = (result.lanes.isEmpty ? "\(shown): could not decide" : line)
                        + "; not known for lane\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))"
                }
                print(line)
            }
        }
        var warned = Set<String>()
        for undecided in results.flatMap(\.undecided) where warned.insert(undecided.lane).inserted {
            Terminal.warning("lane \(undecided.lane): \(undecided.reason)")
        }
        if results.contains(where: { !$0.lanes.isEmpty }) { throw ExitCode(1) }
        if !warned.isEmpty { throw ExitCode(Check.undecided) }
    }
}
