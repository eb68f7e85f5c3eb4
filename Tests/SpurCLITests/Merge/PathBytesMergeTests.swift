import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// Names whose first character is a combining mark (or U+200D) right after "/" are names of
/// their own, as git stores them: spawning from such a tree works, and merging a lane that adds
/// one under a new folder makes that folder and writes the file there.
@Suite struct PathBytesMergeTests {
    static let markedName = "\u{301}only"

    @Test func spawnSucceedsWhenAFolderHoldsOnlyNamesStartingWithACombiningMark() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        // Not `write`: its folder is found by NSString, which splits by characters.
        try FileManager.default.createDirectory(atPath: repository.path("e"), withIntermediateDirectories: true)
        try "marked\n".write(toFile: repository.path("e/\(Self.markedName)"), atomically: false, encoding: .utf8)
        try repository.write("keep.txt", "keep\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        let worktree = try repository.spawnLane("lane")
        #expect(try String(contentsOfFile: worktree + "/e/\(Self.markedName)", encoding: .utf8) == "marked\n")
        #expect(try repository.git("status", "--porcelain", "--untracked-files=all", cwd: worktree) == "")
    }

    @Test func mergingALaneThatAddsANameStartingWithACombiningMarkUnderANewFolderWritesIt() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write("keep.txt", "keep\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try makeLane(repository, "task") { worktree in
            try FileManager.default.createDirectory(atPath: worktree + "/new", withIntermediateDirectories: true)
            try "from the lane\n".write(toFile: worktree + "/new/\(Self.markedName)", atomically: false, encoding: .utf8)
        }
        let result = try repository.spur("merge", "task")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: repository.path("new/\(Self.markedName)"), encoding: .utf8) == "from the lane\n")
        #expect(!FileManager.default.fileExists(atPath: repository.path("new\u{301}only")))
    }
}
