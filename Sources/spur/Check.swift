import ArgumentParser
import Foundation
import SpurKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Tell which live lanes have changed the given paths (for editor and agent hooks).",
        discussion: """
        Exit 0: no live lane changed any of the paths; 1: at least one did; 2: bad input (for
        example a path outside the repository). Its cost does not grow with the repository:
        only the named paths are compared with each lane's base.

        Paths are relative to the current folder, or absolute. A path inside a lane's worktree
        means that lane's file, and that lane is left out of the answer.

        Examples:
          spur check src/a.swift
          spur check --json src/a.swift README.md   # [{"path": ..., "lanes": [...]}]
        """
    )

    @Argument(help: "Files or folders to check.")
    var paths: [String]

    @Flag(help: "Print a JSON array [{path, lanes: [names]}] (paths relative to the repository root).")
    var json = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            let results = try LaneChecker(workspace: workspace).check(paths, cwd: FileManager.default.currentDirectoryPath)
            if json {
                try Terminal.printJSON(results)
            } else {
                for result in results {
                    let shown = result.path.isEmpty ? "." : result.path
                    print(result.lanes.isEmpty ? "\(shown): no live lane changed it"
                                               : "\(shown): changed in lane\(result.lanes.count == 1 ? "" : "s") \(result.lanes.joined(separator: ", "))")
                }
            }
            if results.contains(where: { !$0.lanes.isEmpty }) { throw ExitCode(1) }
        }
    }
}
