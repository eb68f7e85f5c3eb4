import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// Landing a lane in parts (#16 §2) with git as the oracle: the merged files hold what
/// `git merge-file` makes of them, pathspecs select what git's pathspecs select, and a refused
/// merge leaves the tree, `.git/index` and the undo records as they were.
@Suite struct MergePartsOracleTests {
    static let story = (1...10).map { "line \($0)\n" }.joined()

    static func story(replacing line: Int, with text: String) -> String {
        (1...10).map { $0 == line ? "\(text)\n" : "line \($0)\n" }.joined()
    }

    /// `src/a/story.txt`, `src/b/story.txt` and `top.txt`; lane `G` edits line 9 of every one.
    func repositoryWithStories() throws -> TestRepository {
        let repository = try TestRepository.empty()
        for path in ["src/a/story.txt", "src/b/story.txt", "top.txt"] { try repository.write(path, Self.story) }
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try makeLane(repository, "G") { worktree in
            for path in ["src/a/story.txt", "src/b/story.txt", "top.txt"] {
                try Self.story(replacing: 9, with: "nine by G in \(path)")
                    .write(toFile: worktree + "/" + path, atomically: false, encoding: .utf8)
            }
        }
        return repository
    }

    /// What `git merge-file -p` makes of your file, the base and the lane's file.
    func gitMergeFile(_ repository: TestRepository, ours: String, base: String, theirs: String) throws -> String {
        let folder = repository.root + "/.git/oracle"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, text) in [("ours", ours), ("base", base), ("theirs", theirs)] {
            try text.write(toFile: folder + "/" + name, atomically: false, encoding: .utf8)
        }
        return try repository.git("merge-file", "-p", folder + "/ours", folder + "/base", folder + "/theirs")
    }

    /// Everything a refused merge must leave alone: the tree, git's index and spur's undo records.
    func untouched(_ repository: TestRepository) throws -> [String: String] {
        var state = try repository.fingerprint()
        state[".git/index"] = (FileManager.default.contents(atPath: repository.root + "/.git/index") ?? Data()).base64EncodedString()
        state["merge refs"] = try repository.git("for-each-ref", "refs/spur/merges")
        return state
    }

    @Test func aSelectedFileHoldsWhatGitMergeFileMakesOfItAndTheRestStaysYours() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        let yours = Self.story(replacing: 2, with: "two by you")
        for path in ["src/a/story.txt", "src/b/story.txt", "top.txt"] { try repository.write(path, yours) }
        let lanesFile = Self.story(replacing: 9, with: "nine by G in src/a/story.txt")
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "G", "--", "src/a/story.txt")

        #expect(result.status == 0, "\(result.stderr)")
        #expect(try repository.read("src/a/story.txt") == gitMergeFile(repository, ours: yours, base: Self.story, theirs: lanesFile))
        var expected = before
        expected["src/a/story.txt"] = try repository.fingerprint()["src/a/story.txt"]
        #expect(try repository.fingerprint() == expected, "only the selected file changed")
        #expect(try laneState(repository, "G") == .done, "the rest of the lane is still to merge")
        #expect(result.stdout.contains("src/a/story.txt") && !result.stdout.contains("src/b/story.txt"))

        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == before, "undo is byte-exact")
    }

    @Test func dryRunAndJSONListOnlyTheSelectionAndWriteNothing() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        let before = try untouched(repository)

        let dry = try repository.spur("merge", "G", "--dry-run", "--json", "--", "src/b")

        #expect(dry.status == 0, "\(dry.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
        let paths = (document?["changes"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(paths == ["src/b/story.txt"], "\(dry.stdout)")
        #expect(try untouched(repository) == before)
    }

    @Test func globsMatchAsGitsPathspecsDo() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        for pattern in ["*.txt", "src/*", "src/?/story.txt", "src/[a]/*"] {
            let git = try repository.git("ls-files", "--", pattern).split(separator: "\n").map(String.init)
            let dry = try repository.spur("merge", "G", "--dry-run", "--json", "--", pattern)
            #expect(dry.status == 0, "\(pattern): \(dry.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
            let paths = (document?["changes"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
            #expect(paths == git, "\(pattern): git selects \(git)")
        }
    }

    @Test func aPathspecNamingALinkSelectsTheLinkNotWhereItPoints() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write("src/a/one.txt", "one\n")
        try repository.write("src/b/two.txt", "two\n")
        try FileManager.default.createSymbolicLink(atPath: repository.path("shortcut"), withDestinationPath: "src/a")
        try FileManager.default.createSymbolicLink(atPath: repository.path("away"), withDestinationPath: "/tmp")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try makeLane(repository, "G") { worktree in
            try "one by G\n".write(toFile: worktree + "/src/a/one.txt", atomically: false, encoding: .utf8)
            for link in ["shortcut", "away"] {
                try FileManager.default.removeItem(atPath: worktree + "/" + link)
                try FileManager.default.createSymbolicLink(atPath: worktree + "/" + link, withDestinationPath: "src/b")
            }
        }
        for link in ["shortcut", "away"] {
            #expect(try repository.git("ls-files", "--", link) == "\(link)\n", "git reads '\(link)' as the link itself")
        }
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "G", "--", "shortcut", "away")

        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        var expected = before
        expected["shortcut"] = "link:src/b"
        expected["away"] = "link:src/b"
        #expect(try repository.fingerprint() == expected, "only the two links were written")
    }

    @Test func badPathspecsExitTwoWithOneLineAndLeaveTheTreeTheIndexAndTheUndoRecordsAlone() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        try repository.write("top.txt", "yours\n")
        try repository.git("add", "top.txt")
        let before = try untouched(repository)
        let outside = NSTemporaryDirectory() + "spur-outside-\(UUID().uuidString)"
        for (arguments, cwd) in [(["/"], repository.root), ([outside], repository.root), (["../../.."], repository.root + "/src/a"), ([":(glob)src"], repository.root),
                                 (["src/c"], repository.root), (["*.md"], repository.root), (["story.txt", "nothing.txt"], repository.root + "/src/a"),
                                 (["--skip-conflicts", "--", "src/none"], repository.root), ([".git/index"], repository.root)] {
            let full = arguments.first == "--skip-conflicts" ? ["merge", "G"] + arguments : ["merge", "G", "--"] + arguments
            let result = try repository.spurArguments(full, cwd: cwd)
            #expect(result.status == 2, "\(full): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty, "\(full): one line: \(result.stderr)")
            #expect(try untouched(repository) == before, "\(full): nothing written")
        }
    }

    @Test func skipConflictsMergesTheCleanFileAsGitDoesAndLeavesTheConflictingOneByteForByte() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        let clean = Self.story(replacing: 2, with: "two by you")
        let conflicting = Self.story(replacing: 9, with: "nine by you")
        try repository.write("src/a/story.txt", clean)
        try repository.write("src/b/story.txt", conflicting)
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "G", "--skip-conflicts", "--", "src")

        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(try repository.read("src/a/story.txt")
                == gitMergeFile(repository, ours: clean, base: Self.story,
                                theirs: Self.story(replacing: 9, with: "nine by G in src/a/story.txt")))
        #expect(try repository.read("src/b/story.txt") == conflicting)
        #expect(try repository.read("top.txt") == Self.story, "outside the pathspec")
        let conflictLines = result.stdout.split(separator: "\n").filter { $0.contains("src/b/story.txt") }
        #expect(conflictLines.count == 1 && conflictLines[0].contains("left as it was"), "\(result.stdout)")
        #expect(try laneState(repository, "G") == .done)

        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == before, "undo is byte-exact")
    }

    @Test func skipConflictsWhenEveryFileConflictsWritesNothingAndSaysSo() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        try repository.write("top.txt", Self.story(replacing: 9, with: "nine by you"))
        let before = try untouched(repository)

        let result = try repository.spur("merge", "G", "--skip-conflicts", "--", "top.txt")

        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(!result.stdout.contains("already had"), "nothing of the lane is in your tree: \(result.stdout)")
        #expect(result.stdout.contains("top.txt"))
        #expect(try untouched(repository) == before)
        #expect(try laneState(repository, "G") == .done)
    }

    @Test func aSelectionCoveringTheWholeLaneMergesTheLane() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }

        let result = try repository.spur("merge", "G", "--", ".")

        #expect(result.status == 0, "\(result.stderr)")
        #expect(try laneState(repository, "G") == .merged)
        #expect(try repository.spur("undo").status == 0)
        #expect(try laneState(repository, "G") == .done)
    }

    @Test func aPathspecThatIsNotUTF8SelectsExactlyThatFile() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write("keep.txt", "keep\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try makeLane(repository, "G") { worktree in
            try PathBytesLaneTests.write(worktree, PathBytesLaneTests.latin1, Array("latin-1 name\n".utf8))
            try PathBytesLaneTests.write(worktree, PathBytesLaneTests.invalid, Array("other name\n".utf8))
        }
        let name = "\"$(printf 'caf\\351.txt')\""

        let result = try repository.shell("'\(SpurExecutable.path)' merge G -- \(name); echo \"exit $?\"")

        #expect(result.hasSuffix("exit 0\n"), "\(result)")
        #expect(PathBytesLaneTests.read(repository.root, PathBytesLaneTests.latin1) == Array("latin-1 name\n".utf8))
        #expect(PathBytesLaneTests.read(repository.root, PathBytesLaneTests.invalid) == nil, "only the named file")
        // git reads the same pathspec as naming that file, and only it.
        let git = try repository.shell("git ls-files --others -z -- \(name) | od -An -tx1 | tr -d ' \\n'")
        #expect(git == (PathBytesLaneTests.latin1 + [0]).map { String(format: "%02x", $0) }.joined())
    }

    @Test func fromInsideTheLanesWorktreeAPathspecIsReadFromThatFolder() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        let worktree = try LaneStore(workspace: Workspace(discoveringFrom: repository.root)).require("G").worktree
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "G", "--", "story.txt", cwd: worktree + "/src/b")

        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        var expected = before
        expected["src/b/story.txt"] = try repository.fingerprint()["src/b/story.txt"]
        #expect(try repository.fingerprint() == expected, "only src/b/story.txt was written")
        #expect(try repository.read("src/b/story.txt") == Self.story(replacing: 9, with: "nine by G in src/b/story.txt"))
    }

    @Test func anOlderPartialMergeIsUndoneOnItsOwnWhileALaterOneStays() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        try makeLane(repository, "H") { worktree in
            for path in ["src/a/story.txt", "src/b/story.txt"] {
                try Self.story(replacing: 1, with: "one by H in \(path)").write(toFile: worktree + "/" + path, atomically: false, encoding: .utf8)
            }
        }
        let start = try repository.fingerprint()
        #expect(try repository.spur("merge", "G", "--", "src/a").status == 0)
        #expect(try repository.spur("merge", "H", "--", "src/b").status == 0)
        let afterBoth = try repository.fingerprint()

        let first = try repository.spur("undo", "1")

        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        var expected = afterBoth
        expected["src/a/story.txt"] = start["src/a/story.txt"]
        #expect(try repository.fingerprint() == expected, "merge 1 taken back, merge 2 in place")
        #expect(try repository.spur("undo", "1").status == 2, "merge 1 is undone already")
        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == start)
    }

    @Test func anOlderMergeWhoseFileALaterMergeWroteIsNotUndoneFirst() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        try makeLane(repository, "H") { worktree in
            try Self.story(replacing: 9, with: "nine by H").write(toFile: worktree + "/src/a/story.txt", atomically: false, encoding: .utf8)
        }
        #expect(try repository.spur("merge", "G", "--", "src/a").status == 0)
        #expect(try repository.spur("merge", "H", "--theirs", "--", "src/a").status == 0)
        let afterBoth = try repository.fingerprint()

        let refused = try repository.spur("undo", "1")

        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("merge 2"), "\(refused.stderr)")
        #expect(try repository.fingerprint() == afterBoth, "nothing restored")
        #expect(try repository.spur("undo", "7").status == 2, "no merge 7")
    }

    @Test func theAdviceAfterAConflictKeepsTheSelectionSoFollowingItMergesOnlyThosePaths() throws {
        let repository = try repositoryWithStories()
        defer { repository.remove() }
        try repository.write("src/a/story.txt", Self.story(replacing: 9, with: "nine by you"))

        let refused = try repository.spur("merge", "G", "--", "src/*")

        #expect(refused.status == 1)
        let advice = try #require(refused.stdout.split(separator: "\n").first { $0.hasPrefix("settle them") }, "\(refused.stdout)")
        #expect(advice.contains("spur merge G --markers -- 'src/*'"), "\(advice)")
        // Following it writes the selection only: top.txt stays as it was.
        #expect(try repository.spur("merge", "G", "--markers", "--", "src/*").status == 1)
        #expect(try repository.read("top.txt") == Self.story)
        #expect(try repository.read("src/a/story.txt").contains("<<<<<<<"))
    }
}
