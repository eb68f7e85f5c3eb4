import Foundation
import Testing
import SpurGit
import SpurTestSupport

@Suite struct OverlapPrimitivesTests {
    @Test func treeDifferencesMatchLibgit2sDiff() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.shell("mkdir -p a/b c d && echo 1 > a/b/x && echo 2 > a/y && echo 3 > c/z && echo 4 > d/w && echo 5 > top && echo 6 > same")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "one")
        try repo.shell("echo changed > a/b/x && rm -r c && echo now-a-file > c && rm d/w && mkdir top.d && rm top && mkdir top && echo t > top/in && ln -s same link && chmod +x a/y")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "two")
        let repository = try Repository(path: repo.root)
        let one = try repository.treeID(ofCommit: repository.commitID(forRevision: "HEAD~1"))
        let two = try repository.treeID(ofCommit: repository.commitID(forRevision: "HEAD"))
        let mine = try repository.treeDifferences(from: one, to: two)
        let theirs = try repository.changes(from: one, to: two)
        #expect(Set(mine.map(\.path)) == Set(theirs.flatMap { [$0.oldPath, $0.newPath] }))
        #expect(mine.first { $0.path == "a/y" }?.new?.mode == .executable)
        #expect(mine.first { $0.path == "c/z" }?.new == nil)
        #expect(try repository.treeDifferences(from: two, to: two).isEmpty)
    }

    @Test func lineHunksNumberLinesLikeAUnifiedDiff() throws {
        let hunks = try LineDiff.hunks(from: Array("1\n2\n3\n4\n".utf8), to: Array("1\ntwo\n3\n4\nfive\n".utf8))
        #expect(hunks == [LineHunk(oldStart: 2, oldLines: 1, newStart: 2, newLines: 1),
                          LineHunk(oldStart: 4, oldLines: 0, newStart: 5, newLines: 1)])
    }
}
