import Foundation

/// Bytes a task wrote, made safe to show on a terminal or hand to an agent: invalid UTF-8
/// becomes U+FFFD, terminal control sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL/ST`, and
/// other `ESC x` pairs) are removed, and so are the remaining C0/C1 control characters and DEL.
/// A tab becomes a space. Nothing of what is left can move the cursor, change colours or
/// rewrite the terminal's title.
public enum SafeText {
    /// One line: every line break and carriage return is removed too (a progress bar that
    /// redraws itself with `\r` shows its last state: the text after the last `\r`).
    public static func line<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var bytes = Array(bytes)
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        if let carriage = bytes.lastIndex(of: 0x0D) { bytes.removeSubrange(...carriage) }
        return clean(bytes, keepNewlines: false)
    }

    /// Several lines: line breaks are kept (`\r\n` becomes `\n`), everything else as `line`.
    public static func block<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        clean(Array(bytes), keepNewlines: true)
    }

    /// True when the bytes look like binary data rather than text: a NUL byte, or more than one
    /// in ten bytes outside text (invalid UTF-8, control characters other than tab, CR, LF, ESC).
    public static func looksBinary<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return false }
        if bytes.contains(0) { return true }
        let decoded = String(decoding: bytes, as: UTF8.self)
        let odd = decoded.unicodeScalars.reduce(0) { count, scalar in
            let control = (scalar.value < 0x20 && ![0x09, 0x0A, 0x0D, 0x1B].contains(scalar.value)) || scalar.value == 0xFFFD
            return count + (control ? 1 : 0)
        }
        return odd * 10 > decoded.unicodeScalars.count
    }

    /// `text` cut to at most `columns` terminal columns, ending in "…" when cut. East Asian
    /// wide characters and emoji count two columns, combining marks none.
    public static func cut(_ text: String, toColumns columns: Int) -> String {
        guard columns > 0 else { return "" }
        guard width(of: text) > columns else { return text }
        var result = "", used = 0
        for character in text {
            let wide = width(of: character)
            if used + wide > columns - 1 { break }
            result.append(character)
            used += wide
        }
        return result + "…"
    }

    /// `text` cut to at most `limit` bytes of UTF-8 at a character boundary; `cut` says whether
    /// anything was left out.
    public static func prefix(_ text: String, maxBytes limit: Int) -> (text: String, cut: Bool) {
        guard text.utf8.count > limit else { return (text, false) }
        var result = "", used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > limit { break }
            result.append(character)
            used += size
        }
        return (result, true)
    }

    /// Columns a string takes on a terminal (an estimate: wide East Asian ranges and emoji count two).
    public static func width(of text: String) -> Int { text.reduce(0) { $0 + width(of: $1) } }

    static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        let value = first.value
        let wideRanges: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                                  0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                                  0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
        if first.properties.generalCategory == .nonspacingMark { return 0 }
        return wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    private static func clean(_ bytes: [UInt8], keepNewlines: Bool) -> String {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar.value {
            case 0x1B:
                index = endOfEscape(scalars, from: index)
            case 0x9B:  // the one-byte CSI
                index = endOfCSI(scalars, from: index)
            case 0x09:
                result.append(" ")
            case 0x0A:
                if keepNewlines { result.append(scalar) }
            case 0x0D:
                // "\r\n" is a line break; a lone "\r" (a redrawn progress line) is dropped.
                continue
            case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// The position after the escape sequence whose ESC was just before `start`.
    private static func endOfEscape(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        guard start < scalars.count else { return start }
        switch scalars[start] {
        case "[":
            return endOfCSI(scalars, from: start + 1)
        case "]", "P", "X", "^", "_":
            // OSC, DCS, SOS, PM, APC: until BEL or ST (ESC \).
            var index = start + 1
            while index < scalars.count {
                if scalars[index] == "\u{07}" { return index + 1 }
                if scalars[index] == "\u{1B}" { return index + 1 < scalars.count && scalars[index + 1] == "\\" ? index + 2 : index + 1 }
                index += 1
            }
            return index
        case "(", ")", "*", "+", "#", "%":
            return min(start + 2, scalars.count)
        default:
            return start + 1
        }
    }

    /// The position after a CSI sequence's final byte (0x40–0x7E); parameters are 0x20–0x3F.
    private static func endOfCSI(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            let value = scalars[index].value
            index += 1
            if (0x40...0x7E).contains(value) { return index }
            if !(0x20...0x3F).contains(value) { return index - 1 }
        }
        return index
    }
}
