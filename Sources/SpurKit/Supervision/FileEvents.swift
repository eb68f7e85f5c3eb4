import CSystem
import Foundation

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
