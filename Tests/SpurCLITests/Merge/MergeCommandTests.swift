import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// A repository with a ten-line story and two more files, and a lane `task` that edits line 9 of
/// the story, adds `added.txt` and deletes `doomed.txt` (spawned with the CLI, its result
/// recorded in-process as `spur finish` will).
func repositoryWithLane(edit: ((String) throws -> Void)? = nil) throws -> TestRepository {
    let repository = try TestRepository.empty()
    try repository.write("story.txt", (1...10).map { "line \($0)\n" }.joined())
    try repository.write("doomed.txt", "to be deleted\n")
    try repository.write("keep.txt", "keep\n")
    try repository.git("add", "-A")
    try repository.git("commit", "-qm", "start")
    try makeLane(repository, "task") { worktree in
        if let edit { return try edit(worktree) }
        try (1...10).map { $0 == 9 ? "nine by the task\n" : "line \($0)\n" }.joined()
            .write(toFile: worktree + "/story.txt", atomically: false, encoding: .utf8)
        try "added by the task\n".write(toFile: worktree + "/added.txt", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: worktree + "/doomed.txt")
    }
    return repository
}

func makeLane(_ repository: TestRepository, _ name: String, _ edit: (String) throws -> Void) throws {
    let spawn = try repository.spur("spawn", name, "--no-run")
    guard spawn.status == 0, let worktree = spawn.lines.last else { throw TestFailure("spawn failed: \(spawn.stderr)") }
    try edit(worktree)
    let workspace = try Workspace(discoveringFrom: repository.root)
    let store = LaneStore(workspace: workspace)
    var lane = try store.require(name)
    lane.head = try Snapshot.take(workdir: worktree).commit
    lane.state = .done
    try store.save(lane)
    // As `spur finish` does: the lane's branch holds its result (merge checks it does).
    if let head = lane.head { try repository.git("update-ref", "refs/heads/spur/\(name)", head.hex) }
}

func userEditsLineTwo(_ repository: TestRepository) throws {
    try repository.write("story.txt", (1...10).map { $0 == 2 ? "two by you\n" : "line \($0)\n" }.joined())
}

func laneState(_ repository: TestRepository, _ name: String) throws -> LaneState {
    try LaneStore(workspace: Workspace(discoveringFrom: repository.root)).require(name).state
}

