import Foundation
import Testing
import SpurTestSupport

/// Issue #15, content filters: spur's snapshot stores what git stores, or refuses in one line
/// naming the attribute and the path. git is the oracle.
@Suite struct FilterSnapshotTests {
    @Test func aCleanFilterDriverIsRunAsGitRunsIt() throws {
        try SnapshotProbe.expectAgreement("""
            git config filter.up.clean 'tr a-z A-Z'
            git config filter.rev.clean 'cat %f | rev'
            printf '*.up filter=up\\n*.rev filter=rev\\n' > .gitattributes && git add -A && git commit -q -m base
            printf 'large content\\n' > big.up; printf 'quoted\\n' > "it's here.up"; printf 'abc\\ndef\\n' > f.rev
            """)
    }

    @Test func aCleanFilterDriverAndAnEolConversionBothApply() throws {
        try SnapshotProbe.expectAgreement("""
            git config filter.up.clean 'tr a-z A-Z'
            printf '*.up filter=up text eol=lf\\n' > .gitattributes && git add -A && git commit -q -m base
            printf 'one\\r\\ntwo\\r\\n' > crlf.up
            """)
    }

    @Test func aRequiredCleanFilterThatFailsIsRefusedAsGitRefusesIt() throws {
        try SnapshotProbe.expectAgreement("""
            git config filter.bad.clean false && git config filter.bad.required true
            printf '*.bad filter=bad\\n' > .gitattributes && git add -A && git commit -q -m base
            printf 'content\\n' > f.bad
            """)
    }

    @Test func aFilterDriverWithOnlyTheProcessProtocolIsRefusedNamingIt() throws {
        try SnapshotProbe.expectRefusal("""
            git config filter.lfs.process 'git-lfs filter-process' && git config filter.lfs.required true
            printf '*.bin filter=lfs\\n' > .gitattributes && git add -A && git commit -q -m base
            printf 'large content\\n' > big.bin
            """, naming: ["big.bin", "filter=lfs", "filter.lfs.process"])
    }

    @Test func identCollapsesEveryIdAsGitDoes() throws {
        try SnapshotProbe.expectAgreement("""
            printf '*.c ident\\n' > .gitattributes && git add -A && git commit -q -m base
            printf '$Id: one $ and $Id: two $\\n$Id$ $Id: broken\\nline $ $Id: last $\\n' > f.c
            """)
    }

    @Test func workingTreeEncodingIsRefusedNamingTheAttribute() throws {
        try SnapshotProbe.expectRefusal("""
            printf '*.txt text working-tree-encoding=UTF-16LE eol=lf\\n' > .gitattributes && git add -A && git commit -q -m base
            printf 'h\\000i\\000\\n\\000' > f.txt
            """, naming: ["f.txt", "working-tree-encoding"])
    }
}
