import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

@Suite struct OverlapLaneTests {
    func collision(_ report: LaneOverlapReport, with lane: String) -> [String: OverlapVerdict] {
        Dictionary(uniqueKeysWithValues: (report.withLanes.first { $0.lane == lane }?.paths ?? []).map { ($0.path.text, $0.verdict) })
    }

    @Test func twoLanesChangingTheSameLineConflictAsGitSays() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20), "b.txt": numbered(10), "c.txt": numbered(10)])
        defer { fixture.remove() }
        try fixture.spawn("one")
        try fixture.spawn("two")
        try fixture.shellInLane("one", sed(3, "one") + " && " + sed(2, "one", "b.txt") + " && " + sed(1, "one", "c.txt"))
        try fixture.shellInLane("two", sed(3, "two") + " && " + sed(9, "two", "b.txt"))
        let one = try fixture.report("one"), two = try fixture.report("two")
        #expect(collision(one, with: "two") == ["a.txt": .conflict, "b.txt": .clean])
        #expect(collision(two, with: "one") == ["a.txt": .conflict, "b.txt": .clean])
        #expect(one.withUser.isEmpty)
        let conflicts = Set(one.withLanes.flatMap(\.conflicts).map(\.path.text))
        #expect(conflicts == (try fixture.mergeTreeConflicts(lane: "one", "two")))
    }

    @Test func lanesEditingDifferentFilesDoNotCollide() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5), "b.txt": numbered(5)])
        defer { fixture.remove() }
        try fixture.spawn("one")
        try fixture.spawn("two")
        try fixture.shellInLane("one", sed(1, "one"))
        try fixture.shellInLane("two", sed(1, "two", "b.txt"))
        #expect(try fixture.report("one").withLanes.isEmpty)
        #expect(try fixture.mergeTreeConflicts(lane: "one", "two").isEmpty)
    }

    @Test func aLaneRenameIsFollowedAgainstAnotherLane() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20)])
        defer { fixture.remove() }
        try fixture.spawn("mover")
        try fixture.spawn("editor")
        try fixture.shellInLane("mover", "mv a.txt moved.txt && " + sed(18, "moved", "moved.txt"))
        try fixture.shellInLane("editor", sed(2, "edited"))
        #expect(collision(try fixture.report("editor"), with: "mover") == ["a.txt": .clean, "moved.txt": .clean])
        #expect(try fixture.mergeTreeConflicts(lane: "mover", "editor").isEmpty)
    }

    @Test func mergedLanesAndLanesWithoutAWorktreeDoNotCount() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5)])
        defer { fixture.remove() }
        for name in ["merged", "gone", "live"] {
            try fixture.spawn(name)
            try fixture.shellInLane(name, sed(1, name))
        }
        try LaneStore(workspace: fixture.workspace).update("merged") { $0.state = .merged }
        try FileManager.default.removeItem(atPath: try fixture.worktree("gone"))
        try fixture.repo.shell(sed(1, "mine"))
        let reports = try OverlapAnalyzer(workspace: fixture.workspace).reports()
        let live = try #require(reports.first { $0.lane.name == "live" })
        #expect(live.withLanes.isEmpty)
        #expect(live.verdict("a.txt") == .conflict)
        #expect(reports.filter(\.isLive).map(\.lane.name) == ["live"])
        #expect(reports.first { $0.lane.name == "merged" }?.columnText == "-")
    }

    @Test func eachLaneIsComparedWithItsOwnBase() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(10)])
        defer { fixture.remove() }
        try fixture.spawn("early")
        try fixture.repo.shell(sed(5, "mine"))
        try fixture.spawn("late")
        try fixture.shellInLane("early", sed(5, "early"))
        // "late" started from your edit and changed nothing itself: no collision with "early".
        #expect(try fixture.report("early").withLanes.isEmpty)
        #expect(try fixture.report("early").verdict("a.txt") == .conflict)
        #expect(try fixture.report("late").withUser.isEmpty)
        try fixture.shellInLane("late", sed(5, "late"))
        #expect(collision(try fixture.report("late"), with: "early") == ["a.txt": .conflict])
    }

    @Test func aLiveScanFindsExactlyWhatASnapshotWouldRecord() throws {
        let fixture = try OverlapFixture([
            "a.txt": numbered(5), "b.txt": "b\n", "keep/x.txt": "x\n", "gone/y.txt": "y\n", "gone/z/w.txt": "w\n",
            "script.sh": "echo\n", "turn-into-folder": "f\n", "folder-to-file/inner.txt": "i\n", ".gitignore": "*.log\nbuild/\n",
        ])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.shellInLane("task", """
            \(sed(2, "task")) && printf 'b\\n' > b.txt && rm -r gone && chmod +x script.sh && \
            rm turn-into-folder && mkdir turn-into-folder && echo n > turn-into-folder/n.txt && \
            rm -r folder-to-file && echo f > folder-to-file && echo new > new.txt && mkdir -p fresh/deep && echo d > fresh/deep/d.txt && \
            echo log > debug.log && mkdir -p build && echo o > build/out.o && ln -s a.txt link
            """)
        let scanned = try fixture.report("task").changedFiles
        let snapshot = try LaneInspector(workspace: fixture.workspace).currentChanges(of: fixture.lane("task"))
        #expect(scanned == snapshot)
        #expect(!scanned.contains("b.txt"))
        #expect(scanned.contains("gone/z/w.txt") && scanned.contains("link") && scanned.contains("fresh/deep/d.txt"))
    }

    @Test func contentFiltersApplyWhereAttributeFilesReach() throws {
        let fixture = try OverlapFixture(["top.txt": "1\n2\n", "sub/.gitattributes": "*.txt text\n", "sub/b.txt": "1\n2\n", "c.txt": "x\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        // Same content once normalized (sub/ has the text attribute); top.txt has none, so CRLF is a change there.
        try fixture.shellInLane("task", "printf '1\\r\\n2\\r\\n' > sub/b.txt && printf '1\\r\\n2\\r\\n' > top.txt")
        try fixture.repo.shell("printf '1\\r\\n2\\r\\n' > sub/b.txt && printf '1\\r\\n2\\r\\n' > top.txt")
        let report = try fixture.report("task")
        #expect(report.changedFiles == ["top.txt"])
        #expect(report.changedFiles == (try LaneInspector(workspace: fixture.workspace).currentChanges(of: fixture.lane("task"))))
        #expect(report.withUser.map(\.path) == ["top.txt"])
        let checked = try LaneChecker(workspace: fixture.workspace).check(["sub/b.txt", "top.txt"], cwd: fixture.repo.root)
        #expect(checked.map(\.lanes) == [[], ["task"]])
    }

    @Test func aLaneWithoutACheckoutStampIsScannedByItsCreationTime() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5), "b.txt": "b\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        let stamp = fixture.workspace.commonDir + "/worktrees/spur-task/spur-checkout-stamp"
        #expect(FileManager.default.fileExists(atPath: stamp))
        try FileManager.default.removeItem(atPath: stamp)
        try fixture.shellInLane("task", sed(1, "task") + " && echo new > new.txt")
        #expect(try fixture.report("task").changedFiles == ["a.txt", "new.txt"])
    }

    @Test func aStampWrittenForAnotherBaseProvesNothing() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5), "b.txt": "b\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        // The lane's record moves to another base while the worktree keeps the old checkout.
        try fixture.repo.shell("echo other > b.txt && git commit -qam other")
        let other = try #require(ObjectID(hex: try fixture.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)))
        try LaneStore(workspace: fixture.workspace).update("task") { $0.base = other }
        #expect(try fixture.report("task").changedFiles == ["b.txt"])
    }
}

