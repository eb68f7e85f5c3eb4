/// A pattern of `.worktreeinclude` (or `spur.include`) that git's matcher would never match:
/// refused with the place it was written.
public struct IncludePatternError: Error, Sendable, CustomStringConvertible {
    /// `.worktreeinclude` or `git config spur.include`.
    public let source: String
    /// The line in the file (1-based), or the value's place among `spur.include` values.
    public let line: Int
    public let reason: String
    public var description: String { "\(source):\(line): \(reason)" }
}

/// The patterns saying which ignored paths a new lane gets a copy of: `.worktreeinclude` at
/// the root, then `spur.include` values (one pattern line each), in gitignore syntax and read by
/// spur's ignore matcher. Like a `.gitignore` at the root, the last matching line wins, `!`
/// excludes again, and a matched folder includes everything below it. Patterns git would never
/// match (a trailing unescaped backslash, an unclosed `[`, nothing but `!` or `/`) are refused.
public struct IncludePatterns: Sendable {
    /// The file's rules, then the config's (later ones win).
    let lists: [IgnoreRuleList]
    let ignoreCase: Bool

    public var isEmpty: Bool { lists.allSatisfy { $0.patterns.isEmpty } }

    /// Parses the file's bytes (nil: no file) and the config values; throws the first bad pattern.
    public init(file: [UInt8]?, configValues: [String], ignoreCase: Bool = false) throws {
        var lists: [IgnoreRuleList] = []
        if let file {
            let list = IgnoreRuleList(parsing: file, base: [], source: ".worktreeinclude")
            try Self.validate(list)
            lists.append(list)
        }
        for (offset, value) in configValues.enumerated() {
            let parsed = IgnoreRuleList(parsing: Array(value.utf8), base: [], source: "git config spur.include")
            try Self.validate(parsed, line: offset + 1)
            lists.append(parsed)
        }
        self.lists = lists
        self.ignoreCase = ignoreCase
    }

    /// True when the last pattern matching `path` includes it (`isFolder`: a real folder).
    public func includes(_ path: GitPath, isFolder: Bool) -> Bool {
        var bytes = path.bytes
        let length = bytes.count
        let nameStart = (bytes.lastIndex(of: 0x2F).map { $0 + 1 }) ?? 0
        bytes.append(0)
        for list in lists.reversed() {
            if let match = list.lastMatch(bytes, length: length, nameStart: nameStart, isFolder: isFolder, ignoreCase: ignoreCase) {
                return !match.negative
            }
        }
        return false
    }

    /// Whether a path below `folder` may be included by a pattern, so the walk must look inside.
    /// `insideIgnored`: the folder is ignored and git lists it as one entry, so only a pattern
    /// with a `/` (a path from the root) can name something inside it; a pattern without one
    /// (`.env`) matches names in the folders git does not ignore. Errs towards looking.
    public func mayMatchBelow(_ folder: GitPath, insideIgnored: Bool) -> Bool {
        let depth = folder.bytes.reduce(1) { $0 + ($1 == 0x2F ? 1 : 0) }
        for list in lists {
            for pattern in list.patterns where !pattern.negative {
                if pattern.anyDepth {
                    if !insideIgnored { return true }
                    continue
                }
                if pattern.couldMatchBelow(folder.bytes, depth: depth, ignoreCase: ignoreCase) { return true }
            }
        }
        return false
    }

    static func validate(_ list: IgnoreRuleList, line fixedLine: Int? = nil) throws {
        for pattern in list.patterns {
            if let reason = pattern.neverMatchesReason {
                throw IncludePatternError(source: list.source, line: fixedLine ?? pattern.line, reason: reason)
            }
        }
    }
}

extension IgnorePattern {
    /// Why git's matcher would never match this pattern, nil when it can match.
    var neverMatchesReason: String? {
        if length == 0 || (length == 1 && pattern[0] == 0x2F) { return "the pattern matches nothing" }
        var i = 0
        while i < length {
            switch pattern[i] {
            case 0x5C:
                if i + 1 == length { return "the pattern ends with an unescaped backslash" }
                i += 2
            case 0x5B:
                var j = i + 1
                if j < length && (pattern[j] == 0x21 || pattern[j] == 0x5E) { j += 1 }
                if j < length && pattern[j] == 0x5D { j += 1 }
                while j < length && pattern[j] != 0x5D {
                    if pattern[j] == 0x5C { j += 1 }
                    j += 1
                }
                if j >= length { return "'[' is never closed by ']'" }
                i = j + 1
            default:
                i += 1
            }
        }
        return nil
    }

    /// For an anchored pattern (relative to the root): whether some path below `folder`
    /// (`depth` names deep) may match it. Its literal start must agree with `folder/`, and
    /// without `**` it matches paths exactly as deep as it has names.
    func couldMatchBelow(_ folder: [UInt8], depth: Int, ignoreCase: Bool) -> Bool {
        let start = pattern[0] == 0x2F ? 1 : 0
        let prefix = literalPrefix - start
        var names = 1, doubleStar = false
        for k in start..<length {
            if pattern[k] == 0x2F { names += 1 }
            if pattern[k] == 0x2A && k + 1 < length && pattern[k + 1] == 0x2A { doubleStar = true }
        }
        if !doubleStar && names <= depth { return false }
        let folderWithSlash = folder + [0x2F]
        let compared = min(prefix, folderWithSlash.count)
        for k in 0..<compared {
            let a = pattern[start + k], b = folderWithSlash[k]
            if a == b { continue }
            if ignoreCase && IgnoreGlobClass.isAlpha(a) && (a | 0x20) == (b | 0x20) { continue }
            return false
        }
        return true
    }
}
