/// The value one attribute has for a path, as gitattributes(5) defines them.
public enum AttributeValue: Hashable, Sendable, CustomStringConvertible {
    /// `attr`
    case set
    /// `-attr`
    case unset
    /// `attr=value`
    case value([UInt8])
    /// `!attr`: back to unspecified, hiding what lower-priority rules say.
    case unspecified

    /// The value as `git check-attr` prints it.
    public var description: String {
        switch self {
        case .set: "set"
        case .unset: "unset"
        case .value(let bytes): String(decoding: bytes, as: UTF8.self)
        case .unspecified: "unspecified"
        }
    }

    /// The value's text for `attr=value`, nil for the other forms.
    public var text: String? {
        if case .value(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}

/// One attribute file parsed as git 2.39 parses it: lines of a pattern and attribute states,
/// `#` comments, C-quoted patterns, `[attr]name` macro definitions (only where `macrosAllowed`:
/// the root `.gitattributes`, info/attributes and the global and system files). A line git
/// rejects (negative pattern, invalid attribute name, longer than 2048 bytes) is dropped whole.
public struct AttributeRules: Sendable {
    /// One attribute state on a line, in line order.
    public struct State: Sendable, Hashable {
        public let name: String
        public let value: AttributeValue
    }

    /// A pattern line.
    struct Rule: Sendable {
        let pattern: [UInt8]
        /// Length of the pattern's leading part without glob characters.
        let literalPrefix: Int
        /// The pattern has no "/" (matched against the name only).
        let nameOnly: Bool
        /// The pattern ended in "/" (matches folders only: never a file).
        let foldersOnly: Bool
        /// `*literal`: matched by comparing the name's end.
        let endsWith: Bool
        let states: [State]
    }

    /// Pattern lines in file order.
    var rules: [Rule] = []
    /// Macro definitions in file order: name and what it sets.
    var macros: [(name: String, states: [State])] = []

    public static let empty = AttributeRules()

    private init() {}

    /// Parses `bytes`, the content of an attribute file. `fromFile`: read from disk (git strips
    /// a CR before each newline and a UTF-8 byte order mark there).
    public init(parsing bytes: [UInt8], macrosAllowed: Bool, fromFile: Bool) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if !fromFile, let nul = bytes.firstIndex(of: 0) {
            lines = bytes[..<nul].split(separator: 0x0A, omittingEmptySubsequences: false)
        }
        for (number, raw) in lines.enumerated() {
            var line = raw
            if fromFile && line.last == 0x0D { line = line.dropLast() }
            if number == 0 && fromFile && line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            parse(Array(line), macrosAllowed: macrosAllowed)
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    private mutating func parse(_ line: [UInt8], macrosAllowed: Bool) {
        var i = 0
        while i < line.count && Self.isBlank(line[i]) { i += 1 }
        guard i < line.count, line[i] != 0x23 else { return }
        guard line.count < 2048 else { return }
        var name: [UInt8]
        var rest: Int
        if line[i] == 0x22, let (unquoted, end) = Self.unquote(line, from: i) {
            name = unquoted
            rest = end
        } else {
            var end = i
            while end < line.count && !Self.isBlank(line[end]) { end += 1 }
            name = Array(line[i..<end])
            rest = end
        }
        let prefix = Array("[attr]".utf8)
        var macro: String?
        if name.count > prefix.count && name.starts(with: prefix) {
            guard macrosAllowed else { return }
            let macroName = Array(name.dropFirst(prefix.count))
            guard Self.validName(macroName[...]) else { return }
            macro = String(decoding: macroName, as: UTF8.self)
        }
        while rest < line.count && Self.isBlank(line[rest]) { rest += 1 }
        var states: [State] = []
        while rest < line.count {
            var end = rest
            while end < line.count && !Self.isBlank(line[end]) { end += 1 }
            guard let state = Self.state(line[rest..<end]) else { return }
            states.append(state)
            rest = end
            while rest < line.count && Self.isBlank(line[rest]) { rest += 1 }
        }
        if let macro {
            macros.append((macro, states))
            return
        }
        guard name.first != 0x21 else { return }  // negative patterns are ignored in attributes
        var foldersOnly = false
        if name.last == 0x2F { name.removeLast(); foldersOnly = true }
        let literal = name.firstIndex { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B || $0 == 0x5C } ?? name.count
        let endsWith = name.first == 0x2A && !name.dropFirst().contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B || $0 == 0x5C }
        rules.append(Rule(pattern: name, literalPrefix: literal, nameOnly: !name.contains(0x2F),
                          foldersOnly: foldersOnly, endsWith: endsWith, states: states))
    }

    /// One `attr`, `-attr`, `!attr` or `attr=value` token; nil when its name is invalid.
    private static func state(_ token: ArraySlice<UInt8>) -> State? {
        let equals = token.firstIndex(of: 0x3D)
        var name = token[..<(equals ?? token.endIndex)]
        var value: AttributeValue
        if name.first == 0x2D {
            value = .unset
            name = name.dropFirst()
        } else if name.first == 0x21 {
            value = .unspecified
            name = name.dropFirst()
        } else if let equals {
            value = .value(Array(token[(equals + 1)...]))
        } else {
            value = .set
        }
        guard validName(name) else { return nil }
        return State(name: String(decoding: name, as: UTF8.self), value: value)
    }

    private static func validName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, first != 0x2D else { return false }
        return name.allSatisfy { byte in
            byte == 0x2D || byte == 0x2E || byte == 0x5F || (byte >= 0x30 && byte <= 0x39)
                || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
    }

    /// A C-quoted pattern starting at `start` (a `"`): its bytes and the index after the
    /// closing quote; nil when malformed (git then takes the token as it is).
    static func unquote(_ line: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var out: [UInt8] = []
        var i = start + 1
        while i < line.count {
            let byte = line[i]
            if byte == 0x22 { return (out, i + 1) }
            if byte != 0x5C { out.append(byte); i += 1; continue }
            i += 1
            guard i < line.count else { return nil }
            let escaped = line[i]
            switch escaped {
            case 0x61: out.append(0x07)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x76: out.append(0x0B)
            case 0x5C, 0x22: out.append(escaped)
            case 0x30...0x33:
                guard i + 2 < line.count, (0x30...0x37).contains(line[i + 1]), (0x30...0x37).contains(line[i + 2]) else { return nil }
                out.append((escaped - 0x30) << 6 | (line[i + 1] - 0x30) << 3 | (line[i + 2] - 0x30))
                i += 2
            default: return nil
            }
            i += 1
        }
        return nil
    }
}

extension AttributeRules.Rule {
    /// Whether this rule matches file `path` (never a folder: folder-only rules do not match),
    /// for rules of the attribute file in folder `base` ("" for the root and for files outside
    /// the working tree). `nameStart` is where the path's last name begins.
    func matches(file path: [UInt8], nameStart: Int, base: [UInt8]) -> Bool {
        if foldersOnly { return false }
        if nameOnly {
            let name = path[nameStart...]
            if literalPrefix == pattern.count { return name.elementsEqual(pattern) }
            if endsWith { return pattern.count - 1 <= name.count && name.suffix(pattern.count - 1).elementsEqual(pattern.dropFirst()) }
            return Wildmatch.matches(pattern, name, pathname: false)
        }
        var glob = pattern[...], literal = literalPrefix
        if glob.first == 0x2F { glob = glob.dropFirst(); literal -= 1 }
        // The path must lie below `base`.
        if !base.isEmpty {
            guard path.count >= base.count + 1, path[base.count] == 0x2F, path.starts(with: base) else { return false }
        }
        var name = base.isEmpty ? path[...] : path[(base.count + 1)...]
        if literal > 0 {
            guard literal <= name.count, name.prefix(literal).elementsEqual(glob.prefix(literal)) else { return false }
            glob = glob.dropFirst(literal)
            name = name.dropFirst(literal)
            if glob.isEmpty && name.isEmpty { return true }
        }
        return Wildmatch.matches(glob, name, pathname: true)
    }
}
