import Foundation

/// What a lane's task found: the text it wrote to `$SPUR_RESULT`, or, without one, the last 20
/// lines of its output. Always bounded (a 50 MB result costs one read of `maxBytes`), always
/// safe to show (`SafeText`), and marked `cut` when anything was left out. A binary result is
/// not shown at all, only named with its size.
public struct TaskResult: Sendable, Encodable, Equatable {
    public enum Source: String, Sendable, Encodable {
        /// The task wrote it to `$SPUR_RESULT`.
        case result
        /// The last lines of the task's output (no `$SPUR_RESULT`).
        case output
    }
    public let source: Source
    public let text: String
    /// True when the text is not all of it.
    public let cut: Bool
    /// True when the result file holds binary data (then `text` only says so).
    public let binary: Bool
    /// The size of the result file (for `output`: of the output the lines were read from).
    public let bytes: UInt64

    /// Lines of output used when the task wrote no result.
    public static let outputLines = 20
    /// The bound of a result in events, `spur.notify` and the Claude Code hook's delivery.
    public static let eventBytes = 4096
    /// The bound of a result in `spur show`.
    public static let showBytes = 64 * 1024

    /// The file given to the task as `$SPUR_RESULT`, outside the worktree (not part of the diff).
    public static func resultPath(_ workspace: Workspace, _ name: String) -> String { workspace.stateDir + "/logs/\(name).result" }
    /// The file given to the task as `$SPUR_PROGRESS`; its last line is shown by `spur list`.
    public static func progressPath(_ workspace: Workspace, _ name: String) -> String { workspace.stateDir + "/logs/\(name).progress" }

    /// The lane's result, at most `maxBytes` of text; nil when the task wrote no result and no
    /// output, or no task ran (the files may be a discarded lane's of the same name).
    public static func read(_ workspace: Workspace, lane: Lane, maxBytes: Int = showBytes) -> TaskResult? {
        guard lane.startedAt != nil else { return nil }
        if let result = fromResultFile(resultPath(workspace, lane.name), maxBytes: maxBytes) { return result }
        let log = Supervisor.logPath(workspace, lane.name)
        let end = taskOutputEnd(workspace, lane: lane)
        // After a setup that passed, the task's output starts past the setup's (LaneSetup).
        let first = lane.setup?.passed == true ? lane.setup?.taskOutputOffset ?? 0 : 0
        guard let (text, truncated) = OutputTail.lastLines(of: log, count: outputLines, from: first, end: end) else { return nil }
        let (bounded, cut) = SafeText.prefix(text, maxBytes: maxBytes)
        return TaskResult(source: .output, text: bounded, cut: cut || truncated, binary: false, bytes: end ?? fileSize(log) ?? 0)
    }

    /// The result as events, `spur.notify` and the Claude Code hook carry it: at most
    /// `maxBytes` bytes, ending in "… see `spur show NAME`" when it was cut.
    public static func excerpt(_ workspace: Workspace, lane: Lane, maxBytes: Int = eventBytes) -> String? {
        guard let result = read(workspace, lane: lane, maxBytes: maxBytes) else { return nil }
        return bounded(result.text, cut: result.cut, lane: lane.name, maxBytes: maxBytes)
    }

    /// `text` within `maxBytes` bytes including the marker added when it is (or was) cut.
    public static func bounded(_ text: String, cut: Bool, lane: String, maxBytes: Int) -> String {
        let marker = "… see `spur show \(lane)`"
        let (kept, cutNow) = SafeText.prefix(text, maxBytes: maxBytes)
        guard cut || cutNow else { return kept }
        let room = max(0, maxBytes - marker.utf8.count - 1)
        let head = SafeText.prefix(kept, maxBytes: room).text
        return head.isEmpty ? marker : head + "\n" + marker
    }

    static func fromResultFile(_ path: String, maxBytes: Int) -> TaskResult? {
        guard let size = fileSize(path), size > 0,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxBytes)) ?? Data()
        if SafeText.looksBinary(data) {
            return TaskResult(source: .result, text: "(a binary result of \(size) bytes, not shown)", cut: true, binary: true, bytes: size)
        }
        var text = SafeText.block(data)
        // A multi-byte character split by the bound decodes as U+FFFD: leave it out.
        if UInt64(data.count) < size, text.unicodeScalars.last == "\u{FFFD}" { text.unicodeScalars.removeLast() }
        while text.hasSuffix("\n") { text.removeLast() }
        let (bounded, cut) = SafeText.prefix(text, maxBytes: maxBytes)
        return TaskResult(source: .result, text: bounded, cut: cut || UInt64(data.count) < size, binary: false, bytes: size)
    }

    /// Where the task's own output ends in its log: the check's output is appended after it.
    static func taskOutputEnd(_ workspace: Workspace, lane: Lane) -> UInt64? {
        let log = Supervisor.logPath(workspace, lane.name)
        guard let check = lane.check, let size = fileSize(log) else { return nil }
        let appended = UInt64(Supervisor.checkBanner(command: check.command, exitCode: check.exitCode).utf8.count)
            + (fileSize(workspace.stateDir + "/logs/\(lane.name).check.log") ?? 0)
        return appended <= size ? size - appended : nil
    }

    static func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(max(info.st_size, 0))
    }
}
