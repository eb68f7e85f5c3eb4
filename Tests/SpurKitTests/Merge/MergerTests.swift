import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// A committed repository with a ten-line file, a file nobody touches, and a nested file.
private func makeRepository() throws -> TestRepository {
    let repository = try TestRepository.empty()
    try repository.write("story.txt", (1...10).map { "line \($0)\n" }.joined())
    try repository.write("untouched.txt", "leave me alone\n")
    try repository.write("src/code.c", "int main() {\n    return 0;\n}\n")
    try repository.git("add", "-A")
    try repository.git("commit", "-qm", "start")
    return repository
}

private func replacing(_ text: String, line: Int, with replacement: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[line - 1] = replacement
    return lines.joined(separator: "\n")
}

@Suite struct MergerTests {
    @Test func cleanMergeKeepsYourConcurrentEditsInTheSameFileAndAddsTheLanes() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let original = try repository.read("story.txt")
        try LaneResults.make(repository, "task") { worktree in
            try Files.write(worktree, "story.txt", replacing(original, line: 9, with: "line 9 by the task"))
            try Files.write(worktree, "docs/new.md", "# New\n")
        }
        try repository.write("story.txt", replacing(original, line: 2, with: "line 2 by you"))
        try repository.write("notes.txt", "my untracked notes\n")
        let untouchedTime = try Files.mtime(repository.path("untouched.txt"))
        let indexBefore = try Data(contentsOf: URL(fileURLWithPath: repository.path(".git/index")))
        let headBefore = try repository.git("rev-parse", "HEAD")

        let report = try LaneResults.merge(repository, "task")

