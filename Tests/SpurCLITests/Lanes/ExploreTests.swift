import Foundation
import Testing
import SpurTestSupport

/// Checks after a task, sequential lanes, and explore groups.
@Suite struct ExploreTests {
    @Test func aCheckCommandRunsAfterTheTaskAndIsRecordedWithoutChangingTheResult() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("checked", "--check", "echo checking; touch made-by-check; test -f out.txt", "--",
                       "sh", "-c", "echo out > out.txt")
        try repo.spawn("unchecked", "--check", "echo nope; exit 3", "--", "true")
        _ = try repo.spur("wait")
        let json = try repo.spur("list", "--json").stdout
        let lanes = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let checked = try #require(lanes.first { $0["name"] as? String == "checked" }?["check"] as? [String: Any])
        #expect(checked["passed"] as? Bool == true)
        #expect((checked["outputTail"] as? String)?.contains("checking") == true)
        #expect(checked["durationSeconds"] is Double)
        let failed = try #require(lanes.first { $0["name"] as? String == "unchecked" }?["check"] as? [String: Any])
        #expect(failed["passed"] as? Bool == false)
        #expect(failed["exitCode"] as? Int == 3)
        // The check's own files are not part of the result.
        #expect(try repo.listedLane("checked").changedFiles == ["out.txt"])
        #expect(try repo.spur("logs", "checked").stdout.contains("--- spur check"))
    }

    @Test func aLaneAfterAnotherStartsFromItsResultOnceItEndsDone() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let go = repo.scratch + "/go"
        try repo.spawn("first", "--", "sh", "-c", "while [ ! -f \(go) ]; do sleep 0.05; done; echo one > one.txt")
        let second = try repo.spawn("second", "--after", "first", "--", "sh", "-c", "cat one.txt > two.txt")
        #expect(second.stdout.contains("queued"))
        #expect(try repo.listedLane("second").state == "queued")
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        #expect(try repo.spur("wait", "second").status == 0)
        let lane = try repo.listedLane("second")
        #expect(lane.state == "done")
        #expect(lane.base == (try repo.listedLane("first").head))
        #expect(try repo.git("show", "spur/second:two.txt") == "one\n")
        #expect(lane.changedFiles == ["two.txt"])
    }

    @Test func aLaneAfterAFailedOneIsNotStartedAndSaysWhy() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let go = repo.scratch + "/go"
        try repo.spawn("broken", "--", "sh", "-c", "while [ ! -f \(go) ]; do sleep 0.05; done; exit 1")
        try repo.spawn("next", "--after", "broken", "--", "sh", "-c", "echo should-not-run > ran.txt")
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        #expect(try repo.spur("wait", "next").status == 1)
        let lane = try repo.listedLane("next")
        #expect(lane.state == "failed")
        #expect(lane.reason?.contains("'broken' ended failed") == true)
        #expect(!FileManager.default.fileExists(atPath: lane.worktree + "/ran.txt"))
        // After the failure is known, a new --after is refused at once.
        let refused = try repo.spur("spawn", "later", "--after", "broken", "--", "true")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not started"))
    }

    @Test func aLaneAfterADiscardedOneIsNotStarted() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("manual", "--no-run")
        try repo.spawn("follow", "--after", "manual", "--", "true")
        #expect(try repo.spur("discard", "manual").status == 0)
        #expect(try repo.spur("wait", "follow").status == 1)
        #expect(try repo.listedLane("follow").reason?.contains("discarded") == true)
    }

    @Test func exploreStartsEveryLaneOfTheGroupFromOneSnapshot() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.write("src/main.txt", "uncommitted\n")
        let explore = try repo.spur("explore", "idea", "--run", "echo a > a.txt", "--run", "echo b > b.txt",
                                    "--run", "exit 1", "-m", "three ways")
        #expect(explore.status == 0)
        _ = try repo.spur("wait")
        let lanes = try repo.listedLanes().filter { $0.name.hasPrefix("idea-") }
        #expect(lanes.map(\.name) == ["idea-1", "idea-2", "idea-3"])
        #expect(Set(lanes.map(\.base)).count == 1)
        #expect(lanes.map(\.state) == ["done", "done", "failed"])
        #expect(lanes.allSatisfy { $0.description == "three ways" })
        #expect(try repo.git("show", "\(lanes[0].base):src/main.txt") == "uncommitted\n")
    }

    @Test func exploreVariantsSeeTheirNumber() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        #expect(try repo.spur("explore", "v", "--variants", "3", "--", "sh", "-c", "echo $SPUR_VARIANT > variant.txt").status == 0)
        _ = try repo.spur("wait")
        for i in 1...3 {
            #expect(try repo.git("show", "spur/v-\(i):variant.txt") == "\(i)\n")
        }
        #expect(try repo.spur("explore", "v", "--variants", "2", "--", "true").status == 2)
        #expect(try repo.spur("explore", "w").status == 2)
    }
}

@Suite struct PickTests {
    @Test func pickMergesOneLaneAndDiscardsTheRestOfItsGroup() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.write("docs/index.md", "# Docs\nuser notes\n")
        #expect(try repo.spur("explore", "g", "--run", "echo one > one.txt", "--run", "echo two > two.txt",
                              "--run", "echo three > three.txt").status == 0)
        _ = try repo.spur("wait")
        let pick = try repo.spur("pick", "g-2")
        #expect(pick.status == 0)
        #expect(pick.stdout.contains("discarded lane g-1"))
        #expect(try repo.read("two.txt") == "two\n")
        #expect(!repo.exists("one.txt") && !repo.exists("three.txt"))
        #expect(try repo.read("docs/index.md") == "# Docs\nuser notes\n")
        try repo.requireWorkingTreeHoldsLastMerge()
        let lanes = try repo.listedLanes()
        #expect(lanes.map(\.name) == ["g-2"])
        #expect(lanes.first?.state == "merged")
        #expect(try repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/spur/").trimmingCharacters(in: .whitespacesAndNewlines) == "spur/g-2")
    }

    @Test func pickRefusesAConflictingLaneAndChangesNothing() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let go = repo.scratch + "/go"
        #expect(try repo.spur("explore", "c", "--run", "while [ ! -f \(go) ]; do sleep 0.05; done; echo lane > src/helper.txt",
                              "--run", "echo other > other.txt").status == 0)
        try repo.write("src/helper.txt", "user\n")
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        _ = try repo.spur("wait")
        let before = try repo.fingerprint()
        let pick = try repo.spur("pick", "c-1")
        #expect(pick.status == 1)
        #expect(pick.stdout.contains("src/helper.txt"))
        #expect(try repo.fingerprint() == before)
        #expect(try repo.listedLanes().map(\.name) == ["c-1", "c-2"])
    }
}
