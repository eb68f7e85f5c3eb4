import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// A merge writes exactly what it reports (issue 14, section 5): binary files whole when checkout
/// filters may apply, submodules compared by commit and never written as files, and undo able to
/// put back whatever a merge removed.
@Suite struct MergeWritesTests {
    /// A PNG-like binary with NUL, CR LF and lone LF bytes.
    static func image(_ seed: UInt8) -> Data {
        Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + (0..<17_207).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    @Test(arguments: ["gitattributes", "autocrlf"])
    func aBinaryFileTheLaneReplacedIsWrittenWholeWhenFiltersMayApply(_ setup: String) throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        if setup == "autocrlf" { try repository.git("config", "core.autocrlf", "true") } else {
            try repository.write(".gitattributes", "*.txt text\n")
        }
        try Self.image(1).write(to: URL(fileURLWithPath: repository.path("logo.png")))
        try repository.write("notes.txt", "notes\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try LaneResults.make(repository, "task") { worktree in
            try Self.image(2).write(to: URL(fileURLWithPath: worktree + "/logo.png"))
        }
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(report.writtenPaths == ["logo.png"])
        let written = try Data(contentsOf: URL(fileURLWithPath: repository.path("logo.png")))
        #expect(written == Self.image(2), "\(setup): logo.png has \(written.count) bytes")
        _ = try LaneResults.undo(repository)
        #expect(try repository.fingerprint() == before)
    }
}

/// A repository with a submodule `docs/_themes` recorded at a made-up commit (gitlink only:
/// the folder is empty, as after a clone without `--recurse-submodules`).
private func repositoryWithSubmodule(attributes: Bool) throws -> TestRepository {
    let repository = try TestRepository.empty()
    if attributes { try repository.write(".gitattributes", "*.txt text\n") }
    try repository.write("story.txt", "story\n")
    try repository.write(".gitmodules", "[submodule \"docs/_themes\"]\n\tpath = docs/_themes\n\turl = https://example.com/themes.git\n")
    try repository.git("add", "-A")
    try repository.git("update-index", "--add", "--cacheinfo", "160000,1111111111111111111111111111111111111111,docs/_themes")
    try repository.git("commit", "-qm", "with a submodule")
    try FileManager.default.createDirectory(atPath: repository.path("docs/_themes"), withIntermediateDirectories: true)
    return repository
}

extension MergeWritesTests {
    @Test(arguments: [true, false])
    func aLaneThatRemovesAnUnpopulatedSubmoduleMergesAndUndoesExactly(attributes: Bool) throws {
        let repository = try repositoryWithSubmodule(attributes: attributes)
        defer { repository.remove() }
        try LaneResults.make(repository, "task") { worktree in
            try? FileManager.default.removeItem(atPath: worktree + "/docs/_themes")
            try Files.remove(worktree, ".gitmodules")
        }
        #expect(try repository.git("ls-tree", "-r", "--name-only", try LaneResults.lane(repository, "task").head?.hex ?? "")
            .contains("docs/_themes") == false)
        let status = try #require(try OverlapAnalyzer(workspace: LaneResults.workspace(repository)).statuses(only: "task").first)
        #expect(status.overlap.withUser.isEmpty, "you did not touch the submodule: \(status.overlap.withUser)")
        let before = try repository.fingerprint()
        let dry = try LaneResults.merge(repository, "task", dryRun: true)
        #expect(dry.status == .merged)

        let report = try LaneResults.merge(repository, "task")