@Suite struct OverlapWordingTests {
    @Test func theFinishVerdictSaysReadyWhenNothingConflicts() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20), "b.txt": numbered(5)])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.shellInLane("task", sed(18, "task") + " && " + sed(1, "task", "b.txt"))
        try fixture.finish("task")
        #expect(try OverlapAnalyzer(workspace: fixture.workspace).finishVerdict(forLane: "task") == "done; 2 files; ready to merge cleanly")
        try fixture.repo.shell(sed(2, "mine"))
        #expect(try OverlapAnalyzer(workspace: fixture.workspace).finishVerdict(forLane: "task")
                == "done; 2 files; ready to merge cleanly (1 file overlaps your edits and merges)")
    }

    @Test func theFinishVerdictFlagsConflictsWithYouAndWithLanes() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20), "b.txt": numbered(5), "c.txt": "c\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.spawn("other")
        try fixture.shellInLane("task", sed(3, "task") + " && " + sed(1, "task", "b.txt") + " && echo t > c.txt")
        try fixture.shellInLane("other", sed(1, "other", "b.txt"))
        try fixture.repo.shell(sed(3, "mine") + " && " + sed(5, "mine", "b.txt"))
        try fixture.finish("task")
        let report = try fixture.report("task")
        #expect(report.finishVerdict == "done; 3 files; flagged: 1 conflict with your edits in a.txt line 3; 1 conflict with lane other in b.txt")
        #expect(report.userSummary == "2 files overlap your edits, 1 conflicts: a.txt line 3")
        #expect(report.laneSummaries == ["1 file overlaps lane other, 1 conflicts: b.txt"])
        #expect(report.columnText == "you 2 (1 conflict); lane other 1 (1 conflict)")
    }

    @Test func theFinishVerdictUsesTheRecordItIsGiven() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(5), "b.txt": "b\n"])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.shellInLane("task", sed(1, "task") + " && git commit -qam result && echo later > b.txt")
        let head = try fixture.repo.git("rev-parse", "HEAD", cwd: fixture.worktree("task")).trimmingCharacters(in: .whitespacesAndNewlines)
        var lane = try fixture.lane("task")
        lane.head = ObjectID(hex: head)
        #expect(lane.head != nil)
        lane.state = .done
        // Not saved: the stored record still says "created", whose worktree holds b.txt too.
        #expect(try OverlapAnalyzer(workspace: fixture.workspace).finishVerdict(for: lane) == "done; 1 file; ready to merge cleanly")
        #expect(try OverlapAnalyzer(workspace: fixture.workspace).finishVerdict(forLane: "task") == "created; 2 files; ready to merge cleanly")
    }

    @Test func aRenamedFileCountsOnce() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20)])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.shellInLane("task", sed(3, "task"))
        try fixture.repo.shell("mv a.txt b.txt && " + sed(3, "mine", "b.txt"))
        let report = try fixture.report("task")
        #expect(report.withUser.map(\.path) == ["a.txt", "b.txt"])
        #expect(report.entry("b.txt")?.lines == [LineRange(start: 3, end: 3)])
        #expect(report.userSummary == "1 file overlaps your edits, 1 conflicts: b.txt line 3")
        #expect(report.finishVerdict == "created; 1 file; flagged: 1 conflict with your edits in b.txt line 3")
    }
}
