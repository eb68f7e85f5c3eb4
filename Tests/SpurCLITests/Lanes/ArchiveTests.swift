import Foundation
import Testing
import SpurTestSupport

/// A removed lane is never lost: discard, pick and the discard of a damaged lane first keep the
/// lane's final state and record under `refs/spur/archive/NAME/TIME`; `list --archived` shows
/// them, `restore` brings one back as a finished lane, `gc` prunes old ones (issue 16, section 4).
@Suite struct ArchiveTests {
    func archived(_ repo: TestRepository) throws -> [[String: Any]] {
        let result = try repo.spurSucceeds("list", "--archived", "--json")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// The archive's record blob, as git reads it.
    func archivedRecord(_ repo: TestRepository, _ ref: String) throws -> String {
        try repo.git("cat-file", "blob", ref + ":spur-lane.json")
    }

    /// The tree a commit records, or (for `REV:PATH`) the tree at that path.
    func tree(_ repo: TestRepository, _ revision: String) throws -> String {
        try repo.revParse(revision.contains(":") ? revision : revision + "^{tree}")
    }

    @Test func discardedLaneIsListedArchivedAndRestoresDiffableMergeableAndUndoable() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spurSucceeds("spawn", "fix", "-m", "fix the docs", "--", "sh", "-c",
                              "echo fixed >> docs/index.md && echo new > src/new.txt && rm src/helper.txt")
        try repo.spurSucceeds("wait", "fix")
        let result = try repo.revParse("spur/fix")
        let base = try repo.revParse("refs/spur/lanes/fix/base")
        let record = try String(contentsOfFile: repo.path(".git/spur/lanes/fix.json"), encoding: .utf8)
        let before = try repo.userState()

        try repo.spurSucceeds("discard", "--force", "fix")
        try repo.expectNoTraceOfLane("fix")
        let refs = try repo.archiveRefs()
        #expect(refs.count == 1)
        let ref = try #require(refs.first)
        // git reads the result's tree, the record byte for byte, and the base as reachable.
        #expect(try tree(repo, ref + ":result") == tree(repo, result))
        #expect(try archivedRecord(repo, ref) == record)
        #expect(try repo.git("merge-base", "--is-ancestor", base, ref).isEmpty)
        #expect(try repo.git("merge-base", "--is-ancestor", result, ref).isEmpty)

        let listed = try archived(repo)
        #expect(listed.count == 1)
        #expect(listed.first?["name"] as? String == "fix")
        #expect(listed.first?["description"] as? String == "fix the docs")
        #expect(listed.first?["changedFiles"] as? [String] == ["docs/index.md", "src/helper.txt", "src/new.txt"])
        #expect(listed.first?["ref"] as? String == ref)
        let time = try #require(listed.first?["time"] as? String)
        #expect(ref.hasSuffix("/" + time))
        let table = try repo.spurSucceeds("list", "--archived")
        #expect(table.lines.contains { $0.hasPrefix("fix ") && $0.contains(time) && $0.contains("fix the docs") })

        let restored = try repo.spurSucceeds("restore", "fix", "--at", time)
        let worktree = try #require(restored.lines.last)
        #expect(try repo.revParse("spur/fix") == result)
        #expect(try repo.revParse("refs/spur/lanes/fix/base") == base)
        // A fresh worktree checked out from the result: git sees it clean at the result.
        #expect(try repo.gitSnapshotTree(of: worktree) == tree(repo, result))
        #expect(try repo.porcelainStatus(in: worktree).isEmpty)
        let lane = try repo.listedLane("fix")
        #expect(lane.state == "done")
        let diff = try repo.spurSucceeds("diff", "fix")
        #expect(diff.stdout.contains("+fixed") && diff.stdout.contains("src/new.txt") && diff.stdout.contains("src/helper.txt"))
        try repo.spurSucceeds("merge", "fix")
        #expect(try repo.gitSnapshotTree() == tree(repo, result))
        try repo.spurSucceeds("undo")
        #expect(try repo.userState() == before)
        // The archive is kept until gc prunes it.
        #expect(try repo.archiveRefs() == refs)
    }

    @Test func discardOfAnUnfinishedLaneArchivesItsWorktreeAsGitWouldCommitIt() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("draft")
        try repo.shell("echo more >> src/main.txt && echo untracked > notes.txt && rm docs/index.md", cwd: worktree)
        let expected = try repo.gitSnapshotTree(of: worktree)
        try repo.spurSucceeds("discard", "--force", "draft")
        let ref = try #require(try repo.archiveRefs().first)
        #expect(try tree(repo, ref + ":result") == expected)
        #expect(try repo.git("merge-base", "--is-ancestor", "\(ref)^2", "\(ref)^1").isEmpty, "the base is not behind the snapshot")

