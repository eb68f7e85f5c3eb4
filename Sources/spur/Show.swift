import ArgumentParser
import Foundation
import SpurKit
import SpurGit

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one lane's whole report: task, state and times, check, result, files, what to do next.",
        discussion: """
        The report reads top to bottom: what the lane was asked to do (description
        and command), the snapshot it started from, its state with start, end and
        duration, the exit code, its check (spawn --check) with the last lines of
        the check's output, the result, every file it changed with lines added and
        removed and where that file overlaps your edits or another live lane (clean:
        a three-way merge of it succeeds; conflict: it does not), and the command to
        run next.

        The result is what the task wrote to the file named by $SPUR_RESULT (outside
        the worktree, so it is not part of the lane's change); a task that wrote
        none has the last 20 lines of its output instead. At most 64 KB is shown (a
        binary result is only named), marked when cut; the files stay in the lane's
        state folder. A task may also write progress lines to $SPUR_PROGRESS: 'spur
        list' shows the latest one.

        Examples:
          spur show fix-tests
          spur show audit --json | jq -r .result.text
          spur spawn audit -- sh -c 'grep -rn TODO src > "$SPUR_RESULT"'
        """
    )

    @Argument(help: "The lane.")
    var name: String

    @Flag(help: "Print the report as JSON: list --json's fields plus durationSeconds, result {source, text, cut, binary, bytes}, files [{path, added, removed, binary, overlap [{with, verdict, reason, lines}]}], verdict and next.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let workspace = try currentWorkspace()
            let lane = try LaneStore(workspace: workspace).require(name)
            let report = try LaneShowReport.make(workspace: workspace, lane: lane)
            if json { return try Terminal.printJSON(report) }
            print(report.text)
        }
    }
}

/// Everything `spur show` tells about one lane.
struct LaneShowReport: Encodable {
    let status: LaneStatus
    let result: TaskResult?
    let files: [ShownFile]
    let filesProblem: String?
    let next: String

    struct ShownFile: Encodable {
        let path: GitPath
        let added: Int
        let removed: Int
        let binary: Bool
        let overlap: [ShownOverlap]
    }

    struct ShownOverlap: Encodable {
        /// "you", or "lane NAME".
        let with: String
        let verdict: OverlapVerdict
        let reason: String
        let lines: [LineRange]
    }

    static func make(workspace: Workspace, lane: Lane) throws -> LaneShowReport {
        guard let status = try OverlapAnalyzer(workspace: workspace).statuses(of: [lane]).first else {
            throw SpurError("no report for lane \(lane.name)")
        }
        var files: [ShownFile] = []
        var filesProblem: String?
        if lane.neverHadWorktree {
            filesProblem = "none yet: it starts from lane \(lane.after ?? "?")'s result when that one is done"
        } else {
            do {
                files = try shownFiles(workspace: workspace, lane: lane, overlap: status.overlap)
            } catch {
                filesProblem = (error as? SpurError)?.message ?? "\(error)"
            }
        }
        return LaneShowReport(status: status, result: TaskResult.read(workspace, lane: lane), files: files,
                              filesProblem: filesProblem, next: nextStep(status))
    }

    /// Each file the lane changed with its line counts and where it overlaps you or other lanes.
    static func shownFiles(workspace: Workspace, lane: Lane, overlap: LaneOverlapReport) throws -> [ShownFile] {
        try LaneDiff(workspace: workspace).files(of: lane.name).map { file in
            let mine = overlap.withUser.filter { $0.path == file.path }
                .map { ShownOverlap(with: "you", verdict: $0.verdict, reason: $0.reason, lines: $0.lines) }
            let lanes = overlap.withLanes.flatMap { collision in
                collision.paths.filter { $0.path == file.path }
                    .map { ShownOverlap(with: "lane \(collision.lane)", verdict: $0.verdict, reason: $0.reason, lines: $0.lines) }
            }
            return ShownFile(path: file.path, added: file.added, removed: file.removed, binary: file.binary, overlap: mine + lanes)
        }
    }

