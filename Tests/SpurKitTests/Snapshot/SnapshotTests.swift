import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// Every scenario a snapshot must record exactly as `git add -A` would.
let snapshotScenarios = [
    "everything-dirty", "ignore-rules", "xdg-ignore", "type-changes", "type-changes-staged",
    "unborn", "unborn-empty", "clean", "merge-conflict", "intent-to-add", "racy-edit", "autocrlf",
    "embedded-repository", "skip-worktree", "submodule",
]

@Suite struct SnapshotTests {
    /// Takes a snapshot in-process with libgit2 reading the repository's pinned configuration.
    func snapshot(_ repository: TestRepository) throws -> Snapshot {
        try PinnedLibgit2.run(for: repository) { try Snapshot.take(workdir: repository.root) }
    }

    @Test(arguments: snapshotScenarios)
    func snapshotTreeEqualsTheTreeGitAddAllWrites(scenario: String) throws {
        let repository = try TestRepository.scenario(scenario)
        defer { repository.remove() }
        let snapshot = try snapshot(repository)
        #expect(snapshot.tree.hex == (try repository.gitSnapshotTree()), "scenario \(scenario)")
        #expect(try repository.revParse("\(snapshot.commit.hex)^{tree}") == snapshot.tree.hex)
    }

    @Test(arguments: snapshotScenarios)
    func snapshotLeavesIndexHeadBranchesStashAndWorkingTreeUnchanged(scenario: String) throws {
        let repository = try TestRepository.scenario(scenario)
        defer { repository.remove() }
        let before = try repository.userState()
        _ = try snapshot(repository)
        let after = try repository.userState()
        #expect(after == before, "scenario \(scenario) changed: \(after.differences(from: before))")
        #expect(try repository.spurRefs().isEmpty)
    }

    @Test(arguments: snapshotScenarios)
    func snapshotsParentIsHeadOrNothingOnAnUnbornHead(scenario: String) throws {
        let repository = try TestRepository.scenario(scenario)
        defer { repository.remove() }
        let head = try? repository.revParse("HEAD")
        let snapshot = try snapshot(repository)
        #expect(snapshot.parent?.hex == head)
        let parents = try repository.git("rev-list", "--parents", "-n", "1", snapshot.commit.hex)
            .split(whereSeparator: \.isWhitespace).dropFirst().map(String.init)
        #expect(parents == (head.map { [$0] } ?? []))
    }

