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
