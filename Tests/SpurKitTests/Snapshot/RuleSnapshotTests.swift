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

    /// git reads a skip-worktree `.gitignore` missing from the working tree from the index; so does spur.
    @Test func aSkipWorktreeGitignoreMissingFromTheWorkingTreeStillApplies() throws {
        try SnapshotProbe.expectAgreement("""
            printf '*.log\\n!keep.log\\n' > .gitignore && mkdir sub && printf 'tmp/\\n' > sub/.gitignore && git add -A && git commit -q -m base
            git update-index --skip-worktree .gitignore sub/.gitignore && rm .gitignore sub/.gitignore
            printf 'i\\n' > debug.log; printf 'k\\n' > keep.log; mkdir -p sub/tmp && printf 't\\n' > sub/tmp/t.txt; printf 'n\\n' > sub/n.txt
            """)
    }

    // The ignore classes of issue #15 through libgit2's index (the fallback): an intent-to-add
    // entry makes the fast path decline, so these prove the fallback asks spur's matcher too.

    @Test func aGitignoreThatIsASymlinkIsNotFollowedWhenStagingThroughTheIndex() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'base\\n' > base.txt && git add -A && git commit -q -m base && printf 'i\\n' > ita.txt && git add -N ita.txt
            printf '*.log\\n' > rules && mkdir sub && ln -s ../rules sub/.gitignore && printf 'l\\n' > sub/a.log
            """)
    }

    /// libgit2 follows a linked root `.gitignore` and then does not offer the new files of a
    /// tracked folder its rules ignore, even with FORCE; git does not follow the link and adds them.
    @Test func aNewFileInATrackedFolderThatALinkedGitignoreWouldIgnoreIsRecordedWhenStagingThroughTheIndex() throws {
        try SnapshotProbe.expectAgreement("""
            mkdir sub && printf '!keep.log\\n' > sub/.gitignore && printf 'b\\n' > b && git add -A && git commit -q -m base
            git update-index --assume-unchanged sub/.gitignore && printf 'edited\\n' >> sub/.gitignore
            printf 'sub/\\n' > rules && ln -s rules .gitignore && printf 'n\\n' > sub/new && mkdir sub/deeper && printf 'd\\n' > sub/deeper/d
            """)
    }

    @Test func aNegationInOneIgnoreFileUndoesARuleOfAnotherWhenStagingThroughTheIndex() throws {
        try SnapshotProbe.expectAgreement("""
            printf '*.log\\n' > .gitignore && mkdir sub && printf '!keep.log\\n' > sub/.gitignore
            git add -A && git commit -q -m base && printf 'i\\n' > ita.txt && git add -N ita.txt
            printf 'k\\n' > sub/keep.log; printf 'd\\n' > sub/drop.log
            printf '!top.log\\n' >> .git/info/exclude; printf 't\\n' > top.log
            """)
    }

    @Test func aSymlinkToAFolderUnderAFolderOnlyRuleIsRecordedWhenStagingThroughTheIndex() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'build/\\n' > .gitignore && mkdir real && printf 'r\\n' > real/r.txt && git add -A && git commit -q -m base
            printf 'i\\n' > ita.txt && git add -N ita.txt; ln -s real build; mkdir out && ln -s ../real out/build
            """)
    }

    @Test func aNameThatIsNotUTF8UnderAFolderOnlyRuleIsIgnoredAsGitDoes() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'build/\\n' > .gitignore && mkdir build && printf 't\\n' > build/$'t\\377' && git add -A && git add -f build && git commit -q -m base
            printf 'n\\n' > build/$'a\\377'; printf 'e\\n' >> build/$'t\\377'; mkdir $'d\\376' && printf 'k\\n' > $'d\\376/k'
            """)
    }

    @Test func aNameThatIsNotUTF8UnderAFolderOnlyRuleIsIgnoredAsGitDoesWhenStagingThroughTheIndex() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'build/\\n' > .gitignore && mkdir build && printf 't\\n' > build/$'t\\377' && git add -A && git add -f build && git commit -q -m base
            printf 'i\\n' > ita.txt && git add -N ita.txt
            printf 'n\\n' > build/$'a\\377'; printf 'e\\n' >> build/$'t\\377'; mkdir $'d\\376' && printf 'k\\n' > $'d\\376/k'
            """)
    }
}
