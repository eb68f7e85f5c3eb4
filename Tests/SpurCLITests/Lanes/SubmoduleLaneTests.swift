import Foundation
import Testing
import SpurTestSupport

/// A lane of a repository with initialised submodules has them checked out at the commits its
/// snapshot records, borrowed from the user's module repositories; git agrees the lane is clean.
@Suite struct SubmoduleLaneTests {
    func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The fixture: vendor/lib's HEAD moved past the superproject's commit (v2), plus an
    /// untracked file inside it.
    @Test func theLaneHasTheSubmoduleAtTheCommitTheSnapshotRecordsAndGitSeesItClean() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let userHead = trimmed(try repository.git("rev-parse", "HEAD", cwd: repository.path("vendor/lib")))
        let lane = try repository.spawnLane("one")
        let recorded = trimmed(try repository.git("rev-parse", "spur/one:vendor/lib"))
        #expect(recorded == userHead, "the snapshot records the submodule's HEAD, as git add -A does")
        #expect(trimmed(try repository.git("rev-parse", "HEAD", cwd: lane + "/vendor/lib")) == recorded)
        #expect(try String(contentsOfFile: lane + "/vendor/lib/lib.txt", encoding: .utf8) == "v2\n")
        #expect(!FileManager.default.fileExists(atPath: lane + "/vendor/lib/untracked.txt"))
        #expect(try repository.porcelainStatus(in: lane) == "")
        #expect(try repository.porcelainStatus(in: lane + "/vendor/lib") == "")
        let status = try repository.git("submodule", "status", cwd: lane)
        #expect(status.hasPrefix(" \(recorded) vendor/lib"), "git submodule status: \(status)")
        // The module repository sits under the lane's admin folder and borrows its objects.
        let module = repository.path(".git/worktrees/spur-one/modules/vendor/lib")
        #expect(trimmed(try repository.git("rev-parse", "--absolute-git-dir", cwd: lane + "/vendor/lib")) == module)
        #expect(try String(contentsOfFile: module + "/objects/info/alternates", encoding: .utf8)
                == repository.path(".git/modules/vendor/lib/objects") + "\n")
        let copied = try repository.shell("find '\(module)/objects' -type f ! -path '*/info/*' | wc -l")
        #expect(trimmed(copied) == "0", "no object is copied into the lane's module repository")
    }

    @Test func aLaneFromHeadGetsTheSubmoduleCommitHeadRecords() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let lane = try repository.spawnLane("from-head", "--base", "head")
        let recorded = trimmed(try repository.git("rev-parse", "HEAD:vendor/lib"))
        #expect(trimmed(try repository.git("rev-parse", "HEAD", cwd: lane + "/vendor/lib")) == recorded)
        #expect(try String(contentsOfFile: lane + "/vendor/lib/lib.txt", encoding: .utf8) == "v1\n")
        #expect(try repository.porcelainStatus(in: lane) == "")
    }

    @Test func spawnSaysTheSubmodulesUncommittedChangesAreNotInTheLane() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let head = trimmed(try repository.git("rev-parse", "--short=7", "HEAD", cwd: repository.path("vendor/lib")))
        let result = try repository.spur("spawn", "dirty", "--no-run")
        #expect(result.status == 0)
        #expect(result.stderr.contains("submodule vendor/lib has uncommitted changes; the lane has its commit \(head) only"), "\(result.stderr)")
        #expect(result.lines.last == repository.defaultLanePath("dirty"), "the worktree path stays the last line")

        try FileManager.default.removeItem(atPath: repository.path("vendor/lib/untracked.txt"))
        let clean = try repository.spur("spawn", "clean", "--no-run")
        #expect(clean.status == 0)
        #expect(!clean.stderr.contains("submodule"), "\(clean.stderr)")

        try repository.write("vendor/lib/lib.txt", "edited\n")
        let edited = try repository.spur("spawn", "edited", "--no-run")
        #expect(edited.stderr.contains("submodule vendor/lib has uncommitted changes"))
        #expect(try String(contentsOfFile: repository.defaultLanePath("edited") + "/vendor/lib/lib.txt", encoding: .utf8) == "v2\n")
    }

    @Test func aSubmoduleTheUserDidNotInitialiseStaysAnEmptyFolder() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        try repository.git("add", "-A")
        try repository.git("commit", "-q", "-m", "record v2")
        try repository.git("submodule", "deinit", "-q", "-f", "vendor/lib")
        let result = try repository.spur("spawn", "bare", "--no-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("submodule"), "\(result.stderr)")
        let lane = repository.defaultLanePath("bare")
        #expect(try FileManager.default.contentsOfDirectory(atPath: lane + "/vendor/lib").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repository.path(".git/worktrees/spur-bare/modules")))
        #expect(try repository.git("submodule", "status", cwd: lane).hasPrefix("-"), "git sees it uninitialised, as in the user's tree")
    }

    @Test func aRecordedCommitTheModuleRepositoryLacksLeavesTheFolderEmptyAndSpawnSaysSo() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let missing = String(repeating: "ab", count: 20)
        // A superproject commit whose gitlink names a commit no repository here has.
        let index = repository.scratch + "/other-index"
        let env = ["GIT_INDEX_FILE": index]
        try repository.git("read-tree", "HEAD", env: env)
        try repository.git("update-index", "--cacheinfo", "160000,\(missing),vendor/lib", env: env)
        let tree = trimmed(try repository.git("write-tree", env: env))
        let commit = trimmed(try repository.git("commit-tree", tree, "-p", "HEAD", "-m", "gitlink to nowhere"))
        let result = try repository.spur("spawn", "nowhere", "--no-run", "--base", commit)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("submodule vendor/lib: commit abababa is not in \(repository.path(".git/modules/vendor/lib")); its folder in the lane is empty"), "\(result.stderr)")
        let lane = repository.defaultLanePath("nowhere")
        #expect(try FileManager.default.contentsOfDirectory(atPath: lane + "/vendor/lib").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repository.path(".git/worktrees/spur-nowhere/modules/vendor/lib")))
    }

    @Test func discardRemovesTheLanesModuleRepositoryAndLeavesTheUsersIntact() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let mainModule = repository.path(".git/modules/vendor/lib")
        let refsBefore = try repository.git("--git-dir", mainModule, "for-each-ref")
        let headBefore = try repository.git("rev-parse", "HEAD", cwd: repository.path("vendor/lib"))
        try repository.spawnLane("gone")
        #expect(FileManager.default.fileExists(atPath: repository.path(".git/worktrees/spur-gone/modules/vendor/lib/HEAD")))
        try repository.spurSucceeds("discard", "gone")
        try repository.expectNoTraceOfLane("gone")
        #expect(!FileManager.default.fileExists(atPath: repository.path(".git/worktrees/spur-gone")))
        try repository.git("--git-dir", mainModule, "fsck", "--full", "--strict")
        #expect(try repository.git("--git-dir", mainModule, "for-each-ref") == refsBefore)
        #expect(try repository.git("rev-parse", "HEAD", cwd: repository.path("vendor/lib")) == headBefore)
        #expect(FileManager.default.fileExists(atPath: repository.path("vendor/lib/untracked.txt")))
        // A restored lane gets its submodules again.
        try repository.spurSucceeds("restore", "gone")
        let restored = try #require(try repository.laneJSON("gone")?["worktree"] as? String)
        #expect(try String(contentsOfFile: restored + "/vendor/lib/lib.txt", encoding: .utf8) == "v2\n")
        #expect(try repository.porcelainStatus(in: restored) == "")
    }

    /// The lane's result records the submodule commit the task made; merge reports it and
    /// writes nothing (spur never writes submodules).
    @Test func aTaskThatMovesTheSubmoduleRecordsTheNewCommitAndMergeLeavesTheUsersSubmoduleAlone() throws {
        let repository = try TestRepository.scenario("submodule")
        defer { repository.remove() }
        let userHead = try repository.git("rev-parse", "HEAD", cwd: repository.path("vendor/lib"))
        try repository.spurSucceeds("spawn", "mover", "--", "sh", "-c",
                                    "cd vendor/lib && echo v3 > lib.txt && git commit -q -am v3 && echo top > ../../top.txt")
        try repository.spurSucceeds("wait", "mover")
        let lane = repository.defaultLanePath("mover")
        let moved = trimmed(try repository.git("rev-parse", "HEAD", cwd: lane + "/vendor/lib"))
        #expect(trimmed(try repository.git("rev-parse", "spur/mover:vendor/lib")) == moved)
        #expect(moved != trimmed(userHead))
        let merge = try repository.spur("merge", "mover")
        #expect(merge.status != 0)
        #expect(merge.stdout.contains("vendor/lib") || merge.stderr.contains("vendor/lib"))
        #expect(try repository.git("rev-parse", "HEAD", cwd: repository.path("vendor/lib")) == userHead)
        #expect(!repository.exists("top.txt"))
    }

    @Test func aNestedSubmoduleIsCheckedOutToo() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        let inner = repository.scratch + "/inner", outer = repository.scratch + "/outer"
        try repository.shell("""
            set -e
            git init -q '\(inner)' && echo inner > '\(inner)/inner.txt' && git -C '\(inner)' add . && git -C '\(inner)' commit -qm inner
            git init -q '\(outer)' && echo outer > '\(outer)/outer.txt' && git -C '\(outer)' add .
            git -C '\(outer)' -c protocol.file.allow=always submodule add -q '\(inner)' deep
            git -C '\(outer)' commit -qm outer
            echo top > top.txt && git add top.txt
            git -c protocol.file.allow=always submodule add -q '\(outer)' vendor/outer
            git commit -qm top
            git -c protocol.file.allow=always submodule update -q --init --recursive
            """)
        let lane = try repository.spawnLane("nested")
        #expect(try String(contentsOfFile: lane + "/vendor/outer/deep/inner.txt", encoding: .utf8) == "inner\n")
        #expect(try repository.porcelainStatus(in: lane) == "")
        let status = try repository.git("submodule", "status", "--recursive", cwd: lane)
        #expect(!status.split(separator: "\n").contains { $0.hasPrefix("-") || $0.hasPrefix("+") }, "\(status)")
        #expect(status.contains("vendor/outer/deep"))
    }
}
