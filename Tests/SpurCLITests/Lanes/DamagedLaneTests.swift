import Foundation
import Testing
import SpurTestSupport

/// One lane spur cannot read (its record emptied or swapped, its base commit gone) is shown as
/// damaged and can be discarded; every other lane and command keeps working, and `check` says
/// "could not decide" (exit 3) instead of claiming a lane changed the path (issue 14, section 3).
@Suite struct DamagedLaneTests {
    /// Lane "good" changed a.txt; lane "bad" has its record emptied, as `: > bad.json` does.
    func repositoryWithDamagedLane() throws -> TestRepository {
        let (repo, worktree) = try overlapRepositoryWithLane()
        try repo.shell("echo good > a.txt", cwd: worktree)
        try repo.spurSucceeds("discard", "--force", "task")
        let good = try repo.spawnLane("good")
        try repo.shell("echo good > a.txt", cwd: good)
        _ = try repo.spawnLane("bad")
        try "".write(toFile: recordPath(repo, "bad"), atomically: false, encoding: .utf8)
        return repo
    }

    func recordPath(_ repo: TestRepository, _ name: String) -> String { repo.root + "/.git/spur/lanes/\(name).json" }

    func problem(_ repo: TestRepository) -> String {
        "its record \(recordPath(repo, "bad")) is damaged (it is empty); 'spur discard --force bad' removes the lane"
    }

    @Test func listAndStatusShowTheDamagedLaneAndKeepTheOthers() throws {
        let repo = try repositoryWithDamagedLane()
        defer { repo.remove() }
        let list = try repo.spur("list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.lines.contains { $0.hasPrefix("good ") && $0.contains("created") })
        #expect(list.lines.contains { $0.hasPrefix("bad ") && $0.contains("damaged") })
        #expect(list.lines.last == "bad: " + problem(repo))
        let entries = try repo.listJSON()
        #expect(entries.map { $0["name"] as? String } == ["good", "bad"])
        #expect(entries.last?["state"] as? String == "damaged")
        #expect(entries.last?["problem"] as? String == problem(repo))

        let other = try repo.spur("status", "good")
        #expect(other.status == 0, "\(other.stderr)")
        #expect(other.lines.first?.hasPrefix("good  created  1 file changed") == true)
        let all = try repo.spur("status")
        #expect(all.status == 1)
        #expect(all.lines.suffix(2) == ["bad  damaged", "  " + problem(repo)])
        let damaged = try repo.spur("status", "bad")
        #expect(damaged.status == 1)
        #expect(damaged.stderr == "spur: lane 'bad' cannot be read: \(problem(repo))\n")
        // wait for every running lane, and for another lane, still work.
        #expect(try repo.spur("wait").status == 0)
        #expect(try repo.spur("wait", "good").status == 0)
    }

    @Test func discardForceRemovesTheDamagedLaneAndNothingElse() throws {
        let repo = try repositoryWithDamagedLane()
        defer { repo.remove() }
        let refused = try repo.spur("discard", "bad")
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(FileManager.default.fileExists(atPath: recordPath(repo, "bad")))
        try repo.spurSucceeds("discard", "--force", "bad")
        try repo.expectNoTraceOfLane("bad")
        #expect(try repo.listJSON().map { $0["name"] as? String } == ["good"])
        #expect(try repo.revParse("refs/heads/spur/good").count == 40)
    }

    @Test func aRecordNamingAnotherLaneIsDamagedAndDiscardLeavesThatLaneAlone() throws {
        let repo = try repositoryWithDamagedLane()
        defer { repo.remove() }
        try FileManager.default.removeItem(atPath: recordPath(repo, "bad"))
        try FileManager.default.copyItem(atPath: recordPath(repo, "good"), toPath: recordPath(repo, "bad"))
        let entries = try repo.listJSON()
        #expect(entries.last?["problem"] as? String == "its record \(recordPath(repo, "bad")) names another lane ('good'); "
            + "'spur discard --force bad' removes the lane")
        try repo.spurSucceeds("discard", "--force", "bad")
        try repo.expectNoTraceOfLane("bad")
        let good = try repo.laneJSON("good")
        #expect(good?["state"] as? String == "created")
        #expect(FileManager.default.fileExists(atPath: repo.defaultLanePath("good") + "/a.txt"))
    }