    /// The command to run next, with why.
    static func nextStep(_ status: LaneStatus) -> String {
        let lane = status.report.lane, name = lane.name
        if status.report.isDamaged { return status.report.problem ?? "spur discard --force \(name)" }
        if status.report.worktreeRemoved && !lane.hasResult { return "spur gc   # its worktree was removed; nothing is left to finish" }
        switch lane.state {
        case .queued where lane.queuedFor == .slot: return "spur wait \(name)   # it starts when a running slot frees (git config spur.maxRunning)"
        case .queued: return "spur wait \(name)   # it starts when lane \(lane.after ?? "?") is done"
        case .running: return "spur logs -f \(name)   # or 'spur wait \(name)' until it ends"
        case .created: return "work in \(lane.worktree), then 'spur finish \(name)'"
        case .merged: return "nothing: it was merged ('spur undo' reverts the merge, 'spur discard \(name)' removes the lane)"
        case .done, .failed, .killed:
            guard lane.head != nil else { return "spur logs \(name)   # no result was recorded; 'spur finish \(name)' commits what the worktree holds" }
            if status.report.changedFiles.isEmpty {
                let why = lane.state == .killed ? "it was killed" : "it failed"
                return "spur discard \(name)   # it changed no file" + (lane.state == .done ? "" : "; 'spur logs \(name)' shows why \(why)")
            }
            let conflicts = status.overlap.userConflicts.count
            if conflicts > 0 {
                return "spur diff \(name), then 'spur merge \(name) --markers' (\(conflicts) conflict\(conflicts == 1 ? "" : "s") with your edits)"
            }
            if lane.state != .done { return "spur diff \(name)   # it \(lane.state.rawValue); review before 'spur merge \(name)'" }
            if let check = lane.check, !check.passed { return "spur diff \(name)   # its check failed; review before 'spur merge \(name)'" }
            return "spur merge \(name)"
        }
    }

    enum Keys: String, CodingKey { case durationSeconds, result, files, filesProblem, next, verdict }

    func encode(to encoder: Encoder) throws {
        try status.report.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(duration, forKey: .durationSeconds)
        try container.encode(result, forKey: .result)
        try container.encode(files, forKey: .files)
        try container.encodeIfPresent(filesProblem, forKey: .filesProblem)
        try container.encode(status.overlap.isLive ? status.overlap.mergeOutlook : nil, forKey: .verdict)
        try container.encode(next, forKey: .next)
    }

    var duration: Double? {
        let lane = status.report.lane
        guard let started = lane.startedAt else { return nil }
        return (lane.finishedAt ?? Date()).timeIntervalSince(started)
    }

