import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// `GitPath` as text: `display` is git's `core.quotePath` form (git's own listing is the
/// oracle), and `exact` (the JSON form of records and `--json`) gives back the same bytes for
/// every name, keeps NFC and NFD spellings apart, and reads the plain strings older records hold.
@Suite struct PathBytesEncodingTests {
    @Test func displayQuotesNamesExactlyAsGitLsFilesDoes() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        // Bytes 0x01-0xFF except "/" (and NUL, which no name holds), one name per byte, plus
        // NFC, NFD and a name with a quote and a backslash.
        var names: [[UInt8]] = (1...255).filter { $0 != 0x2F }.map { [0x61, UInt8($0), 0x62] }
        names += [Array("\u{FC}".utf8), Array("u\u{308}".utf8), Array("a\"b\\c".utf8)]
        for name in names {
            let file = Array(repo.root.utf8) + [0x2F] + name + [0]
            let descriptor = file.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) }
            }
            #expect(descriptor >= 0)
            close(descriptor)
        }
        try repo.git("add", "-A")
        let listed = try repo.git("ls-files").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let mine = names.map { GitPath(bytes: $0).display }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(listed.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } == mine)
    }

    @Test func exactGivesBackTheSameBytesForRandomNames() throws {
        var rng = SeededGenerator(seed: 15)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...12, using: &rng)
            // Mostly the bytes that need care: quotes, backslashes, controls, UTF-8 lead and
            // continuation bytes, digits that could follow an octal escape.
            let alphabet: [UInt8] = [0x22, 0x5C, 0x0A, 0x07, 0x7F, 0xC3, 0xBC, 0xCC, 0x88, 0xE9, 0xFF, 0x61, 0x2F, 0x30, 0x33, 0x37]
            var bytes: [UInt8] = []
            for _ in 0..<length { bytes.append(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]) }
            let path = GitPath(bytes: bytes)
            #expect(GitPath(exact: path.exact) == path, "\(bytes) as \(path.exact)")
            let data = try JSONEncoder().encode([path])
            #expect(try JSONDecoder().decode([GitPath].self, from: data) == [path], "\(bytes)")
        }
    }

    @Test func exactIsThePlainTextForUTF8AndKeepsNFCAndNFDApart() throws {
        let nfc = GitPath("\u{FC}.txt"), nfd = GitPath("u\u{308}.txt")
        #expect(nfc != nfd)
        #expect(Array(nfc.exact.utf8) == nfc.bytes && Array(nfd.exact.utf8) == nfd.bytes)
        let decoded = try JSONDecoder().decode([GitPath].self, from: JSONEncoder().encode([nfc, nfd]))
        #expect(decoded == [nfc, nfd])
        #expect(GitPath(bytes: Array("caf".utf8) + [0xE9]).exact == "\"caf\\351\"")
        #expect(GitPath("\"quoted\"").exact == "\"\\\"quoted\\\"\"")
        // Records written when paths were strings: read as the text they hold.
        #expect(try JSONDecoder().decode([GitPath].self, from: Data(#"["src/a.swift", "a\"b", "\"open"]"#.utf8))
                == [GitPath("src/a.swift"), GitPath("a\"b"), GitPath("\"open")])
    }
}
