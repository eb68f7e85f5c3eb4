/// What `git add` does to a file's bytes before storing them, given its attributes, as git 2.39's
/// convert.c does it: the `text`/`crlf`/`eol` decision with `core.autocrlf`, CRLF to LF (for
/// `text=auto` only when git's heuristics call the file text and the index's blob holds no CRLF),
/// and `ident` collapsing every `$Id: … $` to `$Id$`. The clean filter driver (`filter`) and
/// `working-tree-encoding` are named, not applied: the caller runs or refuses them first.
public struct CheckinConversion: Sendable {
    enum LineEndings { case binary, text, auto, undefined }

    let lineEndings: LineEndings
    /// `ident` is set.
    public let ident: Bool
    /// The clean filter driver's name (`filter=NAME`), if any.
    public let driver: String?
    /// `working-tree-encoding=NAME`, if any.
    public let encoding: String?

    /// The conversion for a path with `attributes`, under `core.autocrlf` (`true`, `input`,
    /// anything else: false).
    public init(attributes: [String: AttributeValue], autocrlf: String?) {
        func decide(_ value: AttributeValue?) -> LineEndings {
            switch value {
            case .set: .text
            case .unset: .binary
            case .value(let bytes) where bytes == Array("input".utf8): .text
            case .value(let bytes) where bytes == Array("auto".utf8): .auto
            default: .undefined
            }
        }
        var action = decide(attributes["text"])
        if action == .undefined { action = decide(attributes["crlf"]) }
        if action != .binary, let eol = attributes["eol"]?.text, eol == "lf" || eol == "crlf", action != .auto {
            action = .text
        }
        if action == .undefined {
            switch autocrlf?.lowercased() {
            case "true", "yes", "on", "1", "input": action = .auto
            default: action = .binary
            }
        }
        lineEndings = action
        ident = attributes["ident"] == .set
        if case .value(let name)? = attributes["filter"] { driver = String(decoding: name, as: UTF8.self) } else { driver = nil }
        if case .value(let name)? = attributes["working-tree-encoding"] { encoding = String(decoding: name, as: UTF8.self) } else { encoding = nil }
    }

    /// True when the bytes may change (else the file's blob is the hash of its bytes).
    public var mayChange: Bool { lineEndings != .binary || ident || driver != nil || encoding != nil }

    /// `bytes` (after any driver) as git stores them. `indexBytes` gives the blob the index holds
    /// for the path now, read only for `text=auto`.
    public func apply(to bytes: [UInt8], indexBytes: () throws -> [UInt8]?) rethrows -> [UInt8] {
        var result = bytes
        if !result.isEmpty && lineEndings != .binary {
            let stats = TextStats(result)
            var convert = stats.crlf > 0
            if lineEndings == .auto {
                if stats.isBinary { convert = false }
                else if convert, let staged = try indexBytes(), !staged.isEmpty {
                    let stagedStats = TextStats(staged)
                    if !stagedStats.isBinary && stagedStats.crlf > 0 { convert = false }
                }
            }
            if convert {
                var out: [UInt8] = []
                out.reserveCapacity(result.count)
                for (i, byte) in result.enumerated() {
                    if byte == 0x0D {
                        // Guessed text has no lone CR: every CR goes. Declared text keeps a lone CR.
                        if lineEndings == .auto || (i + 1 < result.count && result[i + 1] == 0x0A) { continue }
                    }
                    out.append(byte)
                }
                result = out
            }
        }
        if ident { result = Self.collapsingIdent(result) }
        return result
    }

    /// git's ident_to_git: every `$Id: …$` not broken by a newline becomes `$Id$`.
    public static func collapsingIdent(_ bytes: [UInt8]) -> [UInt8] {
        let dollar: UInt8 = 0x24, newline: UInt8 = 0x0A
        let id: [UInt8] = Array("Id:".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var i = 0
        while let found = bytes[i...].firstIndex(of: dollar) {
            result.append(contentsOf: bytes[i...found])
            i = found + 1
            guard bytes.count - i > 3, bytes[i..<(i + 3)].elementsEqual(id) else { continue }
            guard let close = bytes[(i + 3)...].firstIndex(of: dollar) else { break }
            if bytes[(i + 3)..<close].contains(newline) { continue }
            result.append(contentsOf: Array("Id$".utf8))
            i = close + 1
        }
        result.append(contentsOf: bytes[i...])
        return result
    }
}

/// git's text statistics (convert.c gather_stats) and its binary verdict.
struct TextStats {
    var crlf = 0, loneCR = 0, nul = 0, printable = 0, nonPrintable = 0

    init(_ bytes: [UInt8]) {
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0D {
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { crlf += 1; i += 2 } else { loneCR += 1; i += 1 }
                continue
            }
            i += 1
            if byte == 0x0A { continue }
            if byte == 0x7F {
                nonPrintable += 1
            } else if byte < 0x20 {
                switch byte {
                case 0x08, 0x09, 0x1B, 0x0C: printable += 1
                case 0: nul += 1; nonPrintable += 1
                default: nonPrintable += 1
                }
            } else {
                printable += 1
            }
        }
        // A trailing ^Z (DOS end of file) does not count.
        if bytes.last == 0x1A { nonPrintable -= 1 }
    }

    var isBinary: Bool { loneCR > 0 || nul > 0 || (printable >> 7) < nonPrintable }
}
