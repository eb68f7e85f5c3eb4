import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// A lane's files are what `git worktree add` gives, names as bytes: a name starting with a
/// combining mark after "/", NFC and NFD siblings, and names that are not UTF-8 land on disk
/// with exactly the bytes of the tree. Checked with git: the new worktree's `git add -A` tree is
/// the tree that was checked out, and git sees it clean.
@Suite struct PathBytesCheckoutTests {
    func expectCheckoutOfGitsTree(_ setup: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.shell(setup + "\ngit add -A && git commit -qm files && git branch lane-branch")
        let worktree = repo.scratch + "/lane"
        try Repository(path: repo.root).addWorktree(name: "lane", path: worktree, branch: "refs/heads/lane-branch", applyFilters: false)
        let head = try repo.git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try repo.gitSnapshotTree(of: worktree) == head, "the lane's files are not the tree", sourceLocation: sourceLocation)
        #expect(try repo.git("status", "--porcelain", "--untracked-files=all", cwd: worktree) == "", sourceLocation: sourceLocation)
    }

    @Test func aLaneOfFilesNamedWithCombiningMarksIsWhatGitChecksOut() throws {
        try expectCheckoutOfGitsTree("""
            mkdir -p d/"$(printf '\\314\\201e')"; printf 'x\\n' > d/"$(printf '\\314\\201x')"; printf 'f\\n' > d/"$(printf '\\314\\201e')"/f
            mkdir "$(printf '\\342\\200\\215z')"; printf 'z\\n' > "$(printf '\\342\\200\\215z')"/g; printf 'y\\n' > d/y
            mkdir -p e/"$(printf '\\314\\201only')"; printf 'o\\n' > e/"$(printf '\\314\\201only')"/o
            """)
    }

    @Test func aLaneOfNamesThatAreNotUTF8HasThoseBytesOnDisk() throws {
        try expectCheckoutOfGitsTree("""
            printf 'ff\\n' > "$(printf '\\377')"; printf 'fe\\n' > "$(printf '\\376')"
            mkdir "$(printf 'd\\300')"; printf 'in\\n' > "$(printf 'd\\300')"/"$(printf '\\351')"
            """)
    }

    @Test func aLaneOfNFCAndNFDSiblingsHasBothFiles() throws {
        try expectCheckoutOfGitsTree("""
            printf 'nfc\\n' > "$(printf 'x\\303\\274')"; printf 'nfd\\n' > "$(printf 'xu\\314\\210')"
            mkdir "$(printf 'f\\303\\274')" "$(printf 'fu\\314\\210')"; printf 1 > "$(printf 'f\\303\\274')"/a; printf 2 > "$(printf 'fu\\314\\210')"/a
            """)
    }
}
