import ArgumentParser
import Foundation
import SpurKit

struct Spawn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spawn",
        abstract: "Snapshot your working tree into a new lane and run a command there.",
        discussion: """
        The snapshot records HEAD plus staged, unstaged and untracked (not ignored) files,
        without touching your index, working tree, branch or stash. The lane gets a branch
        spur/NAME and a worktree of its own; the last line printed is the worktree's path.
        In a sparse checkout the lane is sparse too, as 'git worktree add' makes it: files
        outside your sparse-checkout patterns are left out of it and kept as they are in its
        result; a new file you made outside the patterns is refused, as 'git add -A' refuses it.

        The command runs detached (closing the terminal does not stop it), with stdin from
        /dev/null, output to the lane's log ('spur logs NAME'), and SPUR_LANE, SPUR_BASE and
        SPUR_REPO in its environment. When it ends, the worktree's state is committed as the
        lane's result and you are notified (git config spur.notify names a command to run).

        While a lane is live, its supervisor (or, with --no-run, a small watcher process that
        ends with the lane) journals which files change in its worktree (inotify), so 'spur
        status' looks at those files only instead of the whole worktree.

        With git config spur.maxRunning N, at most N lanes of the repository run at once; a
        lane beyond that gets its worktree now (the snapshot of your tree as it is now) and
        waits 'queued' for a slot, in spawn order ('spur list' shows its place). A lane holds
        its slot until its --check has ended; --no-run lanes hold none.

        --setup CMD (or git config spur.setup) runs CMD with /bin/sh -c in the worktree before
        the task, with the task's environment and stdin at end of file; its output is in the
        log between '--- spur setup:' lines. If it fails, the lane ends failed ("setup failed
        (exit N)") and the task does not run; --timeout counts from the setup's start and
        --idle applies to it. With --no-run it runs in spawn itself. What the setup changes in
        tracked files is part of the lane's work, as the task's changes are (diff, status,
        merge and the overlap guard see it); make your setup leave tracked files alone (e.g.
        'npm ci', not 'npm install') if you do not want that.

        Ignored files the task needs (.env, node_modules, .venv) are copied into the new lane
        when .worktreeinclude at the repository root (gitignore syntax) or git config
        spur.include names them; they stay ignored there, never part of the result. A bad
        pattern refuses the spawn with its line number. git config spur.linkIncluded FOLDER
        links the lane to your folder instead of copying it (a task can then write there).

        Each live lane holds a block of 10 TCP ports, distinct from every other
        live lane of yours on this machine: its task gets the first in
        SPUR_PORT_BASE (git config spur.portRange, default 20000-29999).
        Submodules you initialised are checked out in the lane at the commits
        the snapshot records, from your module repositories (no network);
        changes not committed inside a submodule are not in the lane (spawn
        says so).

        NAME: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.

        Examples:
          spur spawn fix-tests -m "make the suite pass" --check "swift test" -- claude -p "fix the failing tests"
          spur spawn suite --timeout 30m -- swift test
          spur spawn web --setup 'npm ci' -- npm test
          spur spawn docs --after fix-tests -- claude -p "document the fix"
          spur spawn scratch --no-run          # a lane to work in by hand; 'spur finish' later
          spur spawn from-main --base main --no-run
          printf '.env\nnode_modules/\n' > .worktreeinclude && spur spawn tests -- npm test
        """
    )

    @Argument(help: "The lane's name.")
    var name: String

    @Option(help: ArgumentHelp("Where the lane starts: worktree (a snapshot of your working tree), head, or any revision.", valueName: "worktree|head|REV"))
    var base: String = "worktree"

    @Option(help: ArgumentHelp("Wait (queued) until this lane ends done, then start from its result.", valueName: "LANE"))
    var after: String?

    @Flag(help: "Create the lane only; run nothing.")
    var noRun = false

    @OptionGroup var task: TaskOptions

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run in the lane, after --.", valueName: "CMD"))
    var command: [String] = []

    func run() throws {
        try runReportingErrors {
            if !noRun && command.isEmpty {
                throw SpurError.usage("nothing to run: give a command after -- (spur spawn \(name) -- CMD) or use --no-run")
            }
            if after != nil && (noRun || base != "worktree") {
                throw SpurError.usage("--after starts from the other lane's result; it cannot be combined with --no-run or --base")
            }
            var request = SpawnRequest(name: name)
            request.base = SpawnRequest.Base(argument: base)
            request.command = command.isEmpty ? nil : command
            request.after = after
            request.takesSlot = !noRun
            try task.apply(to: &request)
            let workspace = try currentWorkspace()
            request.setupCommand = try LaneSetup.command(requested: task.setup, workspace: workspace)
            let lane = try Lanes(workspace: workspace).createAfter(request)
            for note in Lanes(workspace: workspace).submoduleNotes(of: lane, fromWorkingTree: after == nil && base == "worktree") {
                FileHandle.standardError.write(Data("spur: \(note)\n".utf8))
            }
            if noRun {
                try prepareHandWorkedLane(lane, workspace: workspace)
            } else {
                try Supervision(workspace: workspace).launch(lane.name, spurExecutable: spurExecutablePath())
                let shown = command.joined(separator: " ")
                if let place = RunningSlots(workspace: workspace).place(of: lane.name) {
                    print("lane \(lane.name) queued (\(place)): \(shown)")
                } else {
                    print(lane.state == .queued && after != nil ? "lane \(lane.name) queued after \(after ?? ""): \(shown)" : "lane \(lane.name) running: \(shown)")
                }
            }
            print(lane.worktree)
        }
    }
}

/// Readies a lane no supervisor runs a task in (`spawn --no-run`, Claude Code's worktrees): its
/// watcher first, so what the setup changes is journalled as the lane's work, then its setup
/// (`spur.setup`, `--setup`) in the foreground. A failing setup throws, the lane recorded failed.
func prepareHandWorkedLane(_ lane: Lane, workspace: Workspace) throws {
    do {
        try Supervision(workspace: workspace).launchWatcher(lane.name, spurExecutable: spurExecutablePath())
    } catch {
        // The lane works without it; status then scans its worktree.
        FileHandle.standardError.write(Data("spur: \(error) ('spur status' will scan this lane's worktree)\n".utf8))
    }
    if let setup = lane.setupCommand {
        FileHandle.standardError.write(Data("running setup: \(setup.escapingControlCharacters)\n".utf8))
        _ = try LaneSetup.runBeforeHandWork(lane: lane, workspace: workspace)
    }
}

/// Parses a DURATION option or throws a usage error naming the option.
func duration(_ text: String, option: String) throws -> Double {
    guard let seconds = Summary.parseDuration(text) else {
        throw SpurError.usage("\(option) takes a duration such as 90s, 30m or 2h, not '\(text)'")
    }
    return seconds
}

/// This executable's path, for starting supervisors.
func spurExecutablePath() -> String {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
}
