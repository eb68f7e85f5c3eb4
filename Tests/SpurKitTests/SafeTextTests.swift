import Foundation
import Testing
import SpurKit

/// What a task writes is shown on a terminal and handed to an agent: nothing of it may steer
/// the terminal, and every bound holds.
@Suite struct SafeTextTests {
    @Test func controlSequencesOfEveryKindAreRemovedAndTheTextAroundThemKept() {
        let cases: [(String, [UInt8], String)] = [
            ("CSI colour", Array("a\u{1B}[1;31mb\u{1B}[0mc".utf8), "abc"),
            ("OSC title ended by BEL", Array("a\u{1B}]0;evil title\u{07}b".utf8), "ab"),
            ("OSC hyperlink ended by ST", Array("a\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\b".utf8), "alinkb"),
            ("one-byte CSI (C1, as UTF-8)", Array("a\u{9B}2Jb".utf8), "ab"),
            ("charset selection", Array("a\u{1B}(0b".utf8), "ab"),
            ("cursor save", Array("a\u{1B}7b".utf8), "ab"),
            ("bell, backspace, DEL, other C0", [0x61, 0x07, 0x08, 0x7F, 0x01, 0x62], "ab"),
            ("bidi override", Array("a\u{202E}b\u{2066}c".utf8), "abc"),
            ("tab", Array("a\tb".utf8), "a b"),
            ("invalid UTF-8", [0x61, 0xFF, 0xC3, 0x62], "a\u{FFFD}\u{FFFD}b"),
            ("progress redrawn with CR", Array("10%\r20%\r30%\r\n".utf8), "30%"),
            ("escape cut off at the end", Array("ab\u{1B}[12".utf8), "ab"),
        ]
        for (label, bytes, expected) in cases {
            #expect(SafeText.line(bytes) == expected, "\(label)")
        }
        #expect(SafeText.block(Array("one\r\ntwo\n\u{1B}[2Jthree".utf8)) == "one\ntwo\nthree")
    }

    @Test func cuttingRespectsColumnsAndBytesAtCharacterBoundaries() {
        #expect(SafeText.cut("short", toColumns: 10) == "short")
        #expect(SafeText.cut("abcdefghij", toColumns: 5) == "abcd…")
        // Wide characters take two columns.
        #expect(SafeText.cut("日本語テキスト", toColumns: 7) == "日本語…")
        #expect(SafeText.width(of: SafeText.cut("日本語テキスト", toColumns: 7)) <= 7)
        // A combining mark stays with its letter.
        #expect(SafeText.cut("e\u{301}e\u{301}e\u{301}", toColumns: 3) == "e\u{301}e\u{301}e\u{301}")
        let (kept, cut) = SafeText.prefix("aé日", maxBytes: 4)
        #expect(kept == "aé" && cut)
        #expect(SafeText.prefix("aé", maxBytes: 3) == ("aé", false))
    }

    @Test func binaryIsToldFromTextWithColoursAndAccents() {
        #expect(SafeText.looksBinary([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00]))
        #expect(!SafeText.looksBinary(Array("naïve \u{1B}[32mgreen\u{1B}[0m résumé\r\n\ttab".utf8)))
        #expect(SafeText.looksBinary((0..<200).map { UInt8(($0 * 37 + 128) % 256) | 0x80 }))
    }

    @Test func theLastLineOfABigFileIsReadFromItsEndOnly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spur-tail-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 8 MB of lines, then a last line, then blank lines.
        var data = Data(repeating: 0x78, count: 8 << 20)
        for index in stride(from: 99, to: data.count, by: 100) { data[index] = 0x0A }
        data.append(contentsOf: Array("\nthe last one\n\n  \n".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        #expect(OutputTail.lastLine(of: path) == "the last one")
        let (bytes, truncated) = try #require(OutputTail.lastBytes(of: path))
        #expect(bytes.count == OutputTail.window && truncated)
        let lines = try #require(OutputTail.lastLines(of: path, count: 3))
        #expect(lines.text == String(repeating: "x", count: 99) + "\n" + String(repeating: "x", count: 8) + "\nthe last one")
        #expect(!lines.cut)
        // One line longer than the window: its last part, marked.
        try Data(repeating: 0x79, count: 1 << 20).write(to: URL(fileURLWithPath: path))
        let long = try #require(OutputTail.lastLine(of: path))
        #expect(long.hasPrefix("…y") && long.count == OutputTail.window + 1)
        #expect(OutputTail.lastLines(of: path, count: 20)?.cut == true)
    }
}
