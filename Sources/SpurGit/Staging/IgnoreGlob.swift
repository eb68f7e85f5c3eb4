/// git's glob matching on bytes (the semantics of git's `wildmatch`, written for spur): `?`,
/// `*`, `**`, `[...]` with ranges, `[!...]`/`[^...]` and `[:class:]` (ASCII classes), and
/// backslash escapes. With `pathname`, `*`, `?` and classes never match "/", and `**` between
/// slashes (or at either end) matches any number of folders. Both arrays end with a NUL byte
/// (as C strings); the pattern starts at `patternStart`, which counts as its beginning for
/// `**/` (git matches what is left after a literal prefix that way).
enum IgnoreGlob {
    static func matches(_ pattern: [UInt8], from patternStart: Int = 0, text: [UInt8], at textStart: Int = 0,
                        pathname: Bool, ignoreCase: Bool = false) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in
                Matcher(pattern: p, origin: patternStart, text: t, pathname: pathname, ignoreCase: ignoreCase)
                    .run(patternStart, textStart) == .match
            }
        }
    }

    /// Why a match failed. The two aborts let an outer `*` stop trying further text positions
    /// early, which keeps patterns with many stars linear (git's rule, kept for its answers).
    enum Outcome { case match, noMatch, abortAll, abortToDoubleStar }

    private struct Matcher {
        let pattern: UnsafeBufferPointer<UInt8>
        let origin: Int
        let text: UnsafeBufferPointer<UInt8>
        let pathname: Bool
        let ignoreCase: Bool

        static let slash: UInt8 = 0x2F, star: UInt8 = 0x2A, backslash: UInt8 = 0x5C
        static let question: UInt8 = 0x3F, open: UInt8 = 0x5B, close: UInt8 = 0x5D

        func p(_ i: Int) -> UInt8 { i < pattern.count ? pattern[i] : 0 }
        func t(_ i: Int) -> UInt8 { i < text.count ? text[i] : 0 }
        func folded(_ c: UInt8) -> UInt8 { ignoreCase && IgnoreGlobClass.isUpper(c) ? c + 32 : c }

        func textHasSlash(from i: Int) -> Int? {
            var k = i
            while t(k) != 0 { if t(k) == Self.slash { return k }; k += 1 }
            return nil
        }

        func run(_ patternIndex: Int, _ textIndex: Int) -> Outcome {
            var pi = patternIndex, ti = textIndex
            while p(pi) != 0 {
                var pc = folded(p(pi))
                var tc = t(ti)
                if tc == 0 && pc != Self.star { return .abortAll }
                tc = folded(tc)
                switch pc {
                case Self.backslash:
                    pi += 1
                    pc = p(pi)  // a trailing backslash is NUL here and matches nothing
                    if tc != pc { return .noMatch }
                case Self.question:
                    if pathname && tc == Self.slash { return .noMatch }
                case Self.star:
                    var matchSlash: Bool
                    pi += 1
                    if p(pi) == Self.star {
                        let before = pi - 2
                        while p(pi) == Self.star { pi += 1 }
                        if !pathname {
                            matchSlash = true
                        } else if (before < origin || p(before) == Self.slash)
                                    && (p(pi) == 0 || p(pi) == Self.slash || (p(pi) == Self.backslash && p(pi + 1) == Self.slash)) {
                            // "**/": first try matching no folder at all.
                            if p(pi) == Self.slash && run(pi + 1, ti) == .match { return .match }
                            matchSlash = true
                        } else {
                            matchSlash = false
                        }
                    } else {
                        matchSlash = !pathname
                    }
                    if p(pi) == 0 {
                        if !matchSlash && textHasSlash(from: ti) != nil { return .noMatch }
                        return .match
                    }
                    if !matchSlash && p(pi) == Self.slash {
                        // One star then a slash: the rest of this folder name, up to its slash.
                        guard let slash = textHasSlash(from: ti) else { return .noMatch }
                        ti = slash  // the slash itself is matched below
                        break
                    }
                    while true {
                        if tc == 0 { break }
                        if !IgnoreGlobClass.isGlobSpecial(p(pi)) {
                            // Skip ahead to the literal that follows the star.
                            let want = folded(p(pi))
                            while true {
                                tc = t(ti)
                                if tc == 0 || (!matchSlash && tc == Self.slash) { break }
                                tc = folded(tc)
                                if tc == want { break }
                                ti += 1
                            }
                            if tc != want { return .noMatch }
                        }
                        let outcome = run(pi, ti)
                        if outcome != .noMatch {
                            if !matchSlash || outcome != .abortToDoubleStar { return outcome }
                        } else if !matchSlash && tc == Self.slash {
                            return .abortToDoubleStar
                        }
                        ti += 1
                        tc = t(ti)
                    }
                    return .abortAll
                case Self.open:
                    guard let next = matchClass(pi, tc) else { return .abortAll }
                    if !next.matched || (pathname && tc == Self.slash) { return .noMatch }
                    pi = next.end
                default:
                    if tc != pc { return .noMatch }
                }
                pi += 1
                ti += 1
            }
            return t(ti) == 0 ? .match : .noMatch
        }

        /// The class opening at `start` ("["): whether `tc` is in it, and the index of its "]";
        /// nil when the class is malformed (git then gives up on the whole match).
        func matchClass(_ start: Int, _ tc: UInt8) -> (matched: Bool, end: Int)? {
            var pi = start + 1
            var pc = p(pi)
            if pc == 0x5E { pc = 0x21 }  // "^" negates as "!" does
            let negated = pc == 0x21
            if negated { pi += 1; pc = p(pi) }
            var previous: UInt8 = 0
            var matched = false
            repeat {
                if pc == 0 { return nil }
                if pc == Self.backslash {
                    pi += 1
                    pc = p(pi)
                    if pc == 0 { return nil }
                    if tc == pc { matched = true }
                } else if pc == 0x2D && previous != 0 && p(pi + 1) != 0 && p(pi + 1) != Self.close {
                    pi += 1
                    pc = p(pi)
                    if pc == Self.backslash {
                        pi += 1
                        pc = p(pi)
                        if pc == 0 { return nil }
                    }
                    if tc <= pc && tc >= previous {
                        matched = true
                    } else if ignoreCase && IgnoreGlobClass.isLower(tc) {
                        let upper = tc - 32
                        if upper <= pc && upper >= previous { matched = true }
                    }
                    pc = 0  // a range is never the start of another
                } else if pc == Self.open && p(pi + 1) == 0x3A {
                    let nameStart = pi + 2
                    var k = nameStart
                    while p(k) != 0 && p(k) != Self.close { k += 1 }
                    if p(k) == 0 { return nil }
                    let length = k - nameStart - 1
                    if length < 0 || p(k - 1) != 0x3A {
                        // No ":]": a plain "[" member.
                        pi = nameStart - 2
                        pc = Self.open
                        if tc == pc { matched = true }
                        previous = pc
                        pi += 1
                        pc = p(pi)
                        continue
                    }
                    pi = k
                    let name = Array(pattern[nameStart..<(nameStart + length)])
                    guard let member = IgnoreGlobClass.named(name, tc, ignoreCase: ignoreCase) else { return nil }
                    if member { matched = true }
                    pc = 0
                } else if tc == pc {
                    matched = true
                }
                previous = pc
                pi += 1
                pc = p(pi)
            } while pc != Self.close
            return (matched != negated, pi)
        }
    }
}

