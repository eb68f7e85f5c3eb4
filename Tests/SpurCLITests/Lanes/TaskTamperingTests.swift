import Foundation
import Testing
import SpurTestSupport

/// A task is not trusted: what it writes (its worktree's `.git`, spur's lane records) must not
/// make spur touch the user's index, refs or files, and a result spur could not record is a
/// failure that keeps the task's files.
@Suite struct TaskTamperingTests {
    /// A small project whose src/main.txt is partially staged: the index holds "staged", the
    /// working tree "unstaged".
    func repositoryWithPartiallyStagedFile() throws -> TestRepository {
        let repo = try TestRepository.scenario("small-project")
        try repo.write("src/main.txt", "staged\n")
        try repo.git("add", "src/main.txt")
        try repo.write("src/main.txt", "unstaged\n")
        return repo
    }

    /// Rewrites fields of lane `name`'s record as a task could.
    func editRecord(_ repo: TestRepository, _ name: String, _ change: (inout [String: Any]) -> Void) throws {
        let path = repo.path(".git/spur/lanes/\(name).json")
        var fields = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        change(&fields)
        try JSONSerialization.data(withJSONObject: fields).write(to: URL(fileURLWithPath: path))
    }

    @Test func aTaskThatPointsItsGitFileAtTheUserRepositoryFailsAndLeavesTheUserIndexAlone() throws {
        let repo = try repositoryWithPartiallyStagedFile()
        defer { repo.remove() }
        let before = try repo.userState()
        let stagedBefore = try repo.git("diff", "--cached")
        try repo.spawn("evil", "--", "sh", "-c", "echo work > work.txt && printf 'gitdir: %s/.git\\n' \"$SPUR_REPO\" > .git")
        let wait = try repo.spur("wait", "evil")
        #expect(wait.status == 1, "wait: \(wait.stdout)")
        let after = try repo.userState()
        #expect(after == before, "\(after.differences(from: before))")
        #expect(try repo.git("diff", "--cached") == stagedBefore)
        #expect(try repo.git("show", ":src/main.txt") == "staged\n")
        let lane = try repo.listedLane("evil")
        #expect(lane.state == "failed")
        #expect(lane.reason?.contains("the task changed the worktree's .git; result not recorded") == true, "\(lane.reason ?? "")")
        #expect(lane.head == nil)
        // The task's files stay where it left them.
        #expect(try String(contentsOfFile: lane.worktree + "/work.txt", encoding: .utf8) == "work\n")
        #expect(try repo.revParse("spur/evil") == lane.base)
        // The reason says how to record the kept files; done so, finish records them.
        let admin = repo.path(".git/worktrees/spur-evil")
        #expect(lane.reason?.contains("make its .git say 'gitdir: \(admin)' again and run 'spur finish evil'") == true)
        try "gitdir: \(admin)\n".write(toFile: lane.worktree + "/.git", atomically: true, encoding: .utf8)
        try repo.spurSucceeds("finish", "evil")
        #expect(try repo.listedLane("evil").changedFiles == ["work.txt"])
        let finished = try repo.userState()
        #expect(finished == before, "\(finished.differences(from: before))")
    }

    @Test func aTaskThatReplacesItsGitFileWithAFolderFailsAndKeepsItsFiles() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let before = try repo.userState()
        try repo.spawn("folder", "--", "sh", "-c", "echo work > work.txt && rm .git && mkdir .git")
        #expect(try repo.spur("wait", "folder").status == 1)
        let lane = try repo.listedLane("folder")
        #expect(lane.state == "failed")
        #expect(lane.reason?.contains("the task changed the worktree's .git; result not recorded") == true, "\(lane.reason ?? "")")
        #expect(try String(contentsOfFile: lane.worktree + "/work.txt", encoding: .utf8) == "work\n")
        #expect(try repo.userState() == before)
        // Nothing spur says about the lane suggests a command that deletes its files.
        for command in [["list"], ["status"], ["status", "folder"], ["discard", "folder"]] {
            let result = try repo.spurArguments(command)
            #expect(!(result.stdout + result.stderr).contains("--force"), "\(command): \(result.stdout)\(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: lane.worktree + "/work.txt"))
    }

