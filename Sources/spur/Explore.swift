import ArgumentParser
import Foundation
import SpurKit

struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Try several approaches at once: lanes GROUP-1, GROUP-2, ... from one snapshot.",
        discussion: """
        Every lane of the group starts from the same snapshot of your working tree, so their
        results compare fairly. With --variants, each lane runs the same command with
        SPUR_VARIANT=1..N in its environment. Then 'spur compare GROUP' and 'spur pick LANE'.
        Each lane gets its own copy of the ignored files .worktreeinclude names (see 'spur help spawn').

        Examples:
          spur explore cache --run 'claude -p "add an LRU cache"' --run 'claude -p "add a TTL cache"'
          spur explore retry --variants 3 --check 'swift test' -- ./agent.sh
          spur explore ui --setup 'npm ci' --run 'claude -p "try flexbox"' --run 'claude -p "try grid"'
        """
    )

    @Argument(help: "The group's name; lanes are called GROUP-1, GROUP-2, ...")
    var group: String

    @Option(name: .customLong("run"), help: ArgumentHelp("A shell command for one lane (repeat for each approach).", valueName: "CMD"))
    var runs: [String] = []

    @Option(help: ArgumentHelp("Run the command after -- in N lanes, with SPUR_VARIANT=1..N.", valueName: "N"))
    var variants: Int?

    @OptionGroup var task: TaskOptions

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command for --variants, after --.", valueName: "CMD"))
    var command: [String] = []

    func run() throws {
        try runReportingErrors {
            var commands: [[String]] = runs.map { ["/bin/sh", "-c", $0] }
            if let variants {
                guard runs.isEmpty, !command.isEmpty, (1...32).contains(variants) else {
                    throw SpurError.usage("--variants N (1-32) takes one command after -- and no --run")
                }
                commands = Array(repeating: command, count: variants)
            }
            guard commands.count >= 1, runs.isEmpty || command.isEmpty else {
                throw SpurError.usage("give each approach with --run 'CMD', or --variants N -- CMD")
            }
            if let problem = LaneName.problem(with: "\(group)-\(commands.count)") {
                throw SpurError.usage("invalid group name '\(group)': \(problem)")
            }
            let workspace = try currentWorkspace()
            let lanes = Lanes(workspace: workspace)
            for index in commands.indices where try lanes.store.load("\(group)-\(index + 1)") != nil {
                throw SpurError.usage("lane \(group)-\(index + 1) already exists; pick another group name")
            }
            // A bad spur.maxRunning is refused before the snapshot is taken.
            _ = try RunningSlots(workspace: workspace).limit()
            let setup = try LaneSetup.command(requested: task.setup, workspace: workspace)
            let base = try lanes.snapshotForGroup(group)
            for (index, lane) in commands.enumerated() {
                var request = SpawnRequest(name: "\(group)-\(index + 1)")
                request.command = lane
                request.group = group
                request.takesSlot = true
                try task.apply(to: &request)
                request.setupCommand = setup
                if variants != nil { request.environment = ["SPUR_VARIANT": "\(index + 1)"] }
                let created = try lanes.create(request, baseCommit: base)
                try Supervision(workspace: workspace).launch(created.name, spurExecutable: spurExecutablePath())
                let state = RunningSlots(workspace: workspace).place(of: created.name).map { "queued (\($0))" } ?? "running"
                print("lane \(created.name) \(state): \(lane.suffix(from: variants == nil ? 2 : 0).joined(separator: " "))")
            }
            print("compare them with: spur compare \(group)")
        }
    }
}