        #expect(report.status == .merged)
        #expect(report.changes == [MergeReport.PathUpdate(path: ".gitmodules", change: "deleted"),
                                   MergeReport.PathUpdate(path: "docs/_themes", change: "deleted")])
        #expect(!repository.exists("docs/_themes"))
        let undo = try LaneResults.undo(repository)
        #expect(undo.restored.contains("docs/_themes"))
        #expect(try repository.fingerprint() == before, "undo makes the submodule's folder again")
        // Nothing is left wedged: the lane merges again.
        _ = try LaneResults.merge(repository, "task")
    }

    @Test func aLaneThatRemovesACheckedOutSubmoduleIsAConflictAndNothingIsWritten() throws {
        let repository = try repositoryWithSubmodule(attributes: false)
        defer { repository.remove() }
        let submodule = repository.path("docs/_themes")
        try repository.git("init", "-q", cwd: submodule)
        try "theme\n".write(toFile: submodule + "/theme.css", atomically: false, encoding: .utf8)
        try repository.git("add", "-A", cwd: submodule)
        try repository.git("commit", "-qm", "theme", cwd: submodule)
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "submodule checked out")
        try LaneResults.make(repository, "task") { worktree in
            try? FileManager.default.removeItem(atPath: worktree + "/docs/_themes")
            try Files.write(worktree, "story.txt", "story, edited\n")
        }
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(report.status == .conflicts)
        #expect(report.conflicts.map(\.path) == ["docs/_themes"])
        #expect(report.conflicts.first?.kind == .submodule)
        #expect(try repository.fingerprint() == before)
        #expect(try String(contentsOfFile: submodule + "/theme.css", encoding: .utf8) == "theme\n")
    }

    @Test func aLaneThatMovesASubmoduleIsNotWrittenAsAFile() throws {
        let repository = try repositoryWithSubmodule(attributes: false)
        defer { repository.remove() }
        let lane = try LaneResults.make(repository, "task") { try Files.write($0, "story.txt", "story, edited\n") }
        // The lane's result moves the submodule to another commit (as a task that committed
        // inside it would); spur never writes a submodule.
        let head = try #require(lane.head)
        let moved = try repository.shell("""
            GIT_INDEX_FILE=\(repository.scratch)/moved-index git read-tree \(head.hex) && \
            GIT_INDEX_FILE=\(repository.scratch)/moved-index git update-index --cacheinfo 160000,2222222222222222222222222222222222222222,docs/_themes && \
            GIT_INDEX_FILE=\(repository.scratch)/moved-index git write-tree
            """).trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try repository.git("commit-tree", moved, "-p", lane.base.hex, "-m", "moved").trimmingCharacters(in: .whitespacesAndNewlines)
        try LaneStore(workspace: LaneResults.workspace(repository)).update("task") { $0.head = ObjectID(hex: commit) }
        try repository.git("update-ref", "refs/heads/spur/task", commit)
        let before = try repository.fingerprint()

        let refused = try LaneResults.merge(repository, "task")
        #expect(refused.status == .conflicts)
        #expect(refused.conflicts.map(\.kind) == [.submodule])
        #expect(try repository.fingerprint() == before)

        let theirs = try LaneResults.merge(repository, "task", .theirs)
        #expect(theirs.writtenPaths == ["story.txt"])
        #expect(theirs.conflicts.first?.resolution == nil)
        #expect(FileStatKind.isEmptyFolder(repository.path("docs/_themes")))
    }
}

enum FileStatKind {
    static func isEmptyFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return false }
        return (try? FileManager.default.contentsOfDirectory(atPath: path).isEmpty) ?? false
    }
}

@Suite struct OutsideLinkTests {
    @Test(arguments: [
        ("/etc/passwd", "a", true), ("/repo/src/file", "a", false), ("/repo/../elsewhere", "a", true), ("/repo", "a", false),
        ("/repo/.git/config", "a", true), ("/repository/x", "a", true), ("../x", "a", true), ("../x", "dir/a", false),
        ("../../x", "dir/a", true), ("sub/../../x", "a", true), ("./b", "a", false), (".git/hooks/pre-commit", "a", true),
        ("../.GIT/config", "dir/a", true), ("", "a", false),
    ])
    func aTargetLeavesTheRepositoryWhenItClimbsAboveTheRootOrIntoGit(_ target: String, _ path: String, _ leaves: Bool) {
        #expect(OutsideLink.leavesRepository(target: Array(target.utf8), at: GitPath(path), root: "/repo") == leaves, "\(path) -> \(target)")
    }
}
