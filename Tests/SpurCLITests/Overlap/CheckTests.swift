import Foundation
import Testing
import SpurTestSupport

@Suite struct CheckTests {
    @Test func exitsZeroWhenNoLaneChangedThePath() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let result = try repo.spur("check", "a.txt")
        #expect(result.status == 0)
        #expect(result.lines == ["a.txt: no live lane changed it"])
    }

    @Test func exitsOneAndNamesTheLanesThatChangedAPath() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let other = try repo.spur("spawn", "other", "--no-run").lines.last ?? ""
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        try repo.shell("sed -i '4s/.*/other/' a.txt && echo same > c.txt", cwd: other)
        let result = try repo.spur("check", "a.txt", "b.txt")
        #expect(result.status == 1)
        #expect(result.lines == ["a.txt: changed in lanes other, task", "b.txt: no live lane changed it"])
        let json = try repo.spur("check", "--json", "a.txt", "b.txt", "c.txt")
        #expect(json.status == 1)
        let entries = try jsonArray(json.stdout)
        #expect(entries.map { $0["path"] as? String } == ["a.txt", "b.txt", "c.txt"])
        #expect(entries.map { $0["lanes"] as? [String] } == [["other", "task"], [], ["other"]])
    }

    @Test func jsonOnExitZeroListsEveryPathWithNoLanes() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let result = try repo.spur("check", "--json", "b.txt")
        #expect(result.status == 0)
        #expect(try jsonArray(result.stdout).map { $0["lanes"] as? [String] } == [[]])
    }

    @Test func pathsAreRelativeToTheCurrentFolderOrAbsolute() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.write("sub/s.txt", "s\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "sub")
        try repo.spur("discard", "--force", "task")
        let lane = try repo.spur("spawn", "task", "--no-run").lines.last ?? worktree
        try repo.shell("echo changed > sub/s.txt", cwd: lane)
        #expect(try repo.spur("check", "s.txt", cwd: repo.path("sub")).status == 1)
        #expect(try repo.spur("check", "../a.txt", cwd: repo.path("sub")).status == 0)
        #expect(try repo.spur("check", repo.path("sub/s.txt"), cwd: "/").status == 2)  // cwd outside: no repository
        #expect(try repo.spur("check", repo.path("sub/s.txt")).status == 1)
    }

    @Test func aPathOutsideTheRepositoryIsAUsageError() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        for path in ["/etc/passwd", "../outside.txt", ".git/config"] {
            let result = try repo.spur("check", "--json", path)
            #expect(result.status == 2, "\(path)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func anEmptyPathIsBadInput() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        for arguments in [[""], ["a.txt", ""], ["--json", ""]] {
            let result = try repo.spurArguments(["check"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            #expect(result.stderr == "spur: an empty path names no file (use '.' for the current folder)\n", "\(arguments)")
        }
    }

    @Test func aPathInsideALaneMeansThatLanesFileAndLeavesItOut() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let other = try repo.spur("spawn", "other", "--no-run").lines.last ?? ""
        try repo.shell("echo t > b.txt", cwd: worktree)
        #expect(try repo.spur("check", "b.txt", cwd: worktree).status == 0)
        try repo.shell("echo o > b.txt", cwd: other)
        let result = try repo.spur("check", "--json", worktree + "/b.txt")
        #expect(result.status == 1)
        #expect(try jsonArray(result.stdout).first?["lanes"] as? [String] == ["other"])
        #expect(try jsonArray(result.stdout).first?["path"] as? String == "b.txt")
    }

    @Test func contentDecidesNotTimestamps() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("echo b > b.txt && touch a.txt && chmod 644 a.txt", cwd: worktree)
        #expect(try repo.spur("check", "a.txt", "b.txt").status == 0)
        try repo.shell("chmod +x a.txt", cwd: worktree)
        #expect(try repo.spur("check", "a.txt").status == 1)
    }

    @Test func deletedNewAndIgnoredFilesAndFolders() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.write(".gitignore", "*.log\n")
        try repo.write("dir/keep.txt", "k\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "more")
        try repo.spur("discard", "--force", "task")
        let lane = try repo.spur("spawn", "task", "--no-run").lines.last ?? worktree
        try repo.shell("rm b.txt && echo n > new.txt && echo l > debug.log && mkdir fresh && echo f > fresh/f.txt", cwd: lane)
        #expect(try repo.spur("check", "b.txt").status == 1)
        #expect(try repo.spur("check", "new.txt").status == 1)
        #expect(try repo.spur("check", "debug.log").status == 0)
        #expect(try repo.spur("check", "dir").status == 0)
        #expect(try repo.spur("check", "fresh").status == 1)
        try repo.shell("echo changed > dir/keep.txt", cwd: lane)
        #expect(try repo.spur("check", "dir").status == 1)
    }
}
