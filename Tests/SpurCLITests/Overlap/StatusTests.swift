import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import SpurTestSupport

/// A repository with a committed a.txt (20 numbered lines) and b.txt, and lane "task".
func overlapRepositoryWithLane() throws -> (TestRepository, String) {
    let repo = try TestRepository.empty()
    try repo.write("a.txt", (1...20).map(String.init).joined(separator: "\n") + "\n")
    try repo.write("b.txt", "b\n")
    try repo.git("add", "-A")
    try repo.git("commit", "-qm", "base")
    let spawned = try repo.spur("spawn", "task", "--no-run")
    guard spawned.status == 0, let worktree = spawned.lines.last else { throw TestFailure("spawn: \(spawned.stderr)") }
    return (repo, worktree)
}

func jsonArray(_ text: String) throws -> [[String: Any]] {
    guard let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
        throw TestFailure("not a JSON array of objects: \(text)")
    }
    return array
}

@Suite struct StatusTests {
    @Test func statusSaysWhereTheLaneCollidesWithYourEdits() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("sed -i '10,14s/$/ mine/' a.txt && echo mine > b.txt")
        try repo.shell("sed -i '12s/.*/task/' a.txt && echo task > new.txt && echo b > b.txt", cwd: worktree)
        let result = try repo.spur("status")
        #expect(result.status == 0)
        #expect(result.lines == ["task  created  2 files changed", "  1 file overlaps your edits, 1 conflicts: a.txt lines 10-14"])
    }

    @Test func statusSaysWhenThereIsNoOverlap() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("echo mine > b.txt")
        try repo.shell("sed -i '1s/.*/task/' a.txt", cwd: worktree)
        #expect(try repo.spur("status", "task").lines == ["task  created  1 file changed", "  no overlap with your edits or other lanes"])
    }

    @Test func statusJSONAddsOverlapToListsFields() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let other = try repo.spur("spawn", "other", "--no-run").lines.last ?? ""
        try repo.shell("sed -i '3s/.*/mine/' a.txt")
        try repo.shell("sed -i '3s/.*/task/' a.txt && echo t > b.txt", cwd: worktree)
        try repo.shell("echo o > b.txt", cwd: other)
        let result = try repo.spur("status", "task", "--json")
        #expect(result.status == 0)
        let lanes = try jsonArray(result.stdout)
        #expect(lanes.count == 1)
        let lane = try #require(lanes.first)
        let listed = try #require(try jsonArray(repo.spur("list", "--json").stdout).first { $0["name"] as? String == "task" })
        #expect(Set(listed.keys).isSubset(of: Set(lane.keys)))
        #expect(lane["changedFiles"] as? [String] == ["a.txt", "b.txt"])
        let overlap = try #require(lane["overlap"] as? [[String: Any]])
        #expect(overlap.map { $0["path"] as? String } == ["a.txt"])
        #expect(overlap.first?["verdict"] as? String == "conflict")
        let laneOverlaps = try #require(lane["laneOverlaps"] as? [[String: Any]])
        #expect(laneOverlaps.first?["lane"] as? String == "other")
        #expect(laneOverlaps.first?["paths"] as? [String] == ["b.txt"])
        #expect(lane["verdict"] as? String == "created; 2 files; flagged: 1 conflict with your edits in a.txt line 3; 1 conflict with lane other in b.txt")
    }

    @Test func listGainsAnOverlapColumnAndKeepsItsJSON() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("sed -i '3s/.*/mine/' a.txt")
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        let table = try repo.spur("list").lines
        #expect(table.first?.contains("OVERLAP") == true)
        #expect(table.count == 2 && table[1].contains("you 1 (1 conflict)"))
        let listed = try #require(try jsonArray(repo.spur("list", "--json").stdout).first)
        #expect(listed["overlap"] == nil && listed["laneOverlaps"] == nil)
        #expect(listed["changedFiles"] as? [String] == ["a.txt"])
    }

    @Test func aRunningTaskIsComparedLiveAndAgainOnceItEnds() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.write("a.txt", (1...20).map(String.init).joined(separator: "\n") + "\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "base")
        let edited = repo.scratch + "/edited", go = repo.scratch + "/go"
        let task = "sed -i '3s/.*/task/' a.txt && touch '\(edited)' && while [ ! -f '\(go)' ]; do sleep 0.05; done"
        #expect(try repo.spur("spawn", "task", "--", "sh", "-c", task).status == 0)
        try repo.shell("sed -i '3s/.*/mine/' a.txt")
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: edited) { usleep(50_000) }
        let running = try repo.spur("status", "task").lines
        #expect(running == ["task  running  1 file changed", "  1 file overlaps your edits, 1 conflicts: a.txt line 3"])
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        #expect(try repo.spur("wait", "task").status == 0)
        let done = try repo.spur("status", "task", "--json")
        let lane = try #require(try jsonArray(done.stdout).first)
        #expect(lane["state"] as? String == "done")
        #expect(lane["verdict"] as? String == "done; 1 file; flagged: 1 conflict with your edits in a.txt line 3")
    }

    @Test func statusOfAnUnknownLaneIsAUsageError() throws {
        let (repo, _) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let result = try repo.spur("status", "nope")
        #expect(result.status == 2)
        #expect(result.stderr.contains("no lane named 'nope'"))
    }

    @Test func statusWorksFromInsideALane() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("sed -i '3s/.*/task/' a.txt", cwd: worktree)
        #expect(try repo.spur("status", cwd: worktree).lines.first == "task  created  1 file changed")
    }

    @Test func aLaneWhoseWorktreeCannotBeReadIsReportedWithoutHidingTheOthers() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        let broken = try repo.spawnLane("broken")
        try repo.shell("sed -i '1s/.*/task/' a.txt", cwd: worktree)
        try FileManager.default.removeItem(atPath: broken + "/.git")
        let status = try repo.spur("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("task  created  1 file changed"))
        #expect(status.stdout.contains("its worktree \(broken) cannot be read"))
        let lanes = try jsonArray(repo.spurSucceeds("list", "--json").stdout)
        #expect(lanes.first { $0["name"] as? String == "task" }?["changedFiles"] as? [String] == ["a.txt"])
        // Its files may be the lane's only copy: nothing suggests the command that deletes them.
        let problem = lanes.first { $0["name"] as? String == "broken" }?["problem"] as? String
        #expect(problem?.contains("\(broken)/.git is gone") == true, "\(problem ?? "")")
        #expect(problem?.contains("--force") == false, "\(problem ?? "")")
        try repo.spurSucceeds("discard", "--force", "broken")
        try repo.expectNoTraceOfLane("broken", worktree: broken)
    }
}
