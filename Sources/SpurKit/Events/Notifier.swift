import Foundation
import SpurGit

/// Tells the world a lane changed: appends to the event log (hooks deliver it to agents) and runs
/// git config `spur.notify` with the summary on standard input's first line, and the task's
/// result (at most 4 KB, see `TaskResult`) on the lines after it.
public struct Notifier: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var eventLogPath: String { workspace.stateDir + "/events.jsonl" }

    /// Posts the end of a lane's task (done, failed or killed).
    public func laneEnded(_ lane: Lane, verdict: String? = nil, flagged: Bool = false) {
        post(endEvent(for: lane, verdict: verdict, flagged: flagged))
    }

    /// The event of a lane's end, with its summary and result.
    func endEvent(for lane: Lane, verdict: String?, flagged: Bool) -> LaneEvent {
        let kind: LaneEvent.Kind = switch lane.state {
        case _ where flagged: .flagged
        case .failed: .failed
        case .killed: .killed
        case .merged: .merged
        default: .ended
        }
        return LaneEvent(time: Date(), lane: lane.name, kind: kind, state: lane.state.rawValue,
                         summary: Summary.line(for: lane, verdict: verdict),
                         result: TaskResult.excerpt(workspace, lane: lane))
    }

    public func post(_ event: LaneEvent) {
        append(event)
        runNotifyCommand(event)
    }

    /// Appends one JSON line with a single write on an O_APPEND descriptor, so concurrent
    /// writers never interleave inside a line.
    func append(_ event: LaneEvent) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        try? FileManager.default.createDirectory(atPath: workspace.stateDir, withIntermediateDirectories: true)
        let descriptor = open(eventLogPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Every event recorded so far, oldest first, with the byte offset after each.
    public func events(from offset: UInt64 = 0) -> (events: [LaneEvent], end: UInt64) {
        guard let handle = FileHandle(forReadingAtPath: eventLogPath) else { return ([], offset) }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        // Only whole lines count; a line being written is read next time.
        guard let lastNewline = data.lastIndex(of: 0x0A) else { return ([], offset) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let events = data[..<lastNewline].split(separator: 0x0A).compactMap { try? decoder.decode(LaneEvent.self, from: Data($0)) }
        return (events, offset + UInt64(lastNewline - data.startIndex + 1))
    }

    func runNotifyCommand(_ event: LaneEvent) {
        guard let repository = try? workspace.openRepository(),
              let command = try? repository.config().string("spur.notify"), !command.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.root)
        var environment = ProcessInfo.processInfo.environment
        environment["SPUR_LANE"] = event.lane
        environment["SPUR_STATE"] = event.state
        environment["SPUR_EVENT"] = event.kind.rawValue
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            // The summary is the first line; the result (if any) follows it.
            let text = event.summary + "\n" + (event.result.map { $0 + "\n" } ?? "")
            // A command that exits without reading it all must not kill spur (SIGPIPE).
            signal(SIGPIPE, SIG_IGN)
            try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        } catch {
            FileHandle.standardError.write(Data("spur: warning: spur.notify command failed to start: \(error)\n".utf8))
        }
    }
}
