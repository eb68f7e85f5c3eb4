import ArgumentParser
import SpurKit

/// Options every task takes, shared by `spawn` and `explore`.
struct TaskOptions: ParsableArguments {
    @Option(name: .short, help: ArgumentHelp("What the task should produce (shown by list).", valueName: "TEXT"))
    var message: String?

    @Option(help: ArgumentHelp("End the task after this long (TERM, then KILL): 90s, 30m, 2h.", valueName: "DURATION"))
    var timeout: String?

    @Option(help: ArgumentHelp("Report the task as stalled after this long without output or file changes.", valueName: "DURATION"))
    var idle: String = "10m"

    @Option(help: ArgumentHelp("When the task ends done: merge (only if the merge is clean and the check passed) or flag it for review.", valueName: "merge|flag"))
    var onFinish: String = "flag"

    @Option(help: ArgumentHelp("Run this in the lane's worktree when the task ends (e.g. the test suite) and record pass/fail.", valueName: "CMD"))
    var check: String?

    @Option(help: ArgumentHelp("Run this with /bin/sh -c in the lane's worktree before the task (e.g. 'npm ci'); default: git config spur.setup; '' runs none. A failing setup fails the lane and the task does not run.", valueName: "CMD"))
    var setup: String?

    /// Fills the task settings of `request`, or throws a usage error naming the bad option.
    func apply(to request: inout SpawnRequest) throws {
        request.description = message
        request.timeoutSeconds = try timeout.map { try duration($0, option: "--timeout") }
        request.idleSeconds = try duration(idle, option: "--idle")
        guard let action = FinishAction(rawValue: onFinish) else {
            throw SpurError.usage("--on-finish takes merge or flag, not '\(onFinish)'")
        }
        request.onFinish = action
        request.checkCommand = check
        request.setupCommand = setup
    }
}
