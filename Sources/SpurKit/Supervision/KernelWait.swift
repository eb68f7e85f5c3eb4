import CSystem
import Foundation

/// Blocks until one of the descriptors is readable or `deadline` passes. It takes the owners,
/// not raw numbers, so every descriptor stays open while it waits (a closed one would make
/// `poll` return at once, again and again).
enum KernelWait {
    enum Wake: Equatable { case readable(Int), timeout, failed }

    /// `.readable(i)` names the position in `descriptors`; a nil entry is skipped but keeps its position.
    static func readable(_ descriptors: [OwnedDescriptor?], until deadline: Date?) -> Wake {
        let timeout: Int32
        if let deadline {
            let milliseconds = deadline.timeIntervalSinceNow * 1000
            timeout = milliseconds <= 0 ? 0 : Int32(min(milliseconds.rounded(.up), Double(Int32.max)))
        } else {
            timeout = -1
        }
        let result = descriptors.withRaw { raw in
            raw.withUnsafeBufferPointer { spur_poll_readable($0.baseAddress, Int32($0.count), timeout) }
        }
        switch result {
        case -2: return .timeout
        case let index where index >= 0: return .readable(Int(index))
        default: return .failed
        }
    }
}
