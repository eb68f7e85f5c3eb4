import ArgumentParser
import Foundation
import SpurKit
import SpurGit

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Bring a finished lane's result into your working tree (three-way, keeps your edits).",
        discussion: """
        Merges the lane's result with what is in your working tree now (including uncommitted
        and untracked files), using the lane's snapshot as the base. Only files that change are
        written; your index and HEAD are not touched, so the result shows as ordinary
        uncommitted changes. An undo point is recorded first ('spur undo').

        When you and the lane changed the same lines, nothing is written by default and the
        conflicts are listed (exit 1). --markers writes diff3-style conflict markers and exits
        1 as well (as git does), since the files need your edit; --ours / --theirs take one
        side for the conflicting parts (exit 0).

        A link whose target is outside the repository (or inside .git) is written only with
        --allow-outside-links; without it the merge is refused and nothing is written.

        Land a lane in parts: paths after '--' (pathspecs as git reads them, relative to the
        current folder: a folder, a file or a glob) merge only the lane's files they match; a
        pathspec matching none of them, or a path outside the working tree, is refused (exit 2)
        and nothing is written. --skip-conflicts writes the files that merge cleanly, leaves
        the conflicting ones as they are and lists them (exit 1). Unless everything was merged
        the lane stays unmerged, so the rest can be merged later, and 'spur undo' takes back
        exactly the files that merge wrote. Quote a glob ('*.md') so spur, not the shell,
        matches it against the lane's files; git's ':(magic)' is not supported.

        Examples:
          spur merge fix-tests
          spur merge fix-tests --dry-run
          spur merge fix-tests --markers
          spur merge fix-tests -- src/parser tests/parser_test.py
          spur merge fix-tests --skip-conflicts
          spur merge fix-tests -- '*.md'
          spur merge G-1 -- src/a && spur merge G-2 -- src/b   # combine two approaches
          spur merge --continue        # finish a merge that was interrupted
        """
    )

    @Argument(help: "The lane to merge.")
    var name: String?

    @Flag(help: "Show what would happen; write nothing.")
    var dryRun = false

    @Flag(help: "Write conflict markers (with the base, like git's diff3 style) into conflicting files.")
    var markers = false

    @Flag(help: "Take your side for conflicting parts.")
    var ours = false

    @Flag(help: "Take the lane's side for conflicting parts.")
    var theirs = false

    @Flag(help: "Write symbolic links that point outside the repository (refused otherwise).")
    var allowOutsideLinks = false

    @Flag(help: "Write the files that merge cleanly; leave conflicting ones as they are and list them (exit 1).")
    var skipConflicts = false

    @Argument(parsing: .postTerminator, help: "Merge only the lane's files these pathspecs match (after '--').")
    var paths: [String] = []

    @Flag(name: .customLong("continue"), help: "Finish an interrupted merge.")
    var continueMerge = false

    @Flag(help: "Print the result as JSON (lane, status, dryRun, changes, conflicts, undoID, resultTree, ours, partial).")
    var json = false

    func run() throws {
        try runReportingErrors {
            let chosen = [markers, ours, theirs].filter { $0 }.count
            if chosen > 1 { throw SpurError.usage("choose one of --markers, --ours, --theirs") }
            if continueMerge {
                if name != nil || chosen > 0 || dryRun || allowOutsideLinks || skipConflicts || !paths.isEmpty { throw SpurError.usage("--continue takes no lane name or other option") }
                let workspace = try currentWorkspace(noticeInterruptedMerge: false)
                let report = try MergeRecovery.continueMerge(in: workspace, onWait: waiting)
                return try show(report)
            }
            guard let name else { throw SpurError.usage("name the lane to merge (see 'spur list')") }
            let workspace = try currentWorkspace(noticeInterruptedMerge: false)
            let resolution: ConflictResolution = markers ? .markers : ours ? .ours : theirs ? .theirs : .refuse
            if skipConflicts && chosen > 0 { throw SpurError.usage("--skip-conflicts leaves conflicting files alone: it does not go with --markers, --ours or --theirs") }
            var pathspecs: [GitPath]? = nil
            if !paths.isEmpty {
                let lane = try LaneStore(workspace: workspace).require(name)
                pathspecs = try MergeOptions.pathspecs(argumentBytes(paths).map(\.bytes), workspace: workspace.forLane(lane),
                                                       cwd: FileManager.default.currentDirectoryPath,
                                                       otherTrees: [workspace.root, lane.worktree])
            }
            let options = MergeOptions(dryRun: dryRun, resolution: resolution, allowOutsideLinks: allowOutsideLinks,
                                       paths: pathspecs, skipConflicts: skipConflicts)
            let report = try Merger(workspace: workspace).merge(laneName: name, options: options, onWait: waiting)
            try show(report)
            if dryRun && !allowOutsideLinks && !json && report.changes.contains(where: { $0.outsideLinkTarget != nil }) {
                print("writing links that point outside the repository needs --allow-outside-links")
            }
            if report.status == .conflicts || report.leftMarkers || (skipConflicts && !report.conflicts.isEmpty) {
                throw ExitCode(SpurError.refused)
            }
        }
    }

    func waiting() {
        Terminal.warning("another merge or undo is running in this repository; waiting for it to finish")
    }

    func show(_ report: MergeReport) throws {
        if json { return try Terminal.printJSON(report) }
        MergeOutput.show(report, selection: paths)
    }
}