/// The ASCII character classes git's glob matching knows (bytes from 0x80 are in none).
enum IgnoreGlobClass {
    static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isAlpha(_ c: UInt8) -> Bool { isUpper(c) || isLower(c) }
    static func isGlobSpecial(_ c: UInt8) -> Bool { c == 0x2A || c == 0x3F || c == 0x5B || c == 0x5C }

    /// Whether `c` is in the class called `name` ("alpha", ...); nil for an unknown name.
    static func named(_ name: [UInt8], _ c: UInt8, ignoreCase: Bool) -> Bool? {
        switch String(decoding: name, as: UTF8.self) {
        case "alnum": return isAlpha(c) || isDigit(c)
        case "alpha": return isAlpha(c)
        case "blank": return c == 0x20 || c == 0x09
        case "cntrl": return c < 0x20 || c == 0x7F
        case "digit": return isDigit(c)
        case "graph": return c > 0x20 && c < 0x7F
        case "lower": return isLower(c)
        case "print": return c >= 0x20 && c < 0x7F
        case "punct": return c > 0x20 && c < 0x7F && !isAlpha(c) && !isDigit(c)
        case "space": return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
        case "upper": return isUpper(c) || (ignoreCase && isLower(c))
        case "xdigit": return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
        default: return nil
        }
    }
}
