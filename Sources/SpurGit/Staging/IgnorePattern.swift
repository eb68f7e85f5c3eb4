/// One line of an ignore file, parsed as git parses it: `!` negates, a trailing `/` matches
/// folders only, a pattern without a `/` (apart from a trailing one) matches a name at any
/// depth, any other is anchored to the folder of its file.
struct IgnorePattern: Sendable {
    /// The pattern without `!` and trailing `/`, followed by a NUL.
    let pattern: [UInt8]
    let length: Int
    /// How many leading bytes hold no glob character (compared literally first, as git does).
    let literalPrefix: Int
    let negative: Bool
    let foldersOnly: Bool
    let anyDepth: Bool
    let line: Int

    /// Parses one line (its end of line, trailing spaces and comment already dealt with).
    init(_ raw: ArraySlice<UInt8>, line: Int) {
        var text = raw
        negative = text.first == 0x21
        if negative { text = text.dropFirst() }
        foldersOnly = text.last == 0x2F
        if foldersOnly { text = text.dropLast() }
        anyDepth = !text.contains(0x2F)
        length = text.count
        pattern = Array(text) + [0]
        var simple = 0
        while simple < length && !IgnoreGlobClass.isGlobSpecial(pattern[simple]) { simple += 1 }
        literalPrefix = simple
        self.line = line
    }

    /// Whether this pattern of a file in folder `base` ("" or "dir/sub/") matches `path`
    /// (NUL-terminated, `length` bytes, last name from `nameStart`).
    func matches(_ path: [UInt8], length pathLength: Int, nameStart: Int, isFolder: Bool, base: [UInt8], ignoreCase: Bool) -> Bool {
        if foldersOnly && !isFolder { return false }
        if anyDepth {
            return IgnoreGlob.matches(pattern, text: path, at: nameStart, pathname: false, ignoreCase: ignoreCase)
        }
        var start = 0, prefix = literalPrefix
        if pattern[0] == 0x2F { start = 1; prefix -= 1 }
        let baseLength = base.count
        guard pathLength >= baseLength else { return false }
        for k in 0..<baseLength where !same(path[k], base[k], ignoreCase) { return false }
        let nameAt = baseLength
        let nameLength = pathLength - baseLength
        if prefix > 0 {
            if prefix > nameLength { return false }
            for k in 0..<prefix where !same(path[nameAt + k], pattern[start + k], ignoreCase) { return false }
            if length - start == prefix && nameLength == prefix { return true }
        }
        return IgnoreGlob.matches(pattern, from: start + prefix, text: path, at: nameAt + prefix, pathname: true, ignoreCase: ignoreCase)
    }

    private func same(_ a: UInt8, _ b: UInt8, _ ignoreCase: Bool) -> Bool {
        a == b || (ignoreCase && IgnoreGlobClass.isAlpha(a) && (a | 0x20) == (b | 0x20))
    }
}

/// The patterns of one ignore file and the folder they apply to, in file order.
public struct IgnoreRuleList: Sendable {
    /// The folder of a `.gitignore` with a trailing "/", "" for the root and for files that
    /// apply everywhere (`info/exclude`, `core.excludesFile`).
    let base: [UInt8]
    let patterns: [IgnorePattern]
    /// Where the rules come from, for messages and tests (`sub/.gitignore`, `.git/info/exclude`).
    public let source: String

    /// Parses an ignore file as git reads one: a UTF-8 byte order mark skipped, lines split at
    /// LF (a CR before it dropped), a line cut at a NUL byte, blank lines and lines starting
    /// with `#` skipped, trailing spaces dropped unless escaped with a backslash.
    public init(parsing bytes: [UInt8], base: [UInt8], source: String) {
        self.base = base
        self.source = source
        var patterns: [IgnorePattern] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var text = bytes[start..<end]
            if text.last == 0x0D { text = text.dropLast() }
            if let nul = text.firstIndex(of: 0) { text = text[..<nul] }
            if !text.isEmpty && text.first != 0x23 {
                let trimmed = Self.trimmingTrailingSpaces(text)
                if !trimmed.isEmpty { patterns.append(IgnorePattern(trimmed, line: line)) }
            }
            line += 1
            start = end + 1
        }
        self.patterns = patterns
    }

    /// Drops trailing spaces that no backslash escapes (only spaces, as git does).
    static func trimmingTrailingSpaces(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var firstTrailingSpace: Int?
        var i = text.startIndex
        while i < text.endIndex {
            switch text[i] {
            case 0x20:
                if firstTrailingSpace == nil { firstTrailingSpace = i }
            case 0x5C:
                i += 1
                if i == text.endIndex { return text }
                firstTrailingSpace = nil
            default:
                firstTrailingSpace = nil
            }
            i += 1
        }
        return firstTrailingSpace.map { text[..<$0] } ?? text
    }

    /// The last pattern matching `path`, if any (the last match in a file wins).
    func lastMatch(_ path: [UInt8], length: Int, nameStart: Int, isFolder: Bool, ignoreCase: Bool) -> IgnorePattern? {
        for pattern in patterns.reversed()
        where pattern.matches(path, length: length, nameStart: nameStart, isFolder: isFolder, base: base, ignoreCase: ignoreCase) {
            return pattern
        }
        return nil
    }
}
