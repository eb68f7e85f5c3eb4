/// A path (or one name of it) as git stores it: bytes, "/"-separated, no NUL. Equal, hashed
/// and ordered byte by byte (git's order for full paths), never by Unicode equivalence or
/// grapheme clusters, so NFC and NFD names stay two names and names that are not UTF-8 keep
/// their bytes. Convert to text only for display (`display`, quoted as git's `core.quotePath`).
public struct GitPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The path's bytes, without a terminating NUL.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init<S: Sequence>(bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }

    /// A path typed by a user or written in spur's own code: its UTF-8 bytes.
    public init(_ string: String) { bytes = Array(string.utf8) }

    /// The bytes of a NUL-terminated C string.
    public init(cString: UnsafePointer<CChar>) {
        var length = 0
        while cString[length] != 0 { length += 1 }
        bytes = UnsafeRawBufferPointer(start: cString, count: length).map { $0 }
    }

    public static let root = GitPath(bytes: [])

    public var isEmpty: Bool { bytes.isEmpty }

    /// `self/name`, or `name` when `self` is the root.
    public func appending(_ name: GitPath) -> GitPath {
        if bytes.isEmpty { return name }
        var joined = bytes
        joined.reserveCapacity(bytes.count + 1 + name.bytes.count)
        joined.append(0x2F)
        joined.append(contentsOf: name.bytes)
        return GitPath(bytes: joined)
    }

    /// The folder holding this path ("" at the root) and its last name, split at the last "/" byte.
    public var parentAndName: (parent: GitPath, name: GitPath) {
        guard let slash = bytes.lastIndex(of: 0x2F) else { return (.root, self) }
        return (GitPath(bytes: bytes[..<slash]), GitPath(bytes: bytes[(slash + 1)...]))
    }

    /// The names between "/" bytes (empty names dropped).
    public var components: [GitPath] {
        bytes.split(separator: 0x2F).map { GitPath(bytes: $0) }
    }

    /// The path as text for messages: UTF-8 when it is valid and holds nothing git quotes,
    /// else in double quotes with C escapes and octal bytes, as git prints it by default.
    public var display: String {
        let needsQuotes = bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x7F }
        guard needsQuotes else { return String(decoding: bytes, as: UTF8.self) }
        var text = "\""
        for byte in bytes {
            switch byte {
            case 0x07: text += "\\a"
            case 0x08: text += "\\b"
            case 0x09: text += "\\t"
            case 0x0A: text += "\\n"
            case 0x0B: text += "\\v"
            case 0x0C: text += "\\f"
            case 0x0D: text += "\\r"
            case 0x22: text += "\\\""
            case 0x5C: text += "\\\\"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                text += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return text + "\""
    }

    /// The path as text for APIs that take a Swift string; lossy for names that are not UTF-8.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { display }

    public static func < (a: GitPath, b: GitPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Calls `body` with the path as a NUL-terminated C string (for libgit2 and the kernel).
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var terminated = bytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return try "".withCString(body) }
                return try body(base)
            }
        }
    }
}