    @Test func snapshotRecordsEachKindOfChange() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let commit = try snapshot(repository).commit.hex
        let entries = try treeEntries(repository, commit)
        // Staged, staged-then-edited, unstaged and untracked content.
        #expect(try blob(repository, commit, "README.md") == "one\ntwo\nstaged line\n")
        #expect(try blob(repository, commit, "src/lib/mod.rs") == "pub fn lib() {}\nstaged then edited\nedited after staging\n")
        #expect(try blob(repository, commit, "src/lib/deep/leaf.txt") == "deep\nunstaged\n")
        #expect(try blob(repository, commit, "src/staged-new.rs") == "new staged file\n")
        #expect(try blob(repository, commit, "new/nested/deeper/file.txt") == "untracked\n")
        #expect(try blob(repository, commit, "ünïcödé dir/日本語.txt") == "x\n")
        #expect(try blob(repository, commit, "dir with spaces/file name.txt") == "spaced\n")
        #expect(try blob(repository, commit, "docs/résumé – naïve.md") == "unicode\n")
        #expect(entries["new/with\ttab.txt"] != nil)
        #expect(entries["new/with \"quote\".txt"] != nil)
        #expect(entries["new/empty-file"]?.mode == "100644")
        // Deletions (staged and unstaged) and renames (staged and by hand).
        #expect(entries["docs/gone.md"] == nil)
        #expect(entries["docs/old.md"] == nil)
        #expect(entries["docs/before.md"] == nil && entries["docs/after.md"] != nil)
        #expect(entries["docs/moved-by-hand.md"] == nil && entries["docs/moved-here.md"] != nil)
        // Executable bits both ways.
        #expect(entries["run.sh"]?.mode == "100755")
        #expect(entries["tool.sh"]?.mode == "100644")
        // Symlinks are recorded as links (mode 120000, the target as content), dangling ones too.
        #expect(entries["link-to-main"]?.mode == "120000")
        #expect(try blob(repository, commit, "link-to-main") == "README.md")
        #expect(entries["link-to-dir"]?.mode == "120000")
        #expect(try blob(repository, commit, "link-to-dir") == "dir with spaces")
        #expect(entries["dangling-link"]?.mode == "120000")
        // Stashed content and empty folders are not part of the working tree.
        #expect(entries["stash-only.txt"] == nil)
        #expect(!entries.keys.contains { $0.hasPrefix("empty-untracked-dir") })
    }

    @Test func snapshotHonoursGitignoreInfoExcludeAndCoreExcludesFile() throws {
        let repository = try TestRepository.scenario("ignore-rules")
        defer { repository.remove() }
        let paths = Set(try treeEntries(repository, snapshot(repository).commit.hex).keys)
        for ignored in ["debug.log", "build/out.o", "sub/secret", "scratch.tmp", "local-only/notes.txt",
                        "data.global-ignored", "sub/deeper/also.global-ignored"] {
            #expect(!paths.contains(ignored), "\(ignored) is ignored but was recorded")
        }
        for kept in ["keep.log", "sub/visible.txt", "notes.txt", "tracked.log", ".gitignore", "sub/.gitignore", "sub/a.txt"] {
            #expect(paths.contains(kept), "\(kept) is not ignored but was left out")
        }
        #expect(try blob(repository, snapshot(repository).commit.hex, "tracked.log") == "tracked despite rule\nchanged\n")
    }

    @Test func snapshotRecordsFilesThatBecameFoldersAndBack() throws {
        let repository = try TestRepository.scenario("type-changes")
        defer { repository.remove() }
        let entries = try treeEntries(repository, snapshot(repository).commit.hex)
        #expect(entries["was-file"] == nil && entries["was-file/child.txt"]?.mode == "100644")
        #expect(entries["was-folder"]?.mode == "100644" && entries["was-folder/inner.txt"] == nil)
        #expect(entries["becomes-link"]?.mode == "120000")
        #expect(entries["was-link"]?.mode == "100644")
        #expect(entries["round-trip"]?.mode == "100644" && entries["round-trip/x"] == nil)
    }

    @Test func snapshotOnAnUnbornHeadHasNoParentAndRecordsEveryFile() throws {
        let repository = try TestRepository.scenario("unborn")
        defer { repository.remove() }
        let snapshot = try snapshot(repository)
        #expect(snapshot.parent == nil)
        let entries = try treeEntries(repository, snapshot.commit.hex)
        #expect(Set(entries.keys) == [".gitignore", "src/staged.txt", "untracked.txt", "run.sh", "link"])
        #expect(entries["run.sh"]?.mode == "100755" && entries["link"]?.mode == "120000")
        #expect(try blob(repository, snapshot.commit.hex, "src/staged.txt") == "staged\nedited after staging\n")
    }

    @Test func snapshotKeepsSparseEntriesInsteadOfRecordingThemAsDeleted() throws {
        let repository = try TestRepository.scenario("skip-worktree")
        defer { repository.remove() }
        let commit = try snapshot(repository).commit.hex
        #expect(try blob(repository, commit, "sparse/hidden.txt") == "kept in index\n")
        // assume-unchanged: git add -A does not look at the file, neither does the snapshot.
        #expect(try blob(repository, commit, "assumed.txt") == "assumed\n")
        #expect(try blob(repository, commit, "a.txt") == "a\nb\n")
    }

    @Test func snapshotRecordsARepositoryInsideTheWorkingTreeAsAGitlink() throws {
        let repository = try TestRepository.scenario("embedded-repository")
        defer { repository.remove() }
        let entries = try treeEntries(repository, snapshot(repository).commit.hex)
        #expect(entries["inner"] == Entry(mode: "160000", id: try repository.revParse("HEAD", cwd: repository.path("inner"))))
        #expect(entries["inner/inner.txt"] == nil)
    }

    @Test func snapshotRecordsASubmodulesCheckedOutCommit() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let entries = try treeEntries(repository, snapshot(repository).commit.hex)
        #expect(entries["vendor/lib"] == Entry(mode: "160000", id: try repository.revParse("HEAD", cwd: repository.path("vendor/lib"))))
        #expect(entries[".gitmodules"] != nil)
    }

    @Test func snapshotOfAMergeInProgressRecordsTheConflictedFileAsItIs() throws {
        let repository = try TestRepository.scenario("merge-conflict")
        defer { repository.remove() }
        let commit = try snapshot(repository).commit.hex
        #expect(try blob(repository, commit, "conflicted.txt").contains("<<<<<<<"))
        #expect(try blob(repository, commit, "from-other.txt") == "other side\n")
        #expect(try blob(repository, commit, "untracked.txt") == "untracked during merge\n")
    }

    @Test func snapshotOfAnUnchangedTreeIsHeadsTree() throws {
        let repository = try TestRepository.scenario("clean")
        defer { repository.remove() }
        #expect(try snapshot(repository).tree.hex == repository.revParse("HEAD^{tree}"))
    }

    @Test func treeIDEqualsTheTreeOfATakenSnapshot() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let tree = try PinnedLibgit2.run(for: repository) { try Snapshot.treeID(workdir: repository.root) }
        #expect(tree == (try snapshot(repository).tree))
    }

    // MARK: - Helpers

    struct Entry: Equatable { let mode: String; let id: String }

    /// Every blob and link of a commit's tree, by path (`git ls-tree -r -z`).
    func treeEntries(_ repository: TestRepository, _ commit: String) throws -> [String: Entry] {
        var result: [String: Entry] = [:]
        for record in try repository.git("ls-tree", "-r", "-z", commit).split(separator: "\0") {
            guard let tab = record.firstIndex(of: "\t") else { continue }
            let fields = record[..<tab].split(separator: " ")
            result[String(record[record.index(after: tab)...])] = Entry(mode: String(fields[0]), id: String(fields[2]))
        }
        return result
    }

    func blob(_ repository: TestRepository, _ commit: String, _ path: String) throws -> String {
        try repository.git("cat-file", "-p", "\(commit):\(path)")
    }
}
