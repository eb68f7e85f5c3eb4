import CSystem
import Foundation

/// A process named by pid and start time, so a reused pid is not mistaken for it.
public struct ProcessIdentity: Sendable, Equatable {
    public let pid: Int32
    public let startTicks: UInt64

    public static func current() -> ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTicks: spur_process_start_ticks(pid))
    }

    /// True while that very process exists (a zombie counts as gone).
    public var isAlive: Bool {
        let ticks = spur_process_start_ticks(pid)
        guard ticks != 0, ticks == startTicks else { return false }
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = status.lastIndex(of: ")") else { return false }
        let state = status[status.index(after: close)...].dropFirst().first
        return state != "Z" && state != "X"
    }
}