        #expect(report.status == .merged)
        #expect(report.writtenPaths == ["docs/new.md", "story.txt"])
        let merged = try repository.read("story.txt")
        #expect(merged.contains("line 2 by you"))
        #expect(merged.contains("line 9 by the task"))
        #expect(try repository.read("docs/new.md") == "# New\n")
        #expect(try repository.read("notes.txt") == "my untracked notes\n")
        #expect(try Files.mtime(repository.path("untouched.txt")) == untouchedTime)
        #expect(try Data(contentsOf: URL(fileURLWithPath: repository.path(".git/index"))) == indexBefore)
        #expect(try repository.git("rev-parse", "HEAD") == headBefore)
        #expect(try repository.git("status", "--porcelain").contains(" M story.txt"))
        #expect(try LaneResults.lane(repository, "task").state == .merged)
        #expect(report.resultTree.hex == (try repository.gitSnapshotTree()))
    }

    @Test func conflictsWriteNothingAndListEachPathWithItsHunks() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let original = try repository.read("story.txt")
        try LaneResults.make(repository, "task") { worktree in
            try Files.write(worktree, "story.txt", replacing(original, line: 5, with: "five by the task"))
            try Files.write(worktree, "added.txt", "from the task\n")
            try Files.remove(worktree, "src/code.c")
        }
        try repository.write("story.txt", replacing(original, line: 5, with: "five by you"))
        try repository.write("src/code.c", "int main() {\n    return 1;\n}\n")
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(report.status == .conflicts)
        #expect(report.changes.isEmpty)
        #expect(try repository.fingerprint() == before)
        #expect(try LaneResults.lane(repository, "task").state == .done)
        let content = try #require(report.conflicts.first { $0.path == "story.txt" })
        #expect(content.kind == .content)
        #expect(content.hunks == [ConflictHunk(line: 5, ours: ["five by you"], base: ["line 5"], theirs: ["five by the task"])])
        #expect(report.conflicts.contains { $0.path == "src/code.c" && $0.kind == .modifyDelete })
        #expect(try MergeLog(workspace: LaneResults.workspace(repository)).all().isEmpty)
    }

    @Test func markersMatchGitMergeFileDiff3() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let original = try repository.read("story.txt")
        try LaneResults.make(repository, "task") { worktree in
            var text = replacing(original, line: 5, with: "five by the task")
            text = replacing(text, line: 9, with: "nine by the task")
            try Files.write(worktree, "story.txt", text)
        }
        let ours = replacing(original, line: 5, with: "five by you") + "appended by you\n"
        try repository.write("story.txt", ours)
        try original.write(toFile: repository.scratch + "/base", atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(atPath: try LaneResults.lane(repository, "task").worktree + "/story.txt",
                                         toPath: repository.scratch + "/theirs")
        try ours.write(toFile: repository.scratch + "/ours", atomically: false, encoding: .utf8)
        let result = try ProcessRunner.run("/usr/bin/git", ["merge-file", "-p", "--diff3", "-L", "working tree", "-L", "lane base",
                                                            "-L", "lane task", "ours", "base", "theirs"],
                                           cwd: repository.scratch, environment: repository.environment)
        #expect(result.status == 1)

        let report = try LaneResults.merge(repository, "task", .markers)

        #expect(report.status == .merged)
        #expect(report.conflicts.map(\.resolution) == [.markers])
        #expect(try repository.read("story.txt") == result.stdout)
        #expect(try LaneResults.lane(repository, "task").state == .merged)
    }

    @Test func oursAndTheirsSettleConflictingHunksForOneSide() throws {
        for side in [ConflictResolution.ours, .theirs] {
            let repository = try makeRepository()
            defer { repository.remove() }
            let original = try repository.read("story.txt")
            try LaneResults.make(repository, "task") { worktree in
                var text = replacing(original, line: 5, with: "five by the task")
                text = replacing(text, line: 9, with: "nine by the task")
                try Files.write(worktree, "story.txt", text)
            }
            try repository.write("story.txt", replacing(replacing(original, line: 5, with: "five by you"), line: 1, with: "one by you"))

            let report = try LaneResults.merge(repository, "task", side)

            let merged = try repository.read("story.txt")
            #expect(report.status == .merged)
            #expect(merged.contains("one by you") && merged.contains("nine by the task"))
            #expect(merged.contains(side == .ours ? "five by you" : "five by the task"))
            #expect(!merged.contains(side == .ours ? "five by the task" : "five by you"))
            #expect(!merged.contains("<<<<<<<"))
        }
    }

    @Test func dryRunReportsAndWritesNothing() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        try LaneResults.make(repository, "task") { try Files.write($0, "added.txt", "new\n") }
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task", dryRun: true)

        #expect(report.dryRun && report.status == .merged)
        #expect(report.changes == [MergeReport.PathUpdate(path: "added.txt", change: "added")])
        #expect(try repository.fingerprint() == before)
        #expect(try LaneResults.lane(repository, "task").state == .done)
    }

    @Test func undoRestoresEveryPathByteForByteAndMarksTheLaneDone() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let original = try repository.read("story.txt")
        try repository.write("private.txt", "secret\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: repository.path("private.txt"))
        try repository.git("add", "private.txt")
        try LaneResults.make(repository, "task") { worktree in
            try Files.write(worktree, "story.txt", replacing(original, line: 9, with: "nine by the task"))
            try Files.write(worktree, "private.txt", "secret, edited\n", executable: true)
            try Files.write(worktree, "deep/new/dir/file.txt", "nested\n")
            try Files.remove(worktree, "src/code.c")
        }
        try repository.write("story.txt", replacing(original, line: 1, with: "one by you"))
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")
        #expect(report.writtenPaths == ["deep/new/dir/file.txt", "private.txt", "src/code.c", "story.txt"])
        #expect(!repository.exists("src"))
        let merged = try repository.fingerprint()
        #expect(merged != before)

        let undo = try LaneResults.undo(repository)

        #expect(undo.restored.sorted() == report.writtenPaths)
        #expect(try repository.fingerprint() == before)
        #expect(try LaneResults.lane(repository, "task").state == .done)
        #expect(throws: SpurError.self) { try LaneResults.undo(repository) }
    }

    @Test func severalMergesAreUndoneInReverseOrder() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let original = try repository.read("story.txt")
        try LaneResults.make(repository, "first") { try Files.write($0, "story.txt", replacing(original, line: 2, with: "two by first")) }
        try LaneResults.make(repository, "second") { try Files.write($0, "story.txt", replacing(original, line: 8, with: "eight by second")) }
        let start = try repository.fingerprint()
        _ = try LaneResults.merge(repository, "first")
        let afterFirst = try repository.fingerprint()
        _ = try LaneResults.merge(repository, "second")
        let both = try repository.read("story.txt")
        #expect(both.contains("two by first") && both.contains("eight by second"))

        #expect(try LaneResults.undo(repository).lane == "second")
        #expect(try repository.fingerprint() == afterFirst)
        #expect(try LaneResults.undo(repository).lane == "first")
        #expect(try repository.fingerprint() == start)
    }

    @Test func undoRefusesNamingFilesYouChangedAfterTheMergeUnlessForced() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        try LaneResults.make(repository, "task") { worktree in
            try Files.write(worktree, "story.txt", "rewritten by the task\n")
            try Files.write(worktree, "added.txt", "new\n")
        }
        let before = try repository.fingerprint()
        _ = try LaneResults.merge(repository, "task")
        try repository.write("story.txt", "edited after the merge\n")

        do {
            _ = try LaneResults.undo(repository)
            Issue.record("undo did not refuse")
        } catch let error as SpurError {
            #expect(error.message.contains("story.txt"))
            #expect(!error.message.contains("added.txt"))
        }
        #expect(try repository.read("story.txt") == "edited after the merge\n")
        #expect(repository.exists("added.txt"))

        let forced = try LaneResults.undo(repository, force: true)
        #expect(try repository.fingerprint() == before)
        let kept = try #require(forced.displaced)
        #expect(try repository.git("show", "\(kept.hex):story.txt") == "edited after the merge\n")
    }

    @Test func aLinkPointingOutsideNeedsConsentIsWrittenAsALinkAndNothingOutsideChanges() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let outside = repository.scratch + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "outside\n".write(toFile: outside + "/target.txt", atomically: false, encoding: .utf8)
        try LaneResults.make(repository, "task") { worktree in
            try Files.link(worktree, "escape", to: outside + "/target.txt")
            try Files.link(worktree, "relative", to: "../scratch/outside/target.txt")
            try Files.link(worktree, "inside", to: "src/code.c")
        }
        let outsideBefore = try Fingerprint.of(outside)
        let before = try repository.fingerprint()

        do {
            _ = try LaneResults.merge(repository, "task")
            Issue.record("links outside the repository were merged without consent")
        } catch let error as SpurError {
            #expect(error.message.contains("escape -> \(outside)/target.txt") && error.message.contains("relative -> ../scratch"))
            #expect(!error.message.contains("inside") && error.message.contains("--allow-outside-links"))
        }
        #expect(try repository.fingerprint() == before)

        let report = try LaneResults.merge(repository, "task", allowOutsideLinks: true)

        #expect(report.writtenPaths == ["escape", "inside", "relative"])
        #expect(report.changes.map(\.outsideLinkTarget) == [outside + "/target.txt", nil, "../scratch/outside/target.txt"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: repository.path("escape")) == outside + "/target.txt")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: repository.path("relative")) == "../scratch/outside/target.txt")
        #expect(try Fingerprint.of(outside) == outsideBefore)
    }

    @Test func pathsThroughYourSymlinkAreNeverWrittenThrough() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let outside = repository.scratch + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try LaneResults.make(repository, "task") { try Files.write($0, "vendor/lib.txt", "from the task\n") }
        try Files.link(repository.root, "vendor", to: outside)
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(report.status == .conflicts)
        #expect(report.conflicts.map(\.kind) == [.symlinkInPath])
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(try repository.fingerprint() == before)
    }

    @Test func yourIgnoredFileInTheWayIsNeverOverwritten() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        try repository.write(".gitignore", "build/\n")
        try repository.git("add", ".gitignore")
        try repository.git("commit", "-qm", "ignore build")
        try LaneResults.make(repository, "task") { worktree in
            try Files.write(worktree, "build/out.txt", "from the task\n")
            try Files.write(worktree, "build/same.txt", "same\n")
            try repository.git("add", "-f", "build/out.txt", "build/same.txt", cwd: worktree)
        }
        try repository.write("build/out.txt", "my build output\n")
        try repository.write("build/same.txt", "same\n")

        let report = try LaneResults.merge(repository, "task", .theirs)

        #expect(report.conflicts.map(\.path) == ["build/out.txt"])
        #expect(report.conflicts.first?.kind == .untrackedInTheWay)
        #expect(report.conflicts.first?.resolution == nil)
        #expect(try repository.read("build/out.txt") == "my build output\n")
        #expect(report.changes.isEmpty)
    }

    @Test func aRunningLaneOrOneWithoutAResultIsRefused() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        _ = try LaneResults.spawn(repository, "fresh")
        do {
            _ = try LaneResults.merge(repository, "fresh")
            Issue.record("merged a lane with no result")
        } catch let error as SpurError {
            #expect(error.message.contains("spur finish fresh"))
        }
        try LaneStore(workspace: LaneResults.workspace(repository)).update("fresh") { $0.state = .running }
        do {
            _ = try LaneResults.merge(repository, "fresh")
            Issue.record("merged a running lane")
        } catch let error as SpurError {
            #expect(error.message.contains("running"))
        }
    }

    @Test func mergeIfCleanMergesCleanLanesAndOnlyReportsConflicts() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let original = try repository.read("story.txt")
        try LaneResults.make(repository, "clean") { try Files.write($0, "story.txt", replacing(original, line: 10, with: "ten")) }
        try LaneResults.make(repository, "clash") { try Files.write($0, "story.txt", replacing(original, line: 3, with: "three, lane")) }
        try repository.write("story.txt", replacing(original, line: 3, with: "three, you"))
        let merger = try Merger(workspace: LaneResults.workspace(repository))

        guard case .merged(let report) = merger.mergeIfClean(laneName: "clean") else { Issue.record("clean lane not merged"); return }
        #expect(report.writtenPaths == ["story.txt"])
        try repository.requireWorkingTree(equals: report.resultTree.hex)
        let before = try repository.fingerprint()
        guard case .conflicted(let conflicts) = merger.mergeIfClean(laneName: "clash") else { Issue.record("conflict not reported"); return }
        #expect(conflicts.conflicts.map(\.path) == ["story.txt"])
        #expect(try repository.fingerprint() == before)
        guard case .refused(let reason) = merger.mergeIfClean(laneName: "clean") else { Issue.record("second merge not refused"); return }
        #expect(reason.contains("already merged"))
    }

    @Test func filesWithEolAttributesAreWrittenAsACheckoutWouldWriteThem() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write(".gitattributes", "*.txt text eol=crlf\n")
        try repository.write("crlf.txt", "one\ntwo\nthree\nfour\nfive\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try repository.git("rm", "-q", "--cached", "crlf.txt")
        try repository.git("reset", "-q", "--hard")
        #expect(try repository.read("crlf.txt") == "one\r\ntwo\r\nthree\r\nfour\r\nfive\r\n")
        try LaneResults.make(repository, "task") { worktree in
            try Files.write(worktree, "crlf.txt", "one\r\ntwo\r\nthree\r\nfour\r\nFIVE\r\n")
        }
        try repository.write("crlf.txt", "ONE\r\ntwo\r\nthree\r\nfour\r\nfive\r\n")
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(report.writtenPaths == ["crlf.txt"])
        #expect(try repository.read("crlf.txt") == "ONE\r\ntwo\r\nthree\r\nfour\r\nFIVE\r\n")
        #expect(try repository.git("status", "--porcelain") == " M crlf.txt\n")
        _ = try LaneResults.undo(repository)
        #expect(try repository.fingerprint() == before)
    }

    @Test func anInterruptedMergeIsNoticedOnlyWhenNoMergeIsRunning() throws {
        let repository = try makeRepository()
        defer { repository.remove() }
        let workspace = try LaneResults.workspace(repository)
        #expect(MergeRecovery.notice(for: workspace) == nil)
        try LaneResults.make(repository, "task") { try Files.write($0, "added.txt", "new\n") }
        _ = try LaneResults.merge(repository, "task")
        let log = MergeLog(workspace: workspace)
        var record = try #require(try log.load(1))
        record.status = .writing
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(record).write(to: URL(fileURLWithPath: log.directory + "/000001.json"))
        try "1\n".write(toFile: log.directory + "/pending", atomically: true, encoding: .utf8)

        let notice = try #require(MergeRecovery.notice(for: workspace))
        #expect(notice.contains("lane task") && notice.contains("spur merge --continue") && notice.contains("spur undo"))
        let heldElsewhere = try log.withLock { MergeRecovery.notice(for: workspace) }
        #expect(heldElsewhere == nil)
        let continued = try MergeRecovery.continueMerge(in: workspace)
        try repository.requireWorkingTree(equals: continued.resultTree.hex)
        #expect(MergeRecovery.notice(for: workspace) == nil)
    }
}
