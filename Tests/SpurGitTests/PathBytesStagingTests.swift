import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// git stores paths as bytes: the staging scan must keep NFC and NFD names apart, split paths
/// at "/" bytes only (a combining mark or U+200D right after "/" starts a name of its own), and
/// keep names that are not UTF-8 as their bytes. git's `add -A` tree is the oracle. Names are
/// made with `printf` octal escapes, so the shell sees the exact bytes.
@Suite struct PathBytesStagingTests {
    /// "xü" precomposed (NFC) and decomposed (NFD), as shell words.
    static let nfc = "\"$(printf 'x\\303\\274')\"", nfd = "\"$(printf 'xu\\314\\210')\""

    /// Runs `base` (committed) and then `setup`; the scan must give git's tree and leave the index alone.
    func expectGitsTree(base: String, _ setup: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.shell(base + "\ngit add -A && git commit -q --allow-empty -m base")
        try repo.shell(setup)
        let indexBefore = try? Data(contentsOf: URL(fileURLWithPath: repo.path(".git/index")))
        let tree = try PinnedLibgit2.run(for: repo) { try Repository(path: repo.root).stagedWorkdirTree() }
        #expect(tree != nil, "the scan declined", sourceLocation: sourceLocation)
        #expect(tree?.hex == (try repo.gitSnapshotTree()), "scan differs from git add -A", sourceLocation: sourceLocation)
        let indexAfter = try? Data(contentsOf: URL(fileURLWithPath: repo.path(".git/index")))
        #expect(indexAfter == indexBefore, "the index was written", sourceLocation: sourceLocation)
    }

    @Test func twoNewFilesWithNFCAndNFDNamesAreBothStaged() throws {
        try expectGitsTree(base: "true", "printf 'nfc\\n' > \(Self.nfc); printf 'nfd\\n' > \(Self.nfd)")
    }

    @Test func aTrackedNFCFileAndANewNFDSiblingAreBothStaged() throws {
        try expectGitsTree(base: "printf 'nfc\\n' > \(Self.nfc)", "printf 'nfd\\n' > \(Self.nfd)")
    }

    @Test func twoTrackedFoldersWithEquivalentNamesKeepTheirFilesWhileAnotherFileChanges() throws {
        try expectGitsTree(base: """
            mkdir \(Self.nfc) \(Self.nfd); printf 'in nfc\\n' > \(Self.nfc)/f; printf 'in nfd\\n' > \(Self.nfd)/g
            printf 'other\\n' > other
            """, "printf 'changed\\n' > other; printf 'new\\n' > \(Self.nfd)/new")
    }

    @Test func deletingAFileWhoseNameStartsWithACombiningMarkIsStaged() throws {
        try expectGitsTree(base: "mkdir d; printf 'x\\n' > d/\"$(printf '\\314\\201x')\"; printf 'y\\n' > d/y",
                           "rm d/\"$(printf '\\314\\201x')\"")
    }

    @Test func aNewFileBelowAFolderNamedWithAZeroWidthJoinerIsStaged() throws {
        try expectGitsTree(base: "mkdir d; printf 'y\\n' > d/y", """
            mkdir d/"$(printf '\\342\\200\\215z')"; printf 'n\\n' > d/"$(printf '\\342\\200\\215z')"/new.txt
            """)
    }

    @Test func anEditBelowATrackedFolderNamedWithACombiningMarkIsStaged() throws {
        try expectGitsTree(base: "mkdir -p d/\"$(printf '\\314\\201e')\"; printf 'a\\n' > d/\"$(printf '\\314\\201e')\"/f; printf 'y\\n' > d/y",
                           "printf 'edited\\n' > d/\"$(printf '\\314\\201e')\"/f")
    }

    @Test func deletingOneOfTwoTrackedNamesThatAreNotUTF8KeepsTheOther() throws {
        try expectGitsTree(base: "printf 'ff\\n' > \"$(printf '\\377')\"; printf 'fe\\n' > \"$(printf '\\376')\"",
                           "rm \"$(printf '\\377')\"")
    }

    @Test func editsInFoldersNamedWithBytesThatAreNotUTF8AreStaged() throws {
        try expectGitsTree(base: """
            mkdir "$(printf 'a\\377')" "$(printf 'a\\376')"; printf '1\\n' > "$(printf 'a\\377')"/f; printf '2\\n' > "$(printf 'a\\376')"/f
            """, """
            printf 'edit\\n' > "$(printf 'a\\377')"/f; mkdir "$(printf 'n\\300')"; printf 'new\\n' > "$(printf 'n\\300')"/"$(printf '\\351')"
            """)
    }

    @Test func gitPathComparesBytesAndDisplaysAsGitQuotesIt() {
        let nfc = GitPath("x\u{FC}"), nfd = GitPath("xu\u{308}")
        #expect(nfc != nfd)
        #expect(Set([nfc, nfd]).count == 2)
        #expect(GitPath("d/\u{301}x").parentAndName == (GitPath("d"), GitPath("\u{301}x")))
        #expect(GitPath("d/\u{301}x").components == [GitPath("d"), GitPath("\u{301}x")])
        #expect(GitPath(bytes: [0x61, 0xFF]).display == "\"a\\377\"")
        #expect(GitPath("plain/name.txt").display == "plain/name.txt")
        #expect(GitPath("t\tq\"b\\").display == "\"t\\tq\\\"b\\\\\"")
        #expect(GitPath("\u{FC}").display == "\"\\303\\274\"")
        #expect(GitPath("a/b") < GitPath("a0"))
    }
}
