import Foundation
import Testing
import SpurTestSupport

/// A repository with a committed `a.txt` (ten lines) and `b.txt`, and a linked working tree made
/// with `git worktree add` beside it (branch `side`). Returns the linked tree's root.
private func repositoryWithLinkedTree() throws -> (TestRepository, String) {
    let repository = try TestRepository.empty()
    try repository.write("a.txt", (1...10).map { "line \($0)\n" }.joined())
    try repository.write("b.txt", "b\n")
    try repository.git("add", "-A")
    try repository.git("commit", "-qm", "start")
    let linked = (repository.root as NSString).deletingLastPathComponent + "/linked"
    try repository.git("worktree", "add", "-q", "-b", "side", linked)
    return (repository, linked)
}

/// Replaces line `number` of the ten-line `a.txt` in `folder` with `text`.
private func editLine(_ number: Int, of folder: String, to text: String) throws {
    try (1...10).map { $0 == number ? text + "\n" : "line \($0)\n" }.joined()
        .write(toFile: folder + "/a.txt", atomically: false, encoding: .utf8)
}

/// The user-owned state of one working tree: its files (byte for byte) and its index file.
private func treeState(_ root: String, gitDir: String) throws -> [String: String] {
    var state = try Fingerprint.of(root)
    state.removeValue(forKey: ".git")
    state["<index>"] = FileManager.default.contents(atPath: gitDir + "/index").map { $0.base64EncodedString() } ?? "none"
    return state
}

