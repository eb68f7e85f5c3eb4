import Foundation
import Testing
import SpurTestSupport

/// Issue #15, "Names are bytes": git stores a path as bytes; spur's snapshot and lane must too.
/// git is the oracle (`git add -A` into a copy of the index). A `knownIssue` marks a case that
/// still differs today: the test fails once it is fixed, and the fixer removes the argument.
@Suite struct SnapshotNameTests {
    static let nfc = "$'x\\303\\274'"        // "xü", U+00FC
    static let nfd = "$'xu\\314\\210'"       // "xü", u + U+0308

    @Test func twoNewFilesWithNFCAndNFDNamesAreBothRecorded() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'base\\n' > base.txt && git add -A && git commit -q -m base
            printf 'nfc\\n' > \(Self.nfc); printf 'nfd\\n' > \(Self.nfd)
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func aTrackedNFCFileAndANewNFDSiblingAreBothRecorded() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'nfc\\n' > \(Self.nfc) && git add -A && git commit -q -m base
            printf 'nfd\\n' > \(Self.nfd)
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func twoTrackedFoldersWithEquivalentNamesKeepTheirFilesWhileAnotherFileChanges() throws {
        let repository = try SnapshotProbe.repository("""
            mkdir \(Self.nfc) \(Self.nfd)
            printf 'in nfc\\n' > \(Self.nfc)/f; printf 'in nfd\\n' > \(Self.nfd)/f; printf 'other\\n' > other.txt
            git add -A && git commit -q -m base
            printf 'changed\\n' >> other.txt; printf 'changed\\n' >> \(Self.nfd)/f
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func deletingAFileWhoseNameStartsWithACombiningMarkIsRecorded() throws {
        let repository = try SnapshotProbe.repository("""
            mkdir d && printf 'x\\n' > d/$'\\314\\201x' && printf 'y\\n' > d/y && git add -A && git commit -q -m base
            rm d/$'\\314\\201x'
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func aNewFileBelowAFolderNamedWithAZeroWidthJoinerIsRecorded() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'base\\n' > base.txt && git add -A && git commit -q -m base
            mkdir -p d/$'\\342\\200\\215z' && printf 'new\\n' > d/$'\\342\\200\\215z'/new.txt
            mkdir -p d/$'\\314\\201y' && printf 'new\\n' > d/$'\\314\\201y'/new.txt
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func aLaneOfFilesNamedWithCombiningMarksIsWhatGitChecksOut() throws {
        let repository = try SnapshotProbe.repository("""
            mkdir -p d/$'\\314\\201x' && printf 'x\\n' > d/$'\\314\\201x'/f && printf 'z\\n' > d/$'\\342\\200\\215z'
            git add -A && git commit -q -m base
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectLaneMatchesGitWorktreeAdd(repository)
    }

    @Test func newNamesThatAreNotUTF8AreRecordedAsTheirBytes() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'base\\n' > base.txt && git add -A && git commit -q -m base
            printf 'ff\\n' > $'\\377'; mkdir $'a\\303' && printf 'c3\\n' > $'a\\303'/f
            """)
        defer { repository.remove() }
        // Agrees with git today: new names reach the tree as bytes.
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func deletingOneOfTwoTrackedNamesThatAreNotUTF8KeepsTheOther() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'ff\\n' > $'\\377'; printf 'fe\\n' > $'\\376' && git add -A && git commit -q -m base
            rm $'\\377'
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }

    @Test func aLaneOfNamesThatAreNotUTF8HasThoseBytesOnDisk() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'ff\\n' > $'\\377'; mkdir $'a\\303' && printf 'c3\\n' > $'a\\303'/f
            git add -A && git commit -q -m base
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectLaneMatchesGitWorktreeAdd(repository)
    }

    @Test func namesWithSpacesNewlinesAndTabsAreRecorded() throws {
        let repository = try SnapshotProbe.repository("""
            printf 'base\\n' > base.txt && git add -A && git commit -q -m base
            printf 's\\n' > 'with space'; printf 'n\\n' > $'new\\nline'; printf 't\\n' > $'tab\\there'; printf 'e\\n' > ' lead'
            """)
        defer { repository.remove() }
        try SnapshotProbe.expectAgreement(repository)
    }
}
