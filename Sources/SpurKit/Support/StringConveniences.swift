extension String {
    /// nil for the empty string, so `a.nilIfEmpty ?? b` reads as "a, or else b".
    var nilIfEmpty: String? { isEmpty ? nil : self }

    /// The text on one line, control characters escaped as C and git do: `\n`, `\t`, … for the
    /// common ones, `\ooo` (octal, per UTF-8 byte) for the rest (C0, DEL, C1 and the Unicode
    /// line and paragraph separators). Everything else is kept as it is.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            guard Self.needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\u{07}": result += "\\a"
            case "\u{08}": result += "\\b"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\u{0B}": result += "\\v"
            case "\u{0C}": result += "\\f"
            case "\r": result += "\\r"
            default:
                for byte in String(scalar).utf8 {
                    let octal = String(byte, radix: 8)
                    result += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
                }
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
