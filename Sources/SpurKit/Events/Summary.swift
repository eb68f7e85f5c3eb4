import Foundation
import SpurGit

/// The one-line summaries lanes are reported with.
public enum Summary {
    public static func line(for lane: Lane, verdict: String? = nil) -> String {
        var parts = ["lane \(lane.name) \(lane.state.rawValue)"]
        if let started = lane.startedAt, let finished = lane.finishedAt {
            parts[0] += " in \(duration(finished.timeIntervalSince(started)))"
        }
        if let code = lane.exitCode { parts[0] += " (exit \(code))" }
        if let signal = lane.signal { parts[0] += " (signal \(signal))" }
        if lane.head == nil && lane.changedFiles == nil && (lane.state == .failed || lane.state == .killed) {
            // Not "0 files changed": the worktree may hold files no result recorded.
            if lane.reason?.contains("result not recorded") != true { parts.append("no result recorded") }
        } else {
            let files = lane.changedFiles?.count ?? 0
            parts.append("\(files) file\(files == 1 ? "" : "s") changed")
        }
        if let check = lane.check { parts.append("check \(check.passed ? "passed" : "failed"): \(check.command)") }
        if let verdict = verdict ?? (lane.state == .merged ? nil : lane.verdict) { parts.append(verdict) }
        if let reason = lane.reason, lane.state == .killed || lane.state == .failed { parts.append(reason) }
        return parts.joined(separator: "; ")
    }

    /// "45s", "3m", "2h5m", "4d".
    public static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60 > 0 ? "\(s % 60)s" : "")" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60 > 0 ? "\(s % 3600 / 60)m" : "")" }
        return "\(s / 86400)d"
    }

    /// Parses "90s", "30m", "2h", "1d" or a plain number of seconds.
    public static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = units[last], let value = Double(trimmed.dropLast()), value > 0 { return value * unit }
        if let value = Double(trimmed), value > 0 { return value }
        return nil
    }
}
