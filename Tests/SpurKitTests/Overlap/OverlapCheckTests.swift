import Foundation
import Testing
import SpurKit
import SpurTestSupport

@Suite struct OverlapCheckTests {
    @Test func aLaneWithAResultIsCheckedAgainstItsResultCommit() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5), "b.txt": "b\n", "c.txt": "c\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.shellInLane("task", sed(1, "task") + " && git mv b.txt moved.txt")
        try fixture.finish("task")
        // Left in the worktree after the result was taken: not part of the lane's result.
        try fixture.shellInLane("task", "echo later > c.txt")
        let checker = LaneChecker(workspace: fixture.workspace)
        let results = try checker.check(["a.txt", "b.txt", "moved.txt", "c.txt", "."], cwd: fixture.repo.root)
        #expect(results.map(\.lanes) == [["task"], ["task"], ["task"], [], ["task"]])
        #expect(results.map(\.path) == ["a.txt", "b.txt", "moved.txt", "c.txt", ""])
    }

    @Test func theWholeWorktreeCanBeChecked() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5)])
        defer { fixture.remove() }
        try fixture.spawn("task")
        let checker = LaneChecker(workspace: fixture.workspace)
        #expect(try checker.check(["."], cwd: fixture.repo.root).first?.lanes == [])
        try fixture.shellInLane("task", "mkdir -p x/y && echo z > x/y/z.txt")
        #expect(try checker.check(["."], cwd: fixture.repo.root).first?.lanes == ["task"])
    }
}
