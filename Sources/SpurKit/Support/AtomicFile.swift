import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader, or a crash, sees either the old content or the new, whole.
enum AtomicFile {
    /// `mode` is the new file's permission bits (less the umask). Without `sync` the content
    /// may not survive a crash of the machine (for files that only matter while it runs).
    static func write(_ data: Data, to path: String, mode: mode_t = 0o644, sync: Bool = true) throws {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SpurError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var failed = false
        data.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, start + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; failed = true; return }
                offset += written
            }
        }
        if sync && fsync(descriptor) != 0 { failed = true }
        close(descriptor)
        guard !failed, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SpurError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
