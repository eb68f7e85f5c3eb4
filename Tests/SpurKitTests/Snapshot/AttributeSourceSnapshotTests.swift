import Foundation
import Testing
import SpurTestSupport

/// Issue #15: where `git add -A` reads each `.gitattributes` from, and when. git is the oracle.
@Suite struct AttributeSourceSnapshotTests {
    @Test func aStagedGitattributesReplacedByALinkAppliesTheIndexsRulesUntilGitAddReplacesIt() throws {
        // git does not follow the link; it reads the index's file instead (from its first lookup
        // on, for the whole run: the root's rules are read once).
        try SnapshotProbe.expectAgreement("""
            printf '*.txt text\\n' > .gitattributes && printf 'a\\r\\n' > f.txt && git add -A && git commit -q -m base
            mv .gitattributes rules && ln -s rules .gitattributes
            printf 'b\\r\\n' >> f.txt; printf 'n\\r\\n' > new.txt; printf 'e\\r\\n' > '#e.txt'
            """)
    }

    @Test func aStagedGitattributesDeletedFromTheWorkingTreeStillAppliesWhenAFileSortingBeforeItIsReadFirst() throws {
        try SnapshotProbe.expectAgreement("""
            printf 'a\\r\\n' > f.txt && printf 'e\\r\\n' > '#early.txt' && git add -A && git commit -q -m base
            printf '*.txt text\\n' > .gitattributes && git add .gitattributes && rm .gitattributes
            printf 'b\\r\\n' >> f.txt; printf 'x\\r\\n' >> '#early.txt'
            """)
    }

    @Test func aSkipWorktreeGitattributesMissingFromTheWorkingTreeStillApplies() throws {
        try SnapshotProbe.expectAgreement("""
            printf '*.txt text\\n' > .gitattributes && printf 'a\\r\\n' > f.txt && git add -A && git commit -q -m base
            git update-index --skip-worktree .gitattributes && rm .gitattributes
            printf 'b\\r\\n' >> f.txt; printf 'n\\r\\n' > new.txt
            """)
    }

    @Test func aMacroDefinedInASubfolderIsIgnoredAndInfoAttributesWin() throws {
        try SnapshotProbe.expectAgreement("""
            mkdir sub && printf '[attr]m text\\n*.txt m\\n' > sub/.gitattributes && printf '[attr]m -text\\n*.md -text\\n' > .gitattributes
            printf '*.md text\\n' > .git/info/attributes
            printf 'a\\r\\n' > sub/f.txt && printf 'm\\r\\n' > r.md && git add -A && git commit -q -m base
            printf 'b\\r\\n' >> sub/f.txt; printf 'n\\r\\n' >> r.md
            """)
    }

    @Test func autocrlfTextAutoIdentAndBinaryContentTogether() throws {
        try SnapshotProbe.expectAgreement("""
            git config core.autocrlf true
            printf 'a\\r\\n' > f.txt && printf 'bin\\000\\r\\n' > g.bin && printf '$Id: x $\\r\\n' > h.txt
            printf '* -text\\n*.txt text=auto eol=crlf ident\\n' > .gitattributes && git add -A && git commit -q -m base
            printf 'b\\r\\n' >> f.txt; printf '$Id: yy $ and $Id: z $\\r\\n' > i.txt; printf 'more\\000\\r\\n' >> g.bin
            """)
    }
}
