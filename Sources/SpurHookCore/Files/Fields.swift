/// Writes fields ended by NUL, the shape of spur's small binary records (paths are bytes).
public struct FieldWriter {
    public private(set) var output: [UInt8] = []

    public init() {}

    public mutating func bytes(_ field: some Collection<UInt8>) {
        output.append(contentsOf: field)
        output.append(0)
    }

    public mutating func text(_ field: String) { bytes(field.utf8) }
}

/// Reads fields ended by NUL, in order; each read is nil when no whole field is left.
public struct FieldReader {
    let data: [UInt8]
    var position = 0

    public init(_ data: [UInt8]) { self.data = data }

    public var atEnd: Bool { position == data.count }

    public mutating func bytes() -> [UInt8]? {
        guard let end = data[position...].firstIndex(of: 0) else { return nil }
        defer { position = end + 1 }
        return Array(data[position..<end])
    }

    public mutating func text() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }

    /// A decimal count, never negative.
    public mutating func count() -> Int? { text().flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil } }
}
