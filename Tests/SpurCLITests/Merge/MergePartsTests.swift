import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// Landing a lane in parts (#16 §2): `spur merge NAME -- PATH...` and `--skip-conflicts`.
@Suite struct MergePartsTests {
    /// A repository with `src/a/one.txt`, `src/b/two.txt` and `notes.txt`, and lanes `G-1` and
    /// `G-2` that each change all three.
    func twoLanes() throws -> TestRepository {
        let repository = try TestRepository.empty()
        for path in ["src/a/one.txt", "src/b/two.txt", "notes.txt"] { try repository.write(path, "base of \(path)\n") }
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        for lane in ["G-1", "G-2"] {
            try makeLane(repository, lane) { worktree in
                for path in ["src/a/one.txt", "src/b/two.txt", "notes.txt"] {
                    try "\(path) by \(lane)\n".write(toFile: worktree + "/" + path, atomically: false, encoding: .utf8)
                }
            }
        }
        return repository
    }

    @Test func mergingAFolderFromOneLaneAndAnotherFromASecondWorksAndEachUndoesOnItsOwn() throws {
        let repository = try twoLanes()
        defer { repository.remove() }
        let start = try repository.fingerprint()

        let first = try repository.spur("merge", "G-1", "--", "src/a")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try repository.read("src/a/one.txt") == "src/a/one.txt by G-1\n")
        #expect(try repository.read("src/b/two.txt") == "base of src/b/two.txt\n")
        #expect(try repository.read("notes.txt") == "base of notes.txt\n")
        #expect(try laneState(repository, "G-1") == .done, "a lane merged in part stays unmerged")
        let afterFirst = try repository.fingerprint()

        // Relative to the current folder, as git reads pathspecs.
        let second = try repository.spur("merge", "G-2", "--", "two.txt", cwd: repository.root + "/src/b")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try repository.read("src/b/two.txt") == "src/b/two.txt by G-2\n")
        #expect(try repository.read("src/a/one.txt") == "src/a/one.txt by G-1\n")
        try repository.requireWorkingTreeHoldsLastMerge()

        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == afterFirst, "undo takes back only the second merge")
        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == start)
    }

    @Test func theRestOfALaneMergesLater() throws {
        let repository = try twoLanes()
        defer { repository.remove() }
        #expect(try repository.spur("merge", "G-1", "--", "src/*/one.txt").status == 0)
        let rest = try repository.spur("merge", "G-1")
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(try repository.read("notes.txt") == "notes.txt by G-1\n")
        #expect(try repository.read("src/b/two.txt") == "src/b/two.txt by G-1\n")
        #expect(try laneState(repository, "G-1") == .merged)
    }

    @Test func aPathOutsideTheRepositoryOrMatchingNothingExitsTwoAndWritesNothing() throws {
        let repository = try twoLanes()
        defer { repository.remove() }
        let before = try repository.fingerprint()
        for arguments in [["merge", "G-1", "--", "/etc/passwd"], ["merge", "G-1", "--", "../elsewhere"],
                          ["merge", "G-1", "--", "src/nothing-here"], ["merge", "G-1", "--", "src/a", "no-such.txt"]] {
            let result = try repository.spurArguments(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): one line: \(result.stderr)")
            #expect(try repository.fingerprint() == before, "\(arguments): nothing written")
        }
        #expect(try laneState(repository, "G-1") == .done)
    }

    @Test func skipConflictsWritesTheCleanFilesLeavesTheConflictingOnesAndExitsOne() throws {
        let repository = try twoLanes()
        defer { repository.remove() }
        try repository.write("notes.txt", "notes by you\n")
        let yours = try repository.fingerprint()

        let plain = try repository.spur("merge", "G-1")
        #expect(plain.status == 1)
        #expect(try repository.fingerprint() == yours, "without the flag a conflict writes nothing")

        let result = try repository.spur("merge", "G-1", "--skip-conflicts")
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("notes.txt"))
        #expect(try repository.read("notes.txt") == "notes by you\n")
        #expect(try repository.read("src/a/one.txt") == "src/a/one.txt by G-1\n")
        #expect(try repository.read("src/b/two.txt") == "src/b/two.txt by G-1\n")
        #expect(try laneState(repository, "G-1") == .done)

        let json = try repository.spur("merge", "G-2", "--skip-conflicts", "--dry-run", "--json")
        #expect(json.stdout.contains("\"notes.txt\""))

        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == yours)
    }
}
