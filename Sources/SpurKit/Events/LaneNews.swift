import Foundation

/// Hands lane events (ended, failed, killed, flagged, merged, stalled) to agent sessions, each
/// event once per session, so an interactive agent learns of finished tasks without polling.
///
/// Each session's read position in the event log is kept in
/// `<common git dir>/spur/sessions/<session id>` (replaced atomically, under a lock, so two
/// hooks of one session never deliver an event twice). A session seen for the first time is
/// told about the events of the last 24 hours whose lane still exists: a session started in
/// the morning hears of the tasks that ended overnight, but not of old news about lanes that
/// are gone. Positions of sessions idle for 30 days are removed when a session starts.
public struct LaneNews: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// How far back a new session's news reaches.
    public static let firstSightWindow: TimeInterval = 24 * 3600
    /// Positions of sessions idle this long are removed.
    public static let retention: TimeInterval = 30 * 86400
    /// At most this many events are listed in one delivery (the newest).
    public static let maximumListed = 20

    public var directory: String { workspace.stateDir + "/sessions" }

    /// The events session `session` has not been given yet, oldest first; marks them given.
    public func take(session: String, now: Date, existingLanes: Set<String>) throws -> [LaneEvent] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try FileLock(path: directory + "/.lock")
        defer { lock.unlock() }
        let file = directory + "/" + Self.fileName(forSession: session)
        let notifier = Notifier(workspace: workspace)
        var position = FileManager.default.contents(atPath: file)
            .flatMap { UInt64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
        // A position past the end means the log was replaced: start this session afresh.
        if let known = position, known > Self.size(of: notifier.eventLogPath) { position = nil }
        let (events, end) = notifier.events(from: position ?? 0)
        if position != end { try AtomicFile.write(Data("\(end)\n".utf8), to: file) }
        guard position == nil else { return events }
        let since = now.addingTimeInterval(-Self.firstSightWindow)
        return events.filter { $0.time >= since && existingLanes.contains($0.lane) }
    }

    /// Removes the positions of sessions idle longer than `retention`.
    public func prune(now: Date) {
        let cutoff = now.addingTimeInterval(-Self.retention)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where !name.hasPrefix(".") {
            let path = directory + "/" + name
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// A file name for a session id: letters, digits, `-`, `_` and `.` kept, anything else
    /// replaced by `_`, never starting with a dot, at most 128 characters.
    public static func fileName(forSession session: String) -> String {
        let kept = session.unicodeScalars.prefix(128).map { scalar -> Character in
            let allowed = (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) || "-_.".unicodeScalars.contains(scalar)
            return allowed ? Character(scalar) : "_"
        }
        let name = String(kept)
        return name.isEmpty || name.hasPrefix(".") ? "s" + name : name
    }

    /// The context given to the agent. Each event's result follows its summary, indented; the
    /// results of one delivery share `TaskResult.eventBytes` (4 KB), and one that does not fit
    /// is cut, ending in "… see `spur show NAME`".
    public static func text(_ events: [LaneEvent]) -> String {
        var lines = ["spur: news from background lanes (each item is reported once):"]
        let shown = events.suffix(maximumListed)
        if events.count > shown.count { lines.append("- \(events.count - shown.count) earlier events not listed (see `spur list`)") }
        let withResults = shown.filter { $0.result?.isEmpty == false }.count
        let share = withResults == 0 ? 0 : TaskResult.eventBytes / withResults
        for event in shown {
            lines.append("- \(event.summary)")
            guard let result = event.result, !result.isEmpty else { continue }
            lines.append("  result:")
            lines += indented(result, lane: event.lane, maxBytes: share)
        }
        lines.append("`spur status` shows every lane and where it overlaps this working tree; `spur diff LANE` shows a lane's work "
            + "and `spur merge LANE` brings it into this working tree.")
        return lines.joined(separator: "\n")
    }

    /// `result` cut to fit `maxBytes` with two spaces before each line counted in.
    static func indented(_ result: String, lane: String, maxBytes: Int) -> [String] {
        var text = TaskResult.bounded(result, cut: false, lane: lane, maxBytes: maxBytes)
        let indentation = 2 * (text.utf8.filter { $0 == 0x0A }.count + 1)
        if text.utf8.count + indentation > maxBytes {
            text = TaskResult.bounded(result, cut: false, lane: lane, maxBytes: max(0, maxBytes - indentation))
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    private static func size(of path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }
}
