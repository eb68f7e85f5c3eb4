import CGit2

/// A git object id (SHA-1), kept as its 40-character lowercase hex form.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Codable {
    public let hex: String

    /// Accepts a full 40-character hex id; returns nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        self.hex = hex
    }

    init(_ oid: git_oid) {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: 40)
        git_oid_fmt(&buffer, &oid)
        self.hex = String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    init(_ oid: UnsafePointer<git_oid>) { self.init(oid.pointee) }

    var raw: git_oid {
        var oid = git_oid()
        git_oid_fromstr(&oid, hex)
        return oid
    }

    /// The abbreviated form people read (first 10 characters).
    public var short: String { String(hex.prefix(10)) }
    public var description: String { hex }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ObjectID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an object id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// A git file mode as stored in trees and the index.
public enum FileMode: UInt32, Sendable, Codable {
    case unreadable = 0
    case tree = 0o040000
    case blob = 0o100644
    case executable = 0o100755
    case link = 0o120000
    case commit = 0o160000

    public init(raw: UInt32) { self = FileMode(rawValue: raw) ?? .blob }
    public var isFile: Bool { self == .blob || self == .executable }
}

extension ObjectID {
    /// The id git gives `bytes` as a blob (`git hash-object`), without writing anything.
    public static func blobHash(of bytes: [UInt8]) throws -> ObjectID {
        Libgit2.ensureInitialised()
        var oid = git_oid()
        try bytes.withUnsafeBytes { buffer in
            try check(git_odb_hash(&oid, buffer.baseAddress, buffer.count, GIT_OBJECT_BLOB), "git_odb_hash")
        }
        return ObjectID(oid)
    }
}
