import ArgumentParser
import Foundation
import SpurGit
import SpurKit

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what a lane changed against its snapshot, as a patch.",
        discussion: """
        While the task runs, this is its live worktree; afterwards, its result. The patch
        applies with 'git apply' to the lane's base. Long output goes through git's pager
        (GIT_PAGER, core.pager, PAGER, else less -FRX), so tools like delta work as with git.

        Examples:
          spur diff fix-tests
          spur diff fix-tests --stat
          spur diff fix-tests -- src/           # only these paths
          spur diff fix-tests | git apply --3way
        """
    )

    @Argument(help: "The lane.")
    var name: String

    @Flag(help: "Per-file line counts instead of the patch.")
    var stat = false

    @Flag(help: "Only the names of changed files.")
    var nameOnly = false

    @Flag(help: "Per-file changes as JSON: [{path, added, removed, binary, typeChange, outsideLinkTarget}].")
    var json = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("Limit to these paths, after --.", valueName: "PATH"))
    var paths: [String] = []

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            let cwd = FileManager.default.currentDirectoryPath
            let relative = try argumentBytes(paths).map { try workspace.repositoryRelativePath($0, cwd: cwd) }
            let diff = LaneDiff(workspace: workspace)
            if json { return try Terminal.printJSON(try diff.files(of: name, paths: relative)) }
            for link in try diff.outsideLinks(of: name, paths: relative) { Terminal.warning(link.sentence) }
            if nameOnly { return try diff.files(of: name, paths: relative).forEach { print($0.path.display) } }
            if stat {
                let text = LaneDiff.stat(try diff.files(of: name, paths: relative))
                return print(text.isEmpty ? "no changes" : text)
            }
            let patch = try diff.patch(of: name, paths: relative)
            Pager.show(bytes: PatchColor.paint(patch), workspace: workspace)
        }
    }
}
