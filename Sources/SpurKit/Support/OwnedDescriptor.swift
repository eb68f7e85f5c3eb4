#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor this process owns, closed exactly once: by `close()` or when the last
/// reference goes. The number itself is reachable only inside `withRaw` (or `[OwnedDescriptor?]
/// .withRaw`), which keeps the owner alive for the call: Swift may end an object's life right
/// after its last use, so a raw number copied out of its owner could be closed (and reused)
/// while still in use. Not Sendable: one thread owns it.
final class OwnedDescriptor {
    fileprivate var raw: Int32

    /// Takes ownership of `raw`; nil (nothing to own) when it is negative.
    init?(taking raw: Int32) {
        guard raw >= 0 else { return nil }
        self.raw = raw
    }

    deinit { if raw >= 0 { Glibc.close(raw) } }

    /// Calls `body` with the descriptor, open for the whole call (-1 after `close()`).
    func withRaw<R>(_ body: (Int32) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(raw) }
    }

    /// Closes the descriptor now; later `withRaw` calls get -1.
    func close() {
        guard raw >= 0 else { return }
        Glibc.close(raw)
        raw = -1
    }
}

extension Array where Element == OwnedDescriptor? {
    /// Calls `body` with every descriptor (-1 for a nil one, which `poll` skips), all kept open for the call.
    func withRaw<R>(_ body: ([Int32]) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(map { $0?.raw ?? -1 }) }
    }
}
