import CSystem
import Foundation

/// A descriptor that becomes readable when a process exits (Linux pidfd): waiting on it costs
/// no CPU and works for processes that are not our children. Open while this watch lives.
final class ProcessExitWatch {
    let descriptor: OwnedDescriptor
    init?(pid: Int32) {
        guard let descriptor = OwnedDescriptor(taking: spur_pidfd_open(pid)) else { return nil }
        self.descriptor = descriptor
    }
}
