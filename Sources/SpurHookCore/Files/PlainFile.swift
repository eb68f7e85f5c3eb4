#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the hook's hot path needs, made with plain system calls (no
/// Foundation: `spur-hook` must start in a millisecond or two). Paths of spur's own files are
/// text; paths inside a working tree are bytes.
public enum PlainFile {
    /// The whole file, or nil when it cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return readToEnd(descriptor)
    }

    /// Everything on standard input until its end (nil on a read error).
    public static func readStandardInput() -> [UInt8]? { readToEnd(0) }

    /// What `descriptor` holds from where it stands to its end (nil on a read error).
    private static func readToEnd(_ descriptor: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Replaces `path` by a rename from a temporary file beside it, so a reader sees the old
    /// content or the new, whole. Not synced to disk: for files that matter while the machine
    /// runs. False when it could not be written (nothing is left behind).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) -> Bool {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return false }
        var offset = 0
        var failed = false
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; failed = true; return }
                offset += written
            }
        }
        close(descriptor)
        guard !failed, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// The names in `folder` (not "." and ".."), unsorted; nil when it cannot be listed.
    public static func names(in folder: String) -> [String]? {
        guard let stream = opendir(folder) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// True when `path` is a folder, following a symbolic link (as `FileManager.fileExists`).
    public static func isDirectory(_ path: String) -> Bool {
        status(path).map { $0.st_mode & S_IFMT == S_IFDIR } ?? false
    }

    /// `stat` of `path` (a symbolic link is followed); nil when nothing is there.
    public static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// `lstat` of `path` (a symbolic link is not followed); nil when nothing is there.
    public static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    /// `lstat` of a path given as bytes; nil when nothing is there.
    public static func linkStatus(_ path: [UInt8]) -> stat? {
        var info = stat()
        let found = withCString(path) { lstat($0, &info) } == 0
        return found ? info : nil
    }

    /// `relative` (bytes) inside the folder `root`.
    public static func path(_ relative: [UInt8], under root: String) -> [UInt8] {
        Array(root.utf8) + [UInt8(ascii: "/")] + relative
    }

    /// Runs `body` with `bytes` as a NUL-terminated C string.
    public static func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return "".withCString(body) }
                return body(base)
            }
        }
    }
}
