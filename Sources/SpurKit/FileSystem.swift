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

extension FileManager {
    /// True when `path` exists as a folder (not following a final symlink).
    func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// Reading an open folder (`opendir` or `fdopendir`).
enum FolderEntries {
    /// Its entries except "." and "..", each with the type `readdir` gives (`DT_DIR`,
    /// `DT_UNKNOWN`, ...).
    static func read(_ handle: OpaquePointer) -> [(name: String, type: Int)] {
        var entries: [(name: String, type: Int)] = []
        while let item = readdir(handle) {
            let name = withUnsafePointer(to: item.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { entries.append((name, Int(item.pointee.d_type))) }
        }
        return entries
    }
}