@Suite struct MergeCommandTests {
    @Test func markersAreWrittenAndExitOneBecauseTheFilesNeedYourEdit() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try repository.write("story.txt", (1...10).map { $0 == 9 ? "nine by you\n" : "line \($0)\n" }.joined())
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "task", "--markers")

        #expect(result.status == 1)
        #expect(result.stdout.contains("1 file left with conflict markers"))
        let story = try repository.read("story.txt")
        #expect(story.contains("<<<<<<<") && story.contains("nine by you") && story.contains("nine by the task") && story.contains(">>>>>>>"))
        #expect(try repository.read("added.txt") == "added by the task\n")
        try repository.requireWorkingTreeHoldsLastMerge()
        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == before)
    }

    @Test func conflictsExitOneListHunksAndWriteNothing() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try repository.write("story.txt", (1...10).map { $0 == 9 ? "nine by you\n" : "line \($0)\n" }.joined())
        let before = try repository.fingerprint()

        let result = try repository.spur("merge", "task")

        #expect(result.status == 1)
        #expect(result.stdout.contains("CONFLICT (content) story.txt"))
        #expect(result.stdout.contains("nine by you") && result.stdout.contains("nine by the task"))
        #expect(result.stdout.contains("nothing was written"))
        #expect(try repository.fingerprint() == before)
    }

    @Test func jsonReportsChangesAndTheUndoRecord() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)

        let result = try repository.spur("merge", "task", "--json")

        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "merged")
        #expect(object["undoID"] as? Int == 1)
        try repository.requireWorkingTree(equals: try #require(object["resultTree"] as? String))
        let changes = try #require(object["changes"] as? [[String: String]])
        #expect(changes == [["path": "added.txt", "change": "added"], ["path": "doomed.txt", "change": "deleted"],
                            ["path": "story.txt", "change": "modified"]])
        let list = try repository.spur("undo", "--list")
        #expect(list.stdout.contains("task") && list.stdout.contains("applied"))
    }

    @Test func badOptionsAreUsageErrors() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        #expect(try repository.spur("merge", "task", "--ours", "--theirs").status == 2)
        #expect(try repository.spur("merge").status == 2)
        #expect(try repository.spur("merge", "nope").status == 2)
        #expect(try repository.spur("merge", "task", "--continue").status == 2)
        #expect(try repository.spur("undo").status == 1)
    }

    @Test func anEditRacingTheMergeIsNotOverwrittenAndTheMergeIsRedone() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)
        let marker = repository.scratch + "/edited"
        let hook = "if [ \"$SPUR_FAULT_DETAIL\" = story.txt ] && [ ! -e '\(marker)' ]; then printf 'typed during the merge\\n' >> story.txt; touch '\(marker)'; fi"

        let result = try repository.spur("merge", "task", env: ["SPUR_FAULT": "file-before-swap:exec", "SPUR_FAULT_EXEC": hook])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker))
        let story = try repository.read("story.txt")
        #expect(story.contains("two by you") && story.contains("typed during the merge") && story.contains("nine by the task"))
        #expect(try repository.read("added.txt") == "added by the task\n")
        try repository.requireWorkingTreeHoldsLastMerge()
    }

    @Test func aMergeThatKeepsRacingStopsWithNothingHalfApplied() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)
        let before = try repository.fingerprint()
        let hook = "if [ \"$SPUR_FAULT_DETAIL\" = story.txt ]; then printf 'typed again\\n' >> story.txt; fi"

        let result = try repository.spur("merge", "task", env: ["SPUR_FAULT": "file-before-swap:exec", "SPUR_FAULT_EXEC": hook])

        #expect(result.status == 1)
        #expect(result.stderr.contains("story.txt") && result.stderr.contains("nothing was changed"))
        var expected = before
        let typed = "\(try #require(before["story.txt"]?.split(separator: ":").prefix(2).joined(separator: ":"))):"
        expected["story.txt"] = typed + Data((try repository.read("story.txt")).utf8).base64EncodedString()
        #expect(try repository.fingerprint() == expected)
        #expect(try repository.read("story.txt").components(separatedBy: "typed again").count == 4)
        #expect(try repository.read("story.txt").contains("two by you"))
        #expect(try laneState(repository, "task") == .done)
        #expect(try repository.spur("undo").status == 1)
    }

    @Test func aMergeKilledBetweenFilesLeavesWholeFilesIsNoticedAndCanBeContinued() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)
        let before = try repository.fingerprint()

        let killed = try repository.spur("merge", "task", env: ["SPUR_FAULT": "file-after-swap@2:kill"])

        #expect(killed.status != 0)
        let after = try repository.fingerprint()
        // Removals go first (doomed.txt), then writes in path order (added.txt): story.txt is untouched.
        #expect(after["doomed.txt"] == nil && after["added.txt"] != nil)
        #expect(after["story.txt"] == before["story.txt"])
        #expect(after.keys.allSatisfy { !$0.contains(".spur-") })
        let list = try repository.spur("list")
        #expect(list.stderr.contains("interrupted") && list.stderr.contains("spur merge --continue"))
        let refused = try repository.spur("merge", "task")
        #expect(refused.status == 1 && refused.stderr.contains("interrupted"))

        let continued = try repository.spur("merge", "--continue")

        #expect(continued.status == 0, "\(continued.stderr)")
        try repository.requireWorkingTreeHoldsLastMerge()
        let story = try repository.read("story.txt")
        #expect(story.contains("two by you") && story.contains("nine by the task"))
        #expect(try laneState(repository, "task") == .merged)
        #expect(try repository.spur("list").stderr.isEmpty)
        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == before)
    }

    @Test(arguments: ["merge-after-record", "file-before-swap@1", "file-before-swap@3", "file-after-swap@1",
                      "file-after-swap@3", "merge-before-finish"])
    func aMergeKilledAnywhereIsUndoneExactly(point: String) throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try userEditsLineTwo(repository)
        let before = try repository.fingerprint()

        let killed = try repository.spur("merge", "task", env: ["SPUR_FAULT": "\(point):kill"])
        #expect(killed.status != 0)
        #expect(try repository.spur("list").stderr.contains("interrupted"), "\(point)")

        let undo = try repository.spur("undo")

        #expect(undo.status == 0, "\(point): \(undo.stderr)")
        #expect(try repository.fingerprint() == before, "\(point)")
        #expect(try laneState(repository, "task") == .done)
        #expect(try repository.spur("list").stderr.isEmpty)
    }

    @Test func aSecondMergeWaitsForTheFirstAndMergesOnItsResult() throws {
        let repository = try repositoryWithLane()
        defer { repository.remove() }
        try makeLane(repository, "other") { worktree in
            try (1...10).map { $0 == 4 ? "four by other\n" : "line \($0)\n" }.joined()
                .write(toFile: worktree + "/story.txt", atomically: false, encoding: .utf8)
        }
        let started = repository.scratch + "/started"
        let hook = "touch '\(started)'; sleep 2"
        nonisolated(unsafe) var first: ProcessResult?
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            first = try? repository.spur("merge", "task", env: ["SPUR_FAULT": "file-before-swap@1:exec", "SPUR_FAULT_EXEC": hook])
            group.leave()
        }
        while !FileManager.default.fileExists(atPath: started) { usleep(20_000) }

        let second = try repository.spur("merge", "other")
        group.wait()

        #expect(first?.status == 0)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("waiting"))
        let story = try repository.read("story.txt")
        #expect(story.contains("nine by the task") && story.contains("four by other"))
        try repository.requireWorkingTreeHoldsLastMerge()
    }
}
