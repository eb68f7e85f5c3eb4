import Foundation
import Testing
import SpurTestSupport

/// Lane state is written under a lock: spawns started at the same moment all get distinct,
/// intact lanes.
@Suite struct ConcurrentSpawnTests {
    /// Starts `names.count` spawns at once from one shell (`&` then `wait`) and returns each
    /// one's exit status, stdout and stderr.
    func spawnAtOnce(_ repository: TestRepository, _ names: [String], extra: String = "") throws -> [String: (status: Int, stdout: String, stderr: String)] {
        let out = repository.scratch + "/concurrent"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let script = names.enumerated().map { index, name in
            "( '\(SpurExecutable.path)' spawn \(name) --no-run \(extra) > '\(out)/\(index).out' 2> '\(out)/\(index).err'; echo $? > '\(out)/\(index).rc' ) &"
        }.joined(separator: "\n") + "\nwait\n"
        try repository.shell(script)
        var results: [String: (Int, String, String)] = [:]
        for (index, name) in names.enumerated() {
            let read = { (suffix: String) in (try? String(contentsOfFile: "\(out)/\(index).\(suffix)", encoding: .utf8)) ?? "" }
            results["\(index):\(name)"] = (Int(read("rc").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, read("out"), read("err"))
        }
        return results
    }

    func expectIntactLanes(_ repository: TestRepository, _ names: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let listed = try repository.listJSON()
        #expect(Set(listed.compactMap { $0["name"] as? String }) == Set(names), sourceLocation: sourceLocation)
        let worktrees = listed.compactMap { $0["worktree"] as? String }
        #expect(Set(worktrees).count == names.count, sourceLocation: sourceLocation)
        let gitWorktrees = try repository.worktreePaths()
        #expect(Set(gitWorktrees) == Set([repository.root] + worktrees), "git worktree list disagrees: \(gitWorktrees)", sourceLocation: sourceLocation)
        let fsck = try ProcessRunner.run("/usr/bin/git", ["fsck", "--full", "--strict"], cwd: repository.root, environment: repository.environment)
        #expect(fsck.status == 0, "git fsck: \(fsck.stdout) \(fsck.stderr)", sourceLocation: sourceLocation)
        #expect(!fsck.stderr.contains("error") && !fsck.stdout.contains("error"), sourceLocation: sourceLocation)
        let expectedTree = try repository.gitSnapshotTree()
        for name in names {
            let lane = repository.defaultLanePath(name)
            #expect(try repository.revParse("spur/\(name)^{tree}") == expectedTree, sourceLocation: sourceLocation)
            #expect(try repository.revParse("refs/spur/lanes/\(name)/base") == repository.revParse("spur/\(name)"), sourceLocation: sourceLocation)
            #expect(try repository.git("symbolic-ref", "HEAD", cwd: lane) == "refs/heads/spur/\(name)\n", sourceLocation: sourceLocation)
            #expect(try repository.porcelainStatus(in: lane) == "", sourceLocation: sourceLocation)
        }
    }

    @Test func twoSpawnsAtTheSameMomentBothSucceedWithDistinctLanes() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let before = try repository.userState()
        let names = ["left", "right"]
        let results = try spawnAtOnce(repository, names)
        for (key, result) in results { #expect(result.status == 0, "\(key): \(result.stderr)") }
        try expectIntactLanes(repository, names)
        #expect(try repository.userState() == before)
    }

    @Test func eightSpawnsAtTheSameMomentAllSucceedWithDistinctLanes() throws {
        let repository = try TestRepository.scenario("everything-dirty")
        defer { repository.remove() }
        let before = try repository.userState()
        let names = (1...8).map { "lane-\($0)" }
        let results = try spawnAtOnce(repository, names)
        for (key, result) in results { #expect(result.status == 0, "\(key): \(result.stderr)") }
        let paths = results.values.compactMap { $0.stdout.split(separator: "\n").last.map(String.init) }
        #expect(Set(paths) == Set(names.map { repository.defaultLanePath($0) }))
        try expectIntactLanes(repository, names)
        #expect(try repository.userState() == before)
    }

    @Test func twoSpawnsOfOneNameAtOnceMakeOneLaneAndRefuseTheOther() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let results = try spawnAtOnce(repository, ["same", "same"])
        let statuses = results.values.map(\.status).sorted()
        #expect(statuses == [0, 2], "\(results)")
        try expectIntactLanes(repository, ["same"])
    }
}