    @Test func checkSaysItCouldNotDecideWithExitThree() throws {
        let repo = try repositoryWithDamagedLane()
        defer { repo.remove() }
        let undecided = try repo.spur("check", "b.txt")
        #expect(undecided.status == 3)
        #expect(undecided.lines == ["b.txt: could not decide; not known for lane bad"])
        #expect(undecided.stderr == "spur: warning: lane bad: \(problem(repo))\n")
        // A lane that could be asked and changed the path still decides: exit 1.
        let changed = try repo.spur("check", "a.txt")
        #expect(changed.status == 1)
        #expect(changed.lines == ["a.txt: changed in lane good; not known for lane bad"])
        let json = try repo.spur("check", "--json", "b.txt")
        #expect(json.status == 3)
        let entry = try jsonArray(json.stdout).first
        #expect(entry?["lanes"] as? [String] == [])
        #expect((entry?["undecided"] as? [[String: String]]) == [["lane": "bad", "reason": problem(repo)]])
    }

    @Test func hooksAllowWithANoteWhenTheyCannotDecide() throws {
        let repo = try repositoryWithDamagedLane()
        defer { repo.remove() }
        try repo.git("config", "spur.guard", "deny")
        let edit = try repo.spur("hook", "claude", stdin: try Fixtures.hookPayload("pre-tool-use-edit", cwd: repo.root,
                                                                                   file: repo.path("b.txt")))
        #expect(edit.status == 0)
        #expect(edit.stdout.isEmpty)
        #expect(edit.stderr == "spur: warning: hook: could not tell whether lane bad changed b.txt: \(problem(repo)) (allowing)\n")
        // The lane that can be read still decides.
        let denied = try repo.spur("hook", "claude", stdin: try Fixtures.hookPayload("pre-tool-use-edit", cwd: repo.root,
                                                                                     file: repo.path("a.txt")))
        #expect(jsonPath(try hookAnswerObject(denied.stdout), "hookSpecificOutput.permissionDecision") as? String == "deny")
        let commit = try repo.spur("hook", "git-pre-commit", stdin: "b.txt\u{0}")
        #expect(commit.status == 0)
        #expect(commit.stderr == "spur: warning: could not tell whether lane bad changed the staged files: \(problem(repo))\n")
    }

    @Test func aLaneWhoseBaseCommitIsGoneIsDamagedAndStatusSaysWhatIsMissing() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("echo task > b.txt", cwd: worktree)
        try repo.spurSucceeds("finish", "task")
        _ = try repo.spawnLane("other")
        let base = try repo.revParse("refs/spur/lanes/task/base")
        // What `git gc` does once nothing keeps it: the object is gone.
        try FileManager.default.removeItem(atPath: repo.root + "/.git/objects/" + base.prefix(2) + "/" + base.dropFirst(2))
        let status = try repo.spur("status", "task")
        #expect(status.status == 1)
        #expect(status.lines.first == "task  damaged  1 file changed")
        #expect(status.lines.dropFirst().first == "  its base commit \(base) is missing from the repository (garbage-collected?), "
            + "so it cannot be compared or merged; 'spur discard --force task' removes the lane")
        #expect(try repo.spur("status", "other").status == 0)
        #expect(try repo.laneJSON("task")?["state"] as? String == "damaged")
        #expect(try repo.spur("check", "b.txt").status == 3)
        try repo.spurSucceeds("discard", "--force", "task")
        try repo.expectNoTraceOfLane("task")
    }

    @Test func aFinishedLaneWithoutItsWorktreeWhoseBaseIsGoneIsNotReportedAsFine() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("echo task > b.txt", cwd: worktree)
        try repo.spurSucceeds("finish", "task")
        try FileManager.default.removeItem(atPath: worktree)
        let base = try repo.revParse("refs/spur/lanes/task/base")
        try FileManager.default.removeItem(atPath: repo.root + "/.git/objects/" + base.prefix(2) + "/" + base.dropFirst(2))
        // Before: exit 0, "1 file changed", the worktree's absence the only thing said.
        let status = try repo.spur("status", "task")
        #expect(status.status == 1)
        #expect(status.lines.first == "task  damaged  1 file changed")
        #expect(status.lines.dropFirst().first?.hasPrefix("  its base commit \(base) is missing") == true)
    }
}
