import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a file (flock). The kernel releases it if the process dies.
final class FileLock {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SpurError("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw SpurError("cannot lock \(path): \(message)")
        }
    }

    func unlock() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
