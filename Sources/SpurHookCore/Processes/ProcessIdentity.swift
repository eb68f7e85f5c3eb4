import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// A process named by pid and start time, so a reused pid is not mistaken for it.
public struct ProcessIdentity: Sendable, Equatable {
    public let pid: Int32
    public let startTicks: UInt64

    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    public static func current() -> ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTicks: spur_process_start_ticks(pid))
    }

    /// True while that very process exists (a zombie counts as gone).
    public var isAlive: Bool { spur_process_is_running(pid, startTicks) != 0 }
}
