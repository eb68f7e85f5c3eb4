import Foundation
import Testing
import SpurTestSupport

/// Issue #15, "Ignore rules and attributes": spur's snapshot is git's tree, or both refuse.
/// git is the oracle.
@Suite struct RuleSnapshotTests {
    @Test func aGitattributesInsideAnIgnoredFolderAppliesToTheTrackedFilesThere() throws {
        try SnapshotProbe.expectAgreement("""
            mkdir gen && printf 'x\\r\\n' > gen/f.txt && git add -A && git commit -q -m base
            printf 'gen/\\n' > .gitignore && printf '*.txt text\\n' > gen/.gitattributes && printf 'y\\r\\n' >> gen/f.txt
            """)
    }

    @Test func textAutoWithAStagedBlobHoldingALoneCRIsNormalisedAsGitDoes() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'lone\\rcr\\n' > f.txt && git add -A && git commit -q -m base
            printf '* text=auto\\n' > .gitattributes
            printf 'lone cr\\r\\nnow crlf\\r\\n' > f.txt
            """)
    }

    @Test func coreAutocrlfWithAStagedBlobHoldingALoneCRIsNormalisedAsGitDoes() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'lone\\rcr\\n' > f.txt && git add -A && git commit -q -m base
            git config core.autocrlf true
            printf 'lone cr\\r\\nnow crlf\\r\\n' > f.txt; printf 'still\\rlone\\r\\n' > g.txt
            """)
    }

    @Test func textAutoWithAStagedBlobHoldingCRLFKeepsIt() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'a\\r\\nb\\r\\n' > f.txt && git add -A && git commit -q -m base
            printf '* text=auto\\n' > .gitattributes
            printf 'a\\r\\nb\\r\\nc\\r\\n' > f.txt
            """)
    }

    @Test func aGitmodulesThatIsASymlinkIsRefusedAsGitRefusesIt() throws {
        try SnapshotProbe.expectAgreement("""
            git commit -q --allow-empty -m base
            printf '[submodule "x"]\\n\\tpath = x\\n\\turl = ./x\\n' > modules && ln -s modules .gitmodules
            """)
    }

    @Test func aMacroAttributeDefinedAfterTheLineUsingItIsAppliedAsGitDoes() throws {
        try SnapshotProbe.expectAgreement("""
            printf '*.txt mytext\\n[attr]mytext text\\n' > .gitattributes; printf 'a\\r\\n' > f.txt
            git add .gitattributes && git commit -q -m base; printf 'b\\r\\n' >> f.txt
            """)
    }

    @Test func anIgnoreRuleMatchingAFileInsideANestedRepositoryKeepsTheGitlink() throws {
        try SnapshotProbe.expectAgreement("""
            printf '*.txt\\n' > .gitignore && git add -A && git commit -q -m base
            git init -q nested && printf 'n\\n' > nested/n.txt && git -C nested add -f n.txt && git -C nested commit -q -m n
            mkdir -p deep/er && git init -q deep/er/inner && git -C deep/er/inner commit -q --allow-empty -m i && printf 'x\\n' > deep/x.md
            """)
    }

    /// Declined on purpose: libgit2 cannot read ignore rules from the index.
    @Test func aSkipWorktreeGitignoreMissingFromTheWorkingTreeIsRefusedNamingIt() throws {
        try SnapshotProbe.expectRefusal("""
            printf '*.log\\n' > .gitignore && git add -A && git commit -q -m base
            git update-index --skip-worktree .gitignore && rm .gitignore; printf 'i\\n' > debug.log
            """, naming: [".gitignore", "skip-worktree"])
    }
}
