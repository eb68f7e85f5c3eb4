/// A lane's name: 1-64 letters, digits, `.`, `_`, `-`, starting with a letter or digit, with no
/// `..`, not ending in `.` or `.lock`. These rules keep it a valid ref component and folder name.
public struct LaneName: Sendable, Hashable, CustomStringConvertible, Codable {
    public let value: String

    public init(_ value: String) throws {
        if let problem = LaneName.problem(with: value) {
            throw SpurError.usage("invalid lane name '\(value.escapingControlCharacters)': \(problem)")
        }
        self.value = value
    }

    public var description: String { value }

    /// Why `value` is not a valid lane name, or nil when it is one.
    public static func problem(with value: String) -> String? {
        let bytes = Array(value.utf8)
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > 64 { return "it is longer than 64 characters" }
        func isAlphanumeric(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
        }
        if !isAlphanumeric(bytes[0]) { return "it must start with a letter or digit" }
        if let bad = bytes.first(where: { !isAlphanumeric($0) && $0 != 46 && $0 != 95 && $0 != 45 }) {
            let shown = bad == 47 ? "/" : (bad < 128 ? String(UnicodeScalar(bad)).escapingControlCharacters : "non-ASCII characters")
            return "'\(shown)' is not allowed (use letters, digits, '.', '_' and '-')"
        }
        if value.contains("..") { return "'..' is not allowed" }
        if value.hasSuffix(".lock") { return "it must not end in '.lock'" }
        if value.hasSuffix(".") { return "it must not end in '.'" }
        return nil
    }
}
