import CSystem
import Foundation

/// A descriptor that becomes readable when a process exits (Linux pidfd): waiting on it costs
/// no CPU and works for processes that are not our children.
final class ProcessExitWatch {
    let descriptor: Int32
    init?(pid: Int32) {
        let fd = spur_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        descriptor = fd
    }
    deinit { close(descriptor) }
}

/// inotify on a few paths; readable when any of them changes.
final class FileEvents {
    let descriptor: Int32
    init() throws {
        descriptor = spur_inotify_init()
        guard descriptor >= 0 else { throw SpurError("inotify is not available: \(String(cString: strerror(errno)))") }
    }
    deinit { close(descriptor) }

    /// False when the watch could not be set (no such folder, no watch left).
    @discardableResult
    func watch(_ path: String, mask: UInt32) -> Bool {
        spur_inotify_watch(descriptor, path, mask) >= 0
    }

    func drain() { spur_inotify_drain(descriptor) }
}

/// Blocks until one of the descriptors is readable or `deadline` passes.
enum KernelWait {
    enum Wake: Equatable { case readable(Int), timeout, failed }

    static func readable(_ descriptors: [Int32], until deadline: Date?) -> Wake {
        let timeout: Int32
        if let deadline {
            let milliseconds = deadline.timeIntervalSinceNow * 1000
            timeout = milliseconds <= 0 ? 0 : Int32(min(milliseconds.rounded(.up), Double(Int32.max)))
        } else {
            timeout = -1
        }
        let result = descriptors.withUnsafeBufferPointer { spur_poll_readable($0.baseAddress, Int32($0.count), timeout) }
        switch result {
        case -2: return .timeout
        case let index where index >= 0: return .readable(Int(index))
        default: return .failed
        }
    }
}

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