/// spur acts on the working tree it was run in, a linked `git worktree add` one included; a lane
/// records the tree it was spawned from, and its merge, undo, overlap and guard refer to that tree.
@Suite struct LinkedWorktreeTests {
    @Test func spawnFromALinkedWorktreeSnapshotsThatTreeWithItsOwnIndex() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        try editLine(3, of: linked, to: "three in the linked tree")
        try "new in linked\n".write(toFile: linked + "/new.txt", atomically: false, encoding: .utf8)
        try "staged only\n".write(toFile: linked + "/staged.txt", atomically: false, encoding: .utf8)
        try repository.git("add", "staged.txt", cwd: linked)
        try editLine(5, of: repository.root, to: "five in the main tree")
        let linkedIndex = FileManager.default.contents(atPath: repository.root + "/.git/worktrees/linked/index")
        let expected = try repository.gitSnapshotTree(of: linked)
        #expect(expected != (try repository.gitSnapshotTree()))
        let mainBefore = try repository.userState()
        _ = try repository.spawnLane("from-linked", cwd: linked)
        #expect(try repository.revParse("spur/from-linked^{tree}") == expected)
        #expect(FileManager.default.contents(atPath: repository.root + "/.git/worktrees/linked/index") == linkedIndex)
        let mainAfter = try repository.userState()
        #expect(mainAfter == mainBefore, "\(mainAfter.differences(from: mainBefore))")
        // State is shared: the lane shows from the main tree too, naming the tree it came from.
        let listed = try repository.laneJSON("from-linked")
        #expect(listed?["workingTree"] as? String == linked)
        let table = try repository.spurSucceeds("list").stdout
        #expect(table.contains("WORKING TREE") && table.contains(linked))
        #expect(!(try repository.spurSucceeds("list", cwd: linked).stdout.contains("WORKING TREE")))
    }

    @Test func spawnWithBaseHeadFromALinkedWorktreeStartsFromItsHead() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        try "side\n".write(toFile: linked + "/side.txt", atomically: false, encoding: .utf8)
        try repository.git("add", "side.txt", cwd: linked)
        try repository.git("commit", "-qm", "on side", cwd: linked)
        _ = try repository.spawnLane("headed", "--base", "head", cwd: linked)
        #expect(try repository.revParse("spur/headed") == (try repository.revParse("side")))
    }

    @Test func mergeOfALinkedTreesLaneWritesIntoThatTreeOnlyAndUndoRestoresIt() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        try editLine(2, of: linked, to: "two in the linked tree")
        let lane = try repository.spawnLane("task", cwd: linked)
        try editLine(2, of: lane, to: "two in the linked tree")
        try (1...10).map { $0 == 2 ? "two in the linked tree\n" : $0 == 9 ? "nine by the task\n" : "line \($0)\n" }.joined()
            .write(toFile: lane + "/a.txt", atomically: false, encoding: .utf8)
        try "added by the task\n".write(toFile: lane + "/added.txt", atomically: false, encoding: .utf8)
        try repository.spurSucceeds("finish", "task")
        let linkedGitDir = repository.root + "/.git/worktrees/linked"
        let linkedBefore = try treeState(linked, gitDir: linkedGitDir)
        let mainBefore = try repository.userState()
        // Run from the main tree: the lane still merges into the tree it was spawned from.
        try repository.spurSucceeds("merge", "task")
        #expect(try String(contentsOfFile: linked + "/a.txt", encoding: .utf8).contains("nine by the task"))
        #expect(FileManager.default.fileExists(atPath: linked + "/added.txt"))
        let mainAfter = try repository.userState()
        #expect(mainAfter == mainBefore, "\(mainAfter.differences(from: mainBefore))")
        #expect(FileManager.default.contents(atPath: linkedGitDir + "/index").map { $0.base64EncodedString() } == linkedBefore["<index>"])
        // Undo (run from the main tree too) restores the tree the merge record names.
        try repository.spurSucceeds("undo")
        #expect(try treeState(linked, gitDir: linkedGitDir) == linkedBefore)
        let mainUndone = try repository.userState()
        #expect(mainUndone == mainBefore, "\(mainUndone.differences(from: mainBefore))")
    }

    @Test func anInterruptedMergeIntoALinkedWorktreeIsContinuedThereFromAnyTree() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("task", cwd: linked)
        try editLine(9, of: lane, to: "nine by the task")
        try "added by the task\n".write(toFile: lane + "/added.txt", atomically: false, encoding: .utf8)
        try repository.spurSucceeds("finish", "task")
        let mainBefore = try repository.userState()
        let killed = try repository.spur("merge", "task", env: ["SPUR_FAULT": "file-after-swap@1:kill"])
        #expect(killed.status != 0)
        // Writes go in path order: a.txt was written, added.txt not yet.
        #expect(try String(contentsOfFile: linked + "/a.txt", encoding: .utf8).contains("nine by the task"))
        #expect(!FileManager.default.fileExists(atPath: linked + "/added.txt"))
        try repository.spurSucceeds("merge", "--continue")
        #expect(FileManager.default.fileExists(atPath: linked + "/added.txt"))
        try GitSnapshot.requireWorkingTree(linked, equals: repository.revParse("refs/spur/merges/1/after^1^{tree}"),
                                           environment: repository.environment, scratch: repository.scratch)
        let mainAfter = try repository.userState()
        #expect(mainAfter == mainBefore, "\(mainAfter.differences(from: mainBefore))")
    }

    @Test func aMainTreeLaneMergedFromALinkedWorktreeGoesIntoTheMainTree() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("task")
        try editLine(9, of: lane, to: "nine by the task")
        try repository.spurSucceeds("finish", "task", cwd: linked)
        let linkedGitDir = repository.root + "/.git/worktrees/linked"
        let linkedBefore = try treeState(linked, gitDir: linkedGitDir)
        try repository.spurSucceeds("merge", "task", cwd: linked)
        #expect(try repository.read("a.txt").contains("nine by the task"))
        #expect(try treeState(linked, gitDir: linkedGitDir) == linkedBefore)
        #expect(try repository.laneJSON("task", cwd: linked)?["workingTree"] as? String == repository.root)
    }

    @Test func statusAndCheckSeeTheLinkedTreesEditsNotTheMainTrees() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("task", cwd: linked)
        try editLine(3, of: lane, to: "three by the task")
        try "b by the task\n".write(toFile: lane + "/b.txt", atomically: false, encoding: .utf8)
        try editLine(3, of: linked, to: "three in the linked tree")
        try "b in the main tree\n".write(toFile: repository.path("b.txt"), atomically: false, encoding: .utf8)
        for cwd in [linked, repository.root] {
            let status = try repository.spurSucceeds("status", "--json", cwd: cwd)
            let entries = try jsonArray(status.stdout)
            let overlap = (entries.first?["overlap"] as? [[String: Any]]) ?? []
            #expect(overlap.compactMap { $0["path"] as? String } == ["a.txt"], "from \(cwd): \(status.stdout)")
            #expect(overlap.first?["verdict"] as? String == "conflict")
        }
        let inLinked = try repository.spur("check", "a.txt", "b.txt", cwd: linked)
        #expect(inLinked.status == 1)
        #expect(inLinked.lines == ["a.txt: changed in lane task", "b.txt: changed in lane task"])
        // The lane merges into the linked tree: the main tree's guard is not about it.
        let inMain = try repository.spur("check", "a.txt", "b.txt")
        #expect(inMain.status == 0, "\(inMain.stdout)")
    }

    @Test func thePreCommitGuardInALinkedWorktreeChecksThatTreesLanesOnly() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("task", cwd: linked)
        try editLine(3, of: lane, to: "three by the task")
        let inLinked = try repository.spur("hook", "git-pre-commit", cwd: linked, stdin: "a.txt\u{0}")
        #expect(inLinked.status == 0)
        #expect(inLinked.stderr.contains("a.txt is also changed by lane task"))
        let inMain = try repository.spur("hook", "git-pre-commit", stdin: "a.txt\u{0}")
        #expect(inMain.status == 0 && inMain.stderr.isEmpty, "\(inMain.stderr)")
    }

    @Test func theClaudeHookInALinkedWorktreeSessionGuardsThatTreesFiles() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("task", cwd: linked)
        try editLine(3, of: lane, to: "three by the task")
        let reason = "spur: lane task (created) has also changed a.txt; editing it here may conflict when that lane is merged "
            + "(git config spur.guard=ask)."
        let inLinked = try repository.spur("hook", "claude", cwd: linked,
                                           stdin: Fixtures.hookPayload("pre-tool-use-edit", cwd: linked, file: linked + "/a.txt"))
        #expect(inLinked.status == 0)
        #expect(try hookAnswerObject(inLinked.stdout) == expectedDecision("ask", reason))
        // The main tree's a.txt is not where that lane merges.
        let inMain = try repository.spur("hook", "claude", stdin: Fixtures.hookPayload("pre-tool-use-edit", cwd: repository.root,
                                                                                       file: repository.path("a.txt")))
        #expect(inMain.status == 0)
        #expect(try hookAnswerObject(inMain.stdout) == nil, "\(inMain.stdout)")
    }

    @Test func spurRunInsideALaneOfALinkedWorktreeActsOnThatWorktree() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        try editLine(4, of: linked, to: "four in the linked tree")
        try editLine(6, of: repository.root, to: "six in the main tree")
        let first = try repository.spawnLane("first", cwd: linked)
        try editLine(1, of: first, to: "one by the first task")
        let expected = try repository.gitSnapshotTree(of: linked)
        _ = try repository.spawnLane("second", cwd: first)
        #expect(try repository.revParse("spur/second^{tree}") == expected)
        #expect(try repository.laneJSON("second", cwd: first)?["workingTree"] as? String == linked)
    }

    @Test func mergeAndUndoRefuseWhenTheLanesWorkingTreeIsGone() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let merged = try repository.spawnLane("merged", cwd: linked)
        try editLine(2, of: merged, to: "two by the merged task")
        try repository.spurSucceeds("finish", "merged")
        try repository.spurSucceeds("merge", "merged")
        let lane = try repository.spawnLane("task", cwd: linked)
        try editLine(9, of: lane, to: "nine by the task")
        try repository.spurSucceeds("finish", "task")
        try repository.git("worktree", "remove", "--force", linked)
        let before = try repository.userState()
        for arguments in [["merge", "task"], ["undo"]] {
            let refused = try repository.spurArguments(arguments)
            #expect(refused.status == 1, "\(arguments)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("(\(linked)) no longer exists"), "\(arguments): \(refused.stderr)")
        }
        #expect(try repository.userState() == before)
        #expect(!FileManager.default.fileExists(atPath: linked))
    }

    @Test func aLaneRecordNamingAnotherFolderAsItsWorkingTreeIsRefused() throws {
        let (repository, _) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("task")
        try editLine(9, of: lane, to: "nine by the task")
        try repository.spurSucceeds("finish", "task")
        // A task can write spur's records: pointing its lane at its own worktree (or any
        // folder) must not make spur write there.
        let record = repository.root + "/.git/spur/lanes/task.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any])
        json["workingTree"] = ["root": lane, "gitDir": repository.root + "/.git/worktrees/spur-task"]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: record))
        let laneBefore = try Fingerprint.of(lane)
        let before = try repository.userState()
        let merge = try repository.spur("merge", "task")
        #expect(merge.status == 1)
        #expect(merge.stderr.contains("is no longer a worktree of this repository"))
        #expect(try Fingerprint.of(lane) == laneBefore)
        #expect(try repository.userState() == before)
    }

    @Test func aLaneRecordedBeforeWorkingTreesWereRecordedBelongsToTheMainTree() throws {
        let (repository, linked) = try repositoryWithLinkedTree()
        defer { repository.remove() }
        let lane = try repository.spawnLane("old")
        try editLine(9, of: lane, to: "nine by the task")
        try repository.spurSucceeds("finish", "old")
        let record = repository.root + "/.git/spur/lanes/old.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any])
        json.removeValue(forKey: "workingTree")
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: record))
        #expect(try repository.laneJSON("old", cwd: linked)?["workingTree"] as? String == repository.root)
        try repository.spurSucceeds("merge", "old", cwd: linked)
        #expect(try repository.read("a.txt").contains("nine by the task"))
        #expect(!(try String(contentsOfFile: linked + "/a.txt", encoding: .utf8).contains("nine by the task")))
    }
}