        try repo.spurSucceeds("restore", "draft")
        #expect(try repo.listedLane("draft").state == "done")
        try repo.spurSucceeds("merge", "draft")
        #expect(try repo.read("notes.txt") == "untracked\n")
        #expect(!repo.exists("docs/index.md"))
    }

    @Test func aFinishedLanesWorktreeEditedAfterItsResultIsArchivedAsItIsNow() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("later")
        try repo.shell("echo result > result.txt", cwd: worktree)
        try repo.spurSucceeds("finish", "later")
        let result = try repo.revParse("spur/later")
        try repo.shell("echo afterwards > afterwards.txt", cwd: worktree)
        let expected = try repo.gitSnapshotTree(of: worktree)
        try repo.spurSucceeds("discard", "--force", "later")
        let ref = try #require(try repo.archiveRefs().first)
        #expect(try tree(repo, ref + ":result") == expected)
        #expect(try repo.revParse(ref + "^1^") == result, "the later edits sit on the result")

        // Unchanged since its result, a finished lane's archive is its result commit itself.
        let same = try repo.spawnLane("same")
        try repo.shell("echo same > same.txt", cwd: same)
        try repo.spurSucceeds("finish", "same")
        let sameResult = try repo.revParse("spur/same")
        try repo.spurSucceeds("discard", "--force", "same")
        let sameRef = try #require(try repo.archiveRefs().first { $0.hasPrefix("refs/spur/archive/same/") })
        #expect(try repo.revParse(sameRef + "^1") == sameResult)
    }

    @Test func discardOfALaneWhoseWorktreeWasRemovedArchivesItsBranch() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("gone")
        try repo.shell("echo committed > kept.txt && git add kept.txt && git commit -q -m kept", cwd: worktree)
        let branch = try repo.revParse("spur/gone")
        try FileManager.default.removeItem(atPath: worktree)
        try repo.spurSucceeds("discard", "--force", "gone")
        try repo.expectNoTraceOfLane("gone")
        let ref = try #require(try repo.archiveRefs().first)
        #expect(try repo.revParse(ref + "^1") == branch)
        #expect(try repo.git("cat-file", "blob", ref + ":result/kept.txt") == "committed\n")
    }

    @Test func pickKeepsTheLosersInTheArchive() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        #expect(try repo.spur("explore", "g", "--run", "echo one > one.txt", "--run", "echo two > two.txt").status == 0)
        _ = try repo.spur("wait")
        let loser = try repo.revParse("spur/g-1")
        try repo.spurSucceeds("pick", "g-2")
        let listed = try archived(repo)
        #expect(listed.map { $0["name"] as? String } == ["g-1"])
        #expect(listed.first?["result"] as? String == loser)
        #expect(listed.first?["changedFiles"] as? [String] == ["one.txt"])
        try repo.spurSucceeds("restore", "g-1")
        let diff = try repo.spurSucceeds("diff", "g-1")
        #expect(diff.stdout.contains("+one"))
    }

    @Test func gcRemovesOnlyArchivesOlderThanTheCutOff() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        for name in ["old", "new"] {
            _ = try repo.spawnLane(name)
            try repo.spurSucceeds("discard", "--force", name)
        }
        // An archive taken 40 days ago: its time is its ref's last component.
        let oldRef = try #require(try repo.archiveRefs().first { $0.hasPrefix("refs/spur/archive/old/") })
        let aged = "refs/spur/archive/old/" + Self.stamp(Date().addingTimeInterval(-40 * 86400))
        try repo.git("update-ref", aged, oldRef)
        try repo.git("update-ref", "-d", oldRef)
        let newRefs = try repo.archiveRefs().filter { $0.hasPrefix("refs/spur/archive/new/") }
        #expect(newRefs.count == 1)

        let dry = try repo.spurSucceeds("gc", "--dry-run")
        #expect(dry.stdout.contains("would prune old"))
        #expect(!dry.stdout.contains("new"))
        #expect(try repo.archiveRefs().count == 2)
        try repo.spurSucceeds("gc")
        #expect(try repo.archiveRefs() == newRefs)
        try repo.spurSucceeds("gc", "--older-than", "1h")
        #expect(try repo.archiveRefs() == newRefs)
        let bad = try repo.spur("gc", "--older-than", "soon")
        #expect(bad.status == 2)
        #expect(bad.stderr.split(separator: "\n").count == 1)
        #expect(try repo.archiveRefs() == newRefs)
        try repo.spurSucceeds("gc", "--older-than", "0s")
        #expect(try repo.archiveRefs().isEmpty)
    }

    @Test func restoreOfALiveLaneIsRefusedAndOfAnUnknownOneIsBadInput() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("twice")
        try repo.shell("echo first > first.txt", cwd: worktree)
        try repo.spurSucceeds("discard", "--force", "twice")
        let again = try repo.spawnLane("twice")
        try repo.shell("echo second > second.txt", cwd: again)
        let refs = try repo.spurRefs()
        let files = try Fingerprint.of(again)

        let live = try repo.spur("restore", "twice")
        #expect(live.status == 1)
        #expect(live.stderr.split(separator: "\n").count == 1 && live.stderr.contains("exists"))
        #expect(try repo.spurRefs() == refs)
        #expect(try Fingerprint.of(again) == files)

        let unknown = try repo.spur("restore", "nobody")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        try repo.spurSucceeds("discard", "--force", "twice")
        #expect(try repo.archiveRefs().count == 2)
        let noSuchTime = try repo.spur("restore", "twice", "--at", "19990101")
        #expect(noSuchTime.status == 2)
        #expect(try repo.spur("restore", "bad/name").status == 2)
        #expect(try repo.spurRefs().isEmpty)
        // Without --at, the latest archive comes back.
        let restored = try repo.spurSucceeds("restore", "twice")
        let path = try #require(restored.lines.last)
        #expect(FileManager.default.fileExists(atPath: path + "/second.txt"))
        #expect(!FileManager.default.fileExists(atPath: path + "/first.txt"))
    }

    @Test func discardOfADamagedLaneArchivesWhatCanBeReadAndIsNotBlockedByTheRest() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("bad")
        try repo.shell("echo edited >> src/main.txt", cwd: worktree)
        let expected = try repo.gitSnapshotTree(of: worktree)
        try "not json".write(toFile: repo.path(".git/spur/lanes/bad.json"), atomically: false, encoding: .utf8)
        try repo.spurSucceeds("discard", "--force", "bad")
        try repo.expectNoTraceOfLane("bad")
        let ref = try #require(try repo.archiveRefs().first)
        #expect(try archivedRecord(repo, ref) == "not json")
        #expect(try tree(repo, ref + ":result") == expected)
        #expect(try archived(repo).first?["state"] as? String == "damaged")

        // Its worktree's link broken and its record emptied: the branch is kept.
        let second = try repo.spawnLane("worse")
        try repo.shell("echo committed > c.txt && git add c.txt && git commit -q -m c", cwd: second)
        let branch = try repo.revParse("spur/worse")
        try "gitdir: /nowhere\n".write(toFile: second + "/.git", atomically: false, encoding: .utf8)
        try "".write(toFile: repo.path(".git/spur/lanes/worse.json"), atomically: false, encoding: .utf8)
        try repo.spurSucceeds("discard", "--force", "worse")
        try repo.expectNoTraceOfLane("worse")
        let kept = try #require(try repo.archiveRefs().first { $0.hasPrefix("refs/spur/archive/worse/") })
        #expect(try repo.revParse(kept + "^1") == branch)
        // A restored damaged lane starts from the archive alone.
        try repo.spurSucceeds("restore", "worse")
        #expect(try repo.listedLane("worse").state == "done")
        #expect(try repo.spurSucceeds("diff", "worse").stdout.contains("c.txt"))
    }

    @Test func aLaneThatCannotBeArchivedIsNotDiscarded() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try repo.spawnLane("stuck")
        try repo.shell("echo work > work.txt", cwd: worktree)
        // A file where the lane's archive folder would go: git cannot write refs/spur/archive/stuck/TIME.
        try repo.shell("mkdir -p .git/refs/spur/archive && echo blocked > .git/refs/spur/archive/stuck")
        let refs = try repo.spurRefs()
        let files = try Fingerprint.of(worktree)
        let refused = try repo.spur("discard", "--force", "stuck")
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("cannot archive lane 'stuck'") && refused.stderr.contains("nothing of it was removed"))
        #expect(try repo.spurRefs() == refs)
        #expect(try Fingerprint.of(worktree) == files)
        #expect(try repo.listedLane("stuck").state == "created")
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}
