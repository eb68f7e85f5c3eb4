import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes tree objects from unsorted entries, in git's order (a folder sorts as if its name
/// ended with "/"). Owns its object database handle (freed on deinit), which never leaves it.
final class TreeWriter {
    struct Item {
        let name: GitPath
        let mode: UInt32
        let id: git_oid
    }

    private let odb: OpaquePointer
    private static let folderMode = Array("40000".utf8), fileMode = Array("100644".utf8)
    private static let executableMode = Array("100755".utf8), linkMode = Array("120000".utf8)

    /// git's tree order: names as bytes, a folder's followed by "/".
    static func precedes(_ a: Item, _ b: Item) -> Bool {
        var left = a.name.bytes.makeIterator(), right = b.name.bytes.makeIterator()
        var leftDone = false, rightDone = false
        while true {
            var x = -1, y = -1
            if let byte = left.next() { x = Int(byte) } else if !leftDone { leftDone = true; x = a.mode == 0o40000 ? 0x2F : -1 }
            if let byte = right.next() { y = Int(byte) } else if !rightDone { rightDone = true; y = b.mode == 0o40000 ? 0x2F : -1 }
            if x != y { return x < y }
            if x == -1 { return false }
        }
    }

    init(repository: Repository) throws {
        var handle: OpaquePointer?
        try check(repository.withPointer { git_repository_odb(&handle, $0) }, "git_repository_odb")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no object database", operation: "git_repository_odb") }
        odb = handle
    }

    deinit { git_odb_free(odb) }

    func write(_ items: [Item]) throws -> git_oid {
        let sorted = items.sorted(by: Self.precedes)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(items.count * 48)
        for item in sorted {
            switch item.mode {
            case 0o40000: buffer.append(contentsOf: Self.folderMode)
            case 0o100755: buffer.append(contentsOf: Self.executableMode)
            case 0o120000: buffer.append(contentsOf: Self.linkMode)
            case 0o100644: buffer.append(contentsOf: Self.fileMode)
            default: buffer.append(contentsOf: String(item.mode, radix: 8).utf8)
            }
            buffer.append(0x20)
            buffer.append(contentsOf: item.name.bytes)
            buffer.append(0)
            withUnsafeBytes(of: item.id) { buffer.append(contentsOf: $0) }
        }
        var oid = git_oid()
        try buffer.withUnsafeBytes { raw in
            try check(git_odb_write(&oid, odb, raw.baseAddress, raw.count, GIT_OBJECT_TREE), "write tree")
        }
        return oid
    }
}
