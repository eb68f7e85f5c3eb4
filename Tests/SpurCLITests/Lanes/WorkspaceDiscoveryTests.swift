import Foundation
import Testing
import SpurTestSupport

/// spur works from any folder of the repository and from inside a lane (finding the main
/// repository); elsewhere it says why it cannot, with exit code 2.
@Suite struct WorkspaceDiscoveryTests {
    @Test func spawnFromASubfolderSnapshotsTheWholeRepository() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let expectedTree = try repository.gitSnapshotTree()
        let lane = try repository.spawnLane("from-sub", cwd: repository.path("src/lib/deep"))
        #expect(lane == repository.defaultLanePath("from-sub"))
        #expect(try repository.revParse("spur/from-sub^{tree}") == expectedTree)
        #expect(try repository.listJSON(cwd: repository.path("dir with spaces")).count == 1)
        try repository.spurSucceeds("discard", "from-sub", cwd: repository.path("src"))
        try repository.expectNoTraceOfLane("from-sub")
    }

    @Test func fromInsideALaneSpurFindsTheMainRepository() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let first = try repository.spawnLane("first")
        try FileManager.default.createDirectory(atPath: first + "/src/inner", withIntermediateDirectories: true)
        // A lane spawned from inside a lane is a lane of the main repository, snapshotting the
        // main working tree.
        let mainTree = try repository.gitSnapshotTree()
        let second = try repository.spawnLane("second", cwd: first + "/src/inner")
        #expect(second == repository.defaultLanePath("second"))
        #expect(try repository.revParse("spur/second^{tree}") == mainTree)
        #expect(!FileManager.default.fileExists(atPath: first + "/.git/spur"))
        #expect(Set(try repository.listJSON(cwd: first).compactMap { $0["name"] as? String }) == ["first", "second"])
        try repository.spurSucceeds("discard", "second", cwd: first)
        try repository.expectNoTraceOfLane("second")
    }

    @Test func fromALaneWhoseGitFileNamesTheUserGitDirSpurStillWorksOnTheMainWorkingTree() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("borrower")
        try repository.shell("echo work > work.txt && printf 'gitdir: %s/.git\\n' '\(repository.root)' > .git", cwd: lane)
        // Taken from inside that lane, a snapshot is still of the main working tree, not of the lane's folder.
        let mainTree = try repository.gitSnapshotTree()
        let before = try repository.userState()
        let second = try repository.spawnLane("second", cwd: lane)
        #expect(second == repository.defaultLanePath("second"))
        #expect(try repository.revParse("spur/second^{tree}") == mainTree)
        let after = try repository.userState()
        #expect(after == before, "\(after.differences(from: before))")
    }

    @Test(arguments: [["list"], ["list", "--json"], ["spawn", "x", "--no-run"], ["discard", "x"]])
    func outsideAnyRepositoryItIsAOneLineErrorWithExitCode2(arguments: [String]) throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let outside = repository.scratch + "/not-a-repo"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let result = try repository.spurArguments(arguments, cwd: outside, env: ["GIT_CEILING_DIRECTORIES": repository.scratch])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("not a git repository"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    @Test(arguments: [["list"], ["spawn", "x", "--no-run"], ["discard", "x"]])
    func inABareRepositoryItIsAOneLineErrorWithExitCode2(arguments: [String]) throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let bare = repository.scratch + "/bare.git"
        try repository.git("init", "-q", "--bare", bare, cwd: repository.scratch)
        let before = try Fingerprint.of(bare)
        let result = try repository.spurArguments(arguments, cwd: bare)
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("bare"))
        #expect(try Fingerprint.of(bare) == before)
    }
}
