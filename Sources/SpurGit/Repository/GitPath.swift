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
        return GitPath.quoted(bytes)
    }

    /// The path as text for APIs that take a Swift string; lossy for names that are not UTF-8.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { display }

    public static func < (a: GitPath, b: GitPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// The bytes with a terminating NUL, for C calls that take a path (an array passed where a
    /// `const char *` is expected lives for that call).
    public var cString: [CChar] {
        var result = bytes.map { CChar(bitPattern: $0) }
        result.append(0)
        return result
    }

    /// A NUL-terminated copy of the bytes that the caller must `deallocate()` (for C arrays of
    /// paths, where one `withCString` per path cannot nest).
    func allocatedCString() -> UnsafeMutablePointer<CChar> {
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (offset, byte) in bytes.enumerated() { copy[offset] = CChar(bitPattern: byte) }
        copy[bytes.count] = 0
        return copy
    }

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

extension GitPath: ExpressibleByStringLiteral {
    /// A path written in spur's own code (`".gitattributes"`): its UTF-8 bytes.
    public init(stringLiteral value: String) { self.init(value) }
}

extension GitPath {
    /// True when the bytes are valid UTF-8 (then `text` is exact).
    public var isValidUTF8: Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// The folders above this path, outermost first (the root excluded), split at "/" bytes.
    public var ancestorFolders: [GitPath] {
        var result: [GitPath] = []
        for (position, byte) in bytes.enumerated() where byte == 0x2F { result.append(GitPath(bytes: bytes[..<position])) }
        return result
    }

    /// `folder/self` for a filesystem path: the absolute path of this repository path under
    /// `folder` (a working tree's root as text), or `folder` itself for the root.
    public func under(_ folder: String) -> GitPath { GitPath(folder).appending(self) }

    /// True when `self` is `folder` or lies below it (`folder` "" holds everything).
    public func isInside(_ folder: GitPath) -> Bool {
        if folder.bytes.isEmpty { return true }
        if folder.bytes == [0x2F] { return bytes.first == 0x2F }
        guard bytes.count >= folder.bytes.count, bytes.starts(with: folder.bytes) else { return false }
        return bytes.count == folder.bytes.count || bytes[folder.bytes.count] == 0x2F
    }

    /// True when the last name is `name` (compared as bytes).
    public func hasLastName(_ name: GitPath) -> Bool { parentAndName.name == name }

    /// The path as one JSON-safe string that gives back the same bytes (`init(exact:)`): the
    /// UTF-8 text itself when the bytes are valid UTF-8 and do not start with `"`, otherwise
    /// git's quoted form (`display`: double quotes, C escapes, octal for bytes >= 0x80). NFC
    /// and NFD spellings stay as they were: the string's scalars are the path's.
    public var exact: String {
        if bytes.first != 0x22 && isValidUTF8 { return text }
        return GitPath.quoted(bytes)
    }

    /// Reads `exact`'s form: a string in double quotes that parses as git's C quoting is
    /// unquoted; any other string is taken as UTF-8 (records written before paths were bytes).
    public init(exact string: String) {
        if let unquoted = GitPath.unquote(string) { self.init(bytes: unquoted) } else { self.init(string) }
    }

    /// Always quoted, as git's `core.quotePath` prints a name that needs quoting.
    static func quoted(_ bytes: [UInt8]) -> String {
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

    /// The bytes of a git C-quoted string, or nil when `string` is not one.
    static func unquote(_ string: String) -> [UInt8]? {
        let utf8 = Array(string.utf8)
        guard utf8.count >= 2, utf8.first == 0x22, utf8.last == 0x22 else { return nil }
        var result: [UInt8] = []
        var i = 1
        let end = utf8.count - 1
        while i < end {
            let byte = utf8[i]
            if byte == 0x22 { return nil }
            guard byte == 0x5C else { result.append(byte); i += 1; continue }
            guard i + 1 < end else { return nil }
            let next = utf8[i + 1]
            switch next {
            case UInt8(ascii: "a"): result.append(0x07)
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "v"): result.append(0x0B)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "r"): result.append(0x0D)
            case 0x22, 0x5C: result.append(next)
            case UInt8(ascii: "0")...UInt8(ascii: "3"):
                guard i + 3 < end else { return nil }
                var value = 0
                for digit in utf8[(i + 1)...(i + 3)] {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { return nil }
                    value = value * 8 + Int(digit - UInt8(ascii: "0"))
                }
                result.append(UInt8(value))
                i += 4
                continue
            default: return nil
            }
            i += 2
        }
        return result
    }
}

/// Encoded as `exact` (one string), decoded with `init(exact:)`, so records written when paths
/// were plain strings still read.
extension GitPath: Codable {
    public init(from decoder: Decoder) throws {
        self.init(exact: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(exact)
    }
}
