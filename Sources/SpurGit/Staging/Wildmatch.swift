/// git's glob matching on bytes (gitattributes(5), gitignore(5)): `?`, `*`, `[...]` with ranges,
/// `!`/`^` negation and `[:class:]` (ASCII classes), `\` escaping the next byte, and with
/// `pathname` set, `*` and `?` never match "/" while `**` between slashes (or at either end)
/// matches any number of folders. Case-sensitive; written from git's documented behaviour.
public enum Wildmatch {
    /// True when `pattern` matches the whole of `text`.
    public static func matches<P: Collection, T: Collection>(_ pattern: P, _ text: T, pathname: Bool) -> Bool
    where P.Element == UInt8, T.Element == UInt8 {
        let p = Array(pattern), t = Array(text)
        return match(p, 0, t, 0, pathname) == .match
    }

    private enum Outcome { case match, noMatch, abortAll, abortToDoubleStar }

    private static let slash: UInt8 = 0x2F

    private static func match(_ p: [UInt8], _ start: Int, _ t: [UInt8], _ textStart: Int, _ pathname: Bool) -> Outcome {
        var pi = start, ti = textStart
        while pi < p.count {
            let pc = p[pi]
            if ti >= t.count && pc != 0x2A { return .abortAll }
            switch pc {
            case 0x5C:  // backslash: the next byte literally
                pi += 1
                guard pi < p.count, t[ti] == p[pi] else { return .noMatch }
            case 0x3F:  // ?
                if pathname && t[ti] == slash { return .noMatch }
            case 0x2A:  // *
                var matchSlash: Bool
                pi += 1
                if pi < p.count && p[pi] == 0x2A {
                    let before = pi - 2
                    while pi < p.count && p[pi] == 0x2A { pi += 1 }
                    let atStart = before < start || p[before] == slash
                    let atEnd = pi == p.count || p[pi] == slash || (p[pi] == 0x5C && pi + 1 < p.count && p[pi + 1] == slash)
                    if atStart && atEnd {
                        // "**/" may stand for no folder at all.
                        if pi < p.count && p[pi] == slash && match(p, pi + 1, t, ti, pathname) == .match { return .match }
                        matchSlash = true
                    } else {
                        matchSlash = !pathname
                    }
                } else {
                    matchSlash = !pathname
                }
                if pi == p.count {
                    if !matchSlash && t[ti...].contains(slash) { return .noMatch }
                    return .match
                }
                if !matchSlash && p[pi] == slash {
                    // One star before a slash: the rest of this folder name.
                    guard let next = t[ti...].firstIndex(of: slash) else { return .noMatch }
                    ti = next + 1
                    pi += 1
                    continue
                }
                while ti < t.count {
                    if !isSpecial(p[pi]) {
                        // Skip ahead to the next occurrence of the literal that follows.
                        let literal = p[pi]
                        while ti < t.count && (matchSlash || t[ti] != slash) && t[ti] != literal { ti += 1 }
                        guard ti < t.count, t[ti] == literal else { return .noMatch }
                    }
                    let outcome = match(p, pi, t, ti, pathname)
                    if outcome != .noMatch {
                        if !matchSlash || outcome != .abortToDoubleStar { return outcome }
                    } else if !matchSlash && t[ti] == slash {
                        return .abortToDoubleStar
                    }
                    ti += 1
                }
                return .abortAll
            case 0x5B:  // [
                guard let (matched, next) = matchClass(p, pi, t[ti]) else { return .abortAll }
                if !matched || (pathname && t[ti] == slash) { return .noMatch }
                pi = next
            default:
                if t[ti] != pc { return .noMatch }
            }
            pi += 1
            ti += 1
        }
        return ti == t.count ? .match : .noMatch
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == 0x2A || byte == 0x3F || byte == 0x5B || byte == 0x5C
    }

    /// The bracket expression opening at `open` against byte `c`: whether it matches, and the
    /// index of its closing `]`; nil when the expression is malformed (git aborts the match).
    private static func matchClass(_ p: [UInt8], _ open: Int, _ c: UInt8) -> (Bool, Int)? {
        var i = open + 1
        guard i < p.count else { return nil }
        var negated = false
        if p[i] == 0x21 || p[i] == 0x5E { negated = true; i += 1 }
        var matched = false
        var previous: UInt8 = 0
        var first = true
        while true {
            guard i < p.count else { return nil }
            var pc = p[i]
            if pc == 0x5D && !first { break }
            first = false
            if pc == 0x5C {
                i += 1
                guard i < p.count else { return nil }
                pc = p[i]
                if c == pc { matched = true }
            } else if pc == 0x2D && previous != 0 && i + 1 < p.count && p[i + 1] != 0x5D {
                i += 1
                var high = p[i]
                if high == 0x5C {
                    i += 1
                    guard i < p.count else { return nil }
                    high = p[i]
                }
                if c >= previous && c <= high { matched = true }
                pc = 0
            } else if pc == 0x5B && i + 1 < p.count && p[i + 1] == 0x3A {
                let nameStart = i + 2
                var end = nameStart
                while end < p.count && p[end] != 0x5D { end += 1 }
                guard end < p.count else { return nil }
                if end - 1 < nameStart || p[end - 1] != 0x3A {
                    // Not "[:name:]": a plain "[" in the set.
                    if c == 0x5B { matched = true }
                    previous = 0x5B
                    i += 1
                    continue
                }
                guard let inClass = characterClass(p[nameStart..<(end - 1)], c) else { return nil }
                if inClass { matched = true }
                i = end
                pc = 0
            } else if c == pc {
                matched = true
            }
            previous = pc
            i += 1
        }
        return (matched != negated, i)
    }

    private static func characterClass(_ name: ArraySlice<UInt8>, _ c: UInt8) -> Bool? {
        let upper = c >= 0x41 && c <= 0x5A, lower = c >= 0x61 && c <= 0x7A, digit = c >= 0x30 && c <= 0x39
        let graph = c > 0x20 && c < 0x7F
        switch String(decoding: name, as: UTF8.self) {
        case "alnum": return upper || lower || digit
        case "alpha": return upper || lower
        case "blank": return c == 0x20 || c == 0x09
        case "cntrl": return c < 0x20 || c == 0x7F
        case "digit": return digit
        case "graph": return graph
        case "lower": return lower
        case "print": return graph || c == 0x20
        case "punct": return graph && !(upper || lower || digit)
        case "space": return c == 0x20 || (c >= 0x09 && c <= 0x0D)
        case "upper": return upper
        case "xdigit": return digit || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
        default: return nil
        }
    }
}
