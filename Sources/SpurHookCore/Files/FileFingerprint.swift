#if canImport(Glibc)
import Glibc
#endif

/// What one file looked like at a moment: device, inode, size, modification and change times
/// in nanoseconds and mode, as `lstat` gives them (a link is not followed). Any write, rename
/// onto it, removal, creation, `chmod` or `touch` changes at least one of them.
public struct FileFingerprint: Equatable, Sendable {
    /// "dev:ino:size:mtime s:ns:ctime s:ns:mode" in decimal: cheap to make, compared, never parsed.
    public let text: String

    public init(text: String) { self.text = text }

    /// The fingerprint of the file at `path` (bytes) now; nil when nothing is there.
    public static func of(path: [UInt8]) -> FileFingerprint? {
        PlainFile.linkStatus(path).map(FileFingerprint.init(status:))
    }

    /// The fingerprint of the file at `path` now; nil when nothing is there.
    public static func of(path: String) -> FileFingerprint? {
        PlainFile.linkStatus(path).map(FileFingerprint.init(status:))
    }

    init(status info: stat) {
        text = "\(Int64(bitPattern: UInt64(info.st_dev))):\(Int64(bitPattern: UInt64(info.st_ino))):"
            + "\(info.st_size):\(info.st_mtim.tv_sec):\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec):\(info.st_ctim.tv_nsec):\(info.st_mode)"
    }
}