    /// The report for a person.
    var text: String {
        let report = status.report, lane = report.lane
        var lines = ["\(Terminal.paint("lane \(lane.name)", .bold))  \(List.colored(report.tableState))"]
        func field(_ label: String, _ value: String) {
            lines.append("  " + (label + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + value)
        }
        if let description = lane.description { field("description", description.escapingControlCharacters) }
        field("command", lane.command.map { $0.joined(separator: " ").escapingControlCharacters } ?? "(none: made with --no-run)")
        field("base", "\(lane.base.hex.prefix(12)) (the snapshot it started from)")
        if let head = lane.head { field("head", "\(head.hex.prefix(12)) (its result, on branch spur/\(lane.name))") }
        field("worktree", lane.worktree)
        if let included = lane.included { field("included", included.text) }
        if let port = lane.portBase { field("ports", "\(port)-\(port + 9) (SPUR_PORT_BASE=\(port)\(lane.holdsPortBlock ? "" : ", given back when the lane ended"))") }
        var times = "created \(Self.time(lane.createdAt))"
        if let started = lane.startedAt { times += ", started \(Self.time(started))" }
        if let finished = lane.finishedAt { times += ", ended \(Self.time(finished))" }
        if let duration { times += " (\(lane.finishedAt == nil ? "running for " : "took ")\(Summary.duration(duration)))" }
        field("times", times)
        if let code = lane.exitCode { field("exit code", "\(code)") }
        if let signal = lane.signal { field("signal", "\(signal)") }
        if let problem = report.problem { field("problem", problem) }
        if let setup = lane.setupCommand { field("setup", Self.setupText(setup, lane.setup, running: lane.phase == .setup)) }
        if let check = lane.check {
            let outcome = check.passed ? Terminal.paint("passed", .green) : Terminal.paint("failed", .red)
            field("check", "\(outcome): \(check.command) (exit \(check.exitCode.map(String.init) ?? "?"), \(Summary.duration(check.durationSeconds)))")
            let tail = SafeText.block(Array(check.outputTail.utf8))
            if !tail.isEmpty { lines += tail.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 } }
        }
        if lane.state.isActive, let latest = report.lastLine {
            field("latest", SafeText.cut(latest, toColumns: max(20, Terminal.columns - 15)))
        }
        lines.append("")
        lines.append(Terminal.paint(resultHeading, .bold))
        if let result, !result.text.isEmpty {
            lines += result.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
            if result.cut && !result.binary {
                lines.append(Terminal.paint("  … cut (\(result.bytes) bytes in all)", .dim))
            }
        } else {
            lines.append("  (none)")
        }
        lines.append("")
        lines.append(Terminal.paint("files (\(files.count))", .bold))
        if let filesProblem { lines.append("  " + filesProblem) }
        let width = files.map { Self.counts($0).count }.max() ?? 0
        for file in files {
            var line = "  " + Self.counts(file).padding(toLength: width, withPad: " ", startingAt: 0) + "  " + file.path.display
            let notes = file.overlap.map { entry -> String in
                let single = entry.lines.count == 1 && entry.lines[0].start == entry.lines[0].end
                let lines = entry.lines.isEmpty ? "" : (single ? " line " : " lines ") + entry.lines.map(\.description).joined(separator: ", ")
                let text = entry.verdict == .clean ? "overlaps \(entry.with), merges cleanly" : "conflicts with \(entry.with)\(lines) (\(entry.reason))"
                return entry.verdict == .clean ? text : Terminal.paint(text, .red)
            }
            if !notes.isEmpty { line += "   " + notes.joined(separator: "; ") }
            lines.append(line)
        }
        if files.isEmpty && filesProblem == nil { lines.append("  (no changes)") }
        lines.append("")
        lines.append(Terminal.paint("next:", .bold) + " " + next)
        return lines.joined(separator: "\n")
    }

    var resultHeading: String {
        switch result?.source {
        case .result?: "result ($SPUR_RESULT)"
        case .output? where status.report.lane.state.isActive: "output so far (the last \(TaskResult.outputLines) lines)"
        case .output?: "result (no $SPUR_RESULT: the last \(TaskResult.outputLines) lines of output)"
        case nil: "result"
        }
    }

    /// The setup command and how it ended: "passed: npm ci (exit 0, 12s)".
    static func setupText(_ command: String, _ result: SetupResult?, running: Bool) -> String {
        let shown = command.escapingControlCharacters
        guard let result else { return running ? "running: \(shown)" : shown }
        let outcome = result.passed ? Terminal.paint("passed", .green) : Terminal.paint("failed", .red)
        let end = result.exitCode.map { "exit \($0)" } ?? result.signal.map { "signal \($0)" } ?? "exit ?"
        return "\(outcome): \(shown) (\(end), \(Summary.duration(result.durationSeconds)))"
    }

    static func counts(_ file: ShownFile) -> String {
        file.binary ? "binary" : "+\(file.added) -\(file.removed)"
    }

    static func time(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: .current, formatOptions: [.withFullDate, .withFullTime, .withSpaceBetweenDateAndTime])
    }
}