    @Test func aResultThatCannotBeCommittedIsAFailureWithTheReasonAndKeepsTheFiles() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        // As a full disk would: the result commit fails.
        let spawned = try repo.spur("spawn", "full", "--", "sh", "-c", "echo work > work.txt", env: ["SPUR_FAULT": "lane-result-commit"])
        #expect(spawned.status == 0, "\(spawned.stderr)")
        let wait = try repo.spur("wait", "full")
        #expect(wait.status == 1, "wait: \(wait.stdout)")
        #expect(!wait.stdout.contains("done"), "wait: \(wait.stdout)")
        let lane = try repo.listedLane("full")
        #expect(lane.state == "failed")
        #expect(lane.exitCode == 0)
        #expect(lane.reason?.contains("result not recorded") == true, "\(lane.reason ?? "")")
        #expect(lane.reason?.contains("fault injected at lane-result-commit") == true, "\(lane.reason ?? "")")
        #expect(try String(contentsOfFile: lane.worktree + "/work.txt", encoding: .utf8) == "work\n")
        for command in [["list"], ["status"], ["status", "full"]] {
            let result = try repo.spurArguments(command)
            #expect(!(result.stdout + result.stderr).contains("--force"), "\(command): \(result.stdout)\(result.stderr)")
        }
        // Once the cause is gone, finish records the kept files.
        try repo.spurSucceeds("finish", "full")
        let finished = try repo.listedLane("full")
        #expect(finished.state == "done")
        #expect(finished.changedFiles == ["work.txt"])
    }

    @Test func forcedDiscardRemovesOnlyTheRegisteredWorktreeNotThePathARecordNames() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let precious = repo.scratch + "/precious"
        try FileManager.default.createDirectory(atPath: precious, withIntermediateDirectories: true)
        try "keep\n".write(toFile: precious + "/file.txt", atomically: true, encoding: .utf8)
        let worktree = try repo.spawnLane("edited")
        try repo.shell("echo work > work.txt", cwd: worktree)
        try editRecord(repo, "edited") { $0["worktree"] = precious; $0["branch"] = "refs/heads/main" }
        let before = try repo.userState()
        let result = try repo.spur("discard", "--force", "edited")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: precious + "/file.txt", encoding: .utf8) == "keep\n")
        let after = try repo.userState()
        #expect(after == before, "\(after.differences(from: before))")
        try repo.expectNoTraceOfLane("edited")
    }

    @Test func forcedDiscardRefusesAWorktreeGitRegisteredOutsideTheLanesFolder() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let precious = repo.scratch + "/precious"
        try FileManager.default.createDirectory(atPath: precious, withIntermediateDirectories: true)
        try "keep\n".write(toFile: precious + "/file.txt", atomically: true, encoding: .utf8)
        _ = try repo.spawnLane("moved")
        // Both spur's record and git's worktree record are files a task can write.
        try editRecord(repo, "moved") { $0["worktree"] = precious }
        try "\(precious)/.git\n".write(toFile: repo.path(".git/worktrees/spur-moved/gitdir"), atomically: true, encoding: .utf8)
        let result = try repo.spur("discard", "--force", "moved")
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(precious), "\(result.stderr)")
        #expect(try String(contentsOfFile: precious + "/file.txt", encoding: .utf8) == "keep\n")
        #expect(FileManager.default.fileExists(atPath: repo.defaultLanePath("moved")))
    }

    @Test func aLaneRecordNamingTheUserWorkingTreeNeverMakesSpurRecordItThere() throws {
        let repo = try repositoryWithPartiallyStagedFile()
        defer { repo.remove() }
        let worktree = try repo.spawnLane("elsewhere")
        try repo.shell("echo work > work.txt", cwd: worktree)
        try editRecord(repo, "elsewhere") { $0["worktree"] = repo.root }
        let before = try repo.userState()
        let finish = try repo.spur("finish", "elsewhere")
        #expect(finish.status == 1)
        #expect(finish.stderr.contains("result not recorded"), "\(finish.stderr)")
        // No advice to rewrite a .git anywhere: the folder the record names is not the lane's.
        #expect(!finish.stderr.contains("make its .git say"), "\(finish.stderr)")
        let after = try repo.userState()
        #expect(after == before, "\(after.differences(from: before))")
        #expect(try repo.git("show", ":src/main.txt") == "staged\n")
    }

    @Test func finishNeverMovesABranchOtherThanTheLanesOwn() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("branchy", "--base", "head")
        try repo.shell("echo work > work.txt", cwd: worktree)
        try editRecord(repo, "branchy") { $0["branch"] = "refs/heads/main" }
        let before = try repo.userState()
        try repo.spurSucceeds("finish", "branchy")
        let after = try repo.userState()
        #expect(after == before, "\(after.differences(from: before))")
        #expect(try repo.git("show", "spur/branchy:work.txt") == "work\n")
    }

    @Test func mergeRefusesAResultTheLanesBranchDoesNotHold() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("forged", "--base", "head")
        try repo.shell("echo work > work.txt", cwd: worktree)
        try repo.spurSucceeds("finish", "forged")
        // A commit the lane never made, here one that deletes every file of the project.
        let forged = try repo.shell("git commit-tree \"$(git mktree </dev/null)\" -m forged").trimmingCharacters(in: .whitespacesAndNewlines)
        try editRecord(repo, "forged") { $0["head"] = forged }
        let before = try repo.userState()
        let result = try repo.spurArguments(["merge", "forged"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("does not match its refs"), "\(result.stderr)")
        #expect(try repo.userState() == before)
    }
}
