import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One folder's entries, read through an open descriptor, in git's order (a folder sorts as
/// if its name ended with "/"), names kept as bytes so the scan can compare them with index
/// paths without building strings. Links are never followed. `.git` is skipped at the root;
/// anywhere else it means a nested repository or a submodule checkout, which the fast staging
/// path leaves to libgit2. Owns the open folder (closed on deinit); its descriptor is reachable
/// only inside `withDescriptor`/`withFolderAndName`, which keep the listing alive.
final class FolderListing {
    enum Kind: UInt8 { case file, link, folder, other }
    struct Item {
        let start: Int
        let length: Int
        let kind: Kind
        /// The first 8 bytes of the sort key, big-endian, for cheap comparisons.
        var head: UInt64 = 0
    }

    private let handle: OpaquePointer
    /// The folder's descriptor, valid while the listing lives.
    private let descriptor: Int32
    /// Names, each followed by a NUL.
    private(set) var names: [UInt8] = []
    private(set) var items: [Item] = []

    /// Takes ownership of `descriptor`.
    init(descriptor: Int32, isRoot: Bool) throws {
        guard let handle = fdopendir(descriptor) else {
            Glibc.close(descriptor)
            throw StagingDeclined()
        }
        self.handle = handle
        self.descriptor = dirfd(handle)
        var nested = false
        while let entry = readdir(handle) {
            let type = entry.pointee.d_type
            withUnsafePointer(to: &entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: UInt8.self, capacity: 256) { name in
                    let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
                    if name[0] == 0x2E && (length == 1 || (length == 2 && name[1] == 0x2E)) { return }
                    if length == 4 && name[1] == 0x67 && name[2] == 0x69 && name[3] == 0x74 && name[0] == 0x2E {  // ".git"
                        if !isRoot { nested = true }
                        return
                    }
                    var kind: Kind
                    switch Int32(type) {
                    case Int32(DT_REG): kind = .file
                    case Int32(DT_LNK): kind = .link
                    case Int32(DT_DIR): kind = .folder
                    case Int32(DT_UNKNOWN):
                        var info = stat()
                        guard fstatat(self.descriptor, UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
                        kind = Self.kind(of: info)
                    default: kind = .other
                    }
                    var head: UInt64 = 0
                    for k in 0..<8 {
                        let byte: UInt64 = k < length ? UInt64(name[k]) : (k == length && kind == .folder ? 0x2F : 0)
                        head = head << 8 | byte
                    }
                    items.append(Item(start: names.count, length: length, kind: kind, head: head))
                    names.append(contentsOf: UnsafeBufferPointer(start: name, count: length + 1))
                }
            }
            if nested { break }
        }
        if nested { throw StagingDeclined() }  // deinit closes the folder
        names.withUnsafeBufferPointer { bytes in
            items.sort { a, b in
                a.head != b.head ? a.head < b.head
                    : Self.precedes(bytes, a.start, a.length, a.kind == .folder, bytes, b.start, b.length, b.kind == .folder)
            }
        }
    }

    deinit { closedir(handle) }

    static func kind(of info: stat) -> Kind {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFLNK: return .link
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    func name(_ item: Item) -> GitPath {
        GitPath(bytes: names[item.start..<(item.start + item.length)])
    }

    /// Calls `body` with the folder's descriptor, open for the whole call.
    func withDescriptor<R>(_ body: (Int32) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(descriptor) }
    }

    /// Calls `body` with the folder's descriptor and the item's NUL-terminated name (for `fstatat`, `openat`).
    func withFolderAndName<R>(_ item: Item, _ body: (Int32, UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) {
            try names.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return try "".withCString { try body(descriptor, $0) } }
                return try body(descriptor, UnsafeRawPointer(base + item.start).assumingMemoryBound(to: CChar.self))
            }
        }
    }

    /// git's tree order: bytes compared, a folder's name followed by "/".
    static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ aStart: Int, _ aLength: Int, _ aFolder: Bool,
                         _ b: UnsafeBufferPointer<UInt8>, _ bStart: Int, _ bLength: Int, _ bFolder: Bool) -> Bool {
        compare(a, aStart, aLength, aFolder, b, bStart, bLength, bFolder) < 0
    }

    /// Orders keys `name` + ("/" for a folder); 0 when equal.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ aStart: Int, _ aLength: Int, _ aFolder: Bool,
                        _ b: UnsafeBufferPointer<UInt8>, _ bStart: Int, _ bLength: Int, _ bFolder: Bool) -> Int {
        let common = min(aLength, bLength)
        for k in 0..<common where a[aStart + k] != b[bStart + k] { return Int(a[aStart + k]) - Int(b[bStart + k]) }
        func byte(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int, _ folder: Bool, _ k: Int) -> Int {
            k < length ? Int(buffer[start + k]) : (folder && k == length ? 0x2F : -1)
        }
        var k = common
        while true {
            let x = byte(a, aStart, aLength, aFolder, k), y = byte(b, bStart, bLength, bFolder, k)
            if x != y { return x - y }
            if x == -1 { return 0 }
            k += 1
        }
    }
}
