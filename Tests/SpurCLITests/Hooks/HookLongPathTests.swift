import Foundation
import Testing
import SpurTestSupport

/// Hooks given absurdly long or deep paths answer at once and never block: their cost follows
/// the length of the path, not its square (issue 14, section 4).
@Suite struct HookLongPathTests {
    /// A repository whose lane "task" changed a.txt.
    func repositoryWithOverlap() throws -> TestRepository {
        let (repo, worktree) = try overlapRepositoryWithLane()
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        return repo
    }

    @Test func aFilePathLongerThanTheSystemAllowsIsAllowedWithAWarning() throws {
        let repo = try repositoryWithOverlap()
        defer { repo.remove() }
        // 40 KB of `/a`: before the fix the hook took over a minute and then crashed (stack overflow).
        let path = repo.root + String(repeating: "/a", count: 20 * 1024)
        let result = try repo.spur("hook", "claude",
                                   stdin: try Fixtures.hookPayload("pre-tool-use-edit", cwd: repo.root, file: path))
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "spur: warning: hook: the Edit call's file: a path of \(path.utf8.count) bytes is longer "
            + "than the system allows (4095) (allowing)\n")
    }

    @Test func aDeepPathWithinTheLimitIsStillJudged() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        // 400 folders deep, under PATH_MAX: the lane changed the file, so the person is asked.
        let deep = Array(repeating: "d", count: 400).joined(separator: "/") + "/f.txt"
        try repo.write(deep, "one\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "deep")
        try repo.spur("discard", "--force", "task")
        let lane = try repo.spawnLane("task")
        try repo.shell("echo two > \(deep)", cwd: lane)
        let asked = try repo.spur("hook", "claude",
                                  stdin: try Fixtures.hookPayload("pre-tool-use-edit", cwd: repo.root, file: repo.path(deep)))
        #expect(asked.status == 0)
        #expect(try hookAnswerObject(asked.stdout) == expectedDecision("ask",
            "spur: lane task (created) has also changed \(deep); editing it here may conflict when that lane is merged "
            + "(git config spur.guard=ask)."))
        // The same folders, one more level that does not exist anywhere: nothing to say.
        let missing = try repo.spur("hook", "claude", stdin: try Fixtures.hookPayload(
            "pre-tool-use-edit", cwd: repo.root, file: repo.path(deep + "/../../d/new.txt")))
        #expect(missing.status == 0 && missing.stdout.isEmpty && missing.stderr.isEmpty)
    }

    @Test func gitPreCommitGivenA400KBPathStillWarnsAboutTheRealOne() throws {
        let repo = try repositoryWithOverlap()
        defer { repo.remove() }
        // Before the fix this crashed (stack overflow) after 20 s of CPU.
        let staged = "a" + String(repeating: "/a", count: 200 * 1024) + "\u{0}a.txt\u{0}"
        let result = try repo.spur("hook", "git-pre-commit", stdin: staged)
        #expect(result.status == 0)
        #expect(result.stderr == "spur: warning: a.txt is also changed by lane task (created); merging that lane later may "
            + "conflict with this commit\n")
    }
}
