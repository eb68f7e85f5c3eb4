import Foundation
import Testing
import SpurTestSupport

@Suite struct LaneNameTests {
    static let badNames = ["a/b", "..x", "x..y", ".x", "x.lock", String(repeating: "a", count: 65), "",
                           "x.", "_x", "a b", "é", "a:b", "a~1", "a^", "a*", "a@{1}", "a\\b"]

    @Test(arguments: badNames)
    func aBadNameIsAOneLineErrorWithExitCode2AndCreatesNothing(name: String) throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let before = try repository.userState()
        let result = try repository.spur("spawn", name, "--no-run")
        #expect(result.status == 2, "'\(name)': \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "'\(name)': \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try repository.spurRefs().isEmpty)
        #expect(try repository.worktreePaths() == [repository.root])
        #expect(try repository.listJSON().isEmpty)
        let worktrees = (try? FileManager.default.contentsOfDirectory(atPath: repository.root + "/.git/spur/worktrees")) ?? []
        #expect(worktrees.isEmpty)
        #expect(try repository.userState() == before)
    }

    @Test(arguments: ["a", "9", "A.b_c-d", "v1.2", "x.locked", String(repeating: "z", count: 64)])
    func aGoodNameMakesALane(name: String) throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane(name)
        #expect(lane == repository.defaultLanePath(name))
        #expect(try repository.revParse("refs/heads/spur/\(name)").count == 40)
    }

    @Test func aNameInUseIsRefusedWithExitCode2AndTheLiveLaneIsKept() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let lane = try repository.spawnLane("taken")
        try repository.write("README.md", "changed after the first spawn\n")
        let base = try repository.revParse("spur/taken")
        let result = try repository.spur("spawn", "taken", "--no-run")
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("taken"))
        #expect(try repository.revParse("spur/taken") == base)
        #expect(try repository.porcelainStatus(in: lane) == "")
        #expect(try repository.listJSON().count == 1)
    }

    @Test func aLeftoverBranchOrFolderOfTheSameNameIsRefusedNotOverwritten() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        try repository.git("branch", "spur/mine")
        let branchResult = try repository.spur("spawn", "mine", "--no-run")
        #expect(branchResult.status == 2)
        #expect(try repository.revParse("spur/mine") == repository.revParse("HEAD"))
        #expect(try repository.spurRefs() == ["refs/heads/spur/mine"])

        try FileManager.default.createDirectory(atPath: repository.defaultLanePath("folder"), withIntermediateDirectories: true)
        try "keep me".write(toFile: repository.defaultLanePath("folder") + "/file", atomically: true, encoding: .utf8)
        let folderResult = try repository.spur("spawn", "folder", "--no-run")
        #expect(folderResult.status == 2)
        #expect(try String(contentsOfFile: repository.defaultLanePath("folder") + "/file", encoding: .utf8) == "keep me")
        #expect(try repository.spurRefs() == ["refs/heads/spur/mine"])
    }

    /// A name with control characters is echoed escaped, on one line, by every command that takes a name.
    @Test func controlCharactersInANameAreEscapedOnOneLine() throws {
        let repository = try TestRepository.scenario("lane-work")
        defer { repository.remove() }
        let spawned = try repository.spur("spawn", "a\nb\u{1B}[31m", "--no-run")
        #expect(spawned.status == 2)
        #expect(spawned.stderr == "spur: invalid lane name 'a\\nb\\033[31m': '\\n' is not allowed (use letters, digits, '.', '_' and '-')\n")
        for command in [["status"], ["discard"], ["logs"], ["wait"], ["merge"], ["diff"]] {
            let result = try repository.spurArguments(command + ["x\ny\tz"])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("'x\\ny\\tz'"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("\t"), "\(command): \(result.stderr)")
        }
    }
}
