import CSystem
import Foundation

/// inotify on a few paths; readable when any of them changes. Open while this object lives.
final class FileEvents {
    let descriptor: OwnedDescriptor
    init() throws {
        guard let descriptor = OwnedDescriptor(taking: spur_inotify_init()) else {
            throw SpurError("inotify is not available: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    /// False when the watch could not be set (no such folder, no watch left).
    @discardableResult
    func watch(_ path: String, mask: UInt32) -> Bool {
        descriptor.withRaw { spur_inotify_watch($0, path, mask) >= 0 }
    }

    func drain() { descriptor.withRaw { spur_inotify_drain($0) } }
}
