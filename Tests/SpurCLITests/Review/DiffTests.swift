import Foundation
import Testing
import SpurTestSupport

@Suite struct DiffTests {
    /// A lane with an edit, an addition, a deletion, an executable bit and a binary file.
    func laneWithChanges(_ repo: TestRepository) throws -> ListedLane {
        try repo.write("src/main.txt", "line 1\nline 2 (uncommitted)\nline 3\n")
        try repo.spawn("work", "--", "sh", "-c", """
            printf 'line 1\\nline 2 (uncommitted)\\nline 3\\nline 4\\n' > src/main.txt; \
            rm src/helper.txt; echo '#!/bin/sh' > run.sh; chmod +x run.sh; \
            printf '\\000\\001\\002binary' > data.bin; mkdir -p new/deep; echo deep > new/deep/file.txt
            """)
        _ = try repo.spur("wait", "work")
        return try repo.listedLane("work")
    }

    @Test func thePatchAppliedToACopyOfTheBaseReproducesTheLanesResult() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let lane = try laneWithChanges(repo)
        let patch = try repo.spur("diff", "work")
        #expect(patch.status == 0)
        #expect(!patch.stdout.contains("\u{1B}["), "a piped diff must not be coloured")
        let copy = repo.scratch + "/copy"
        try repo.git("worktree", "add", "-q", "--detach", copy, lane.base)
        try patch.stdout.write(toFile: repo.scratch + "/lane.patch", atomically: true, encoding: .utf8)
        try repo.git("apply", "--index", repo.scratch + "/lane.patch", cwd: copy)
        let tree = try repo.git("write-tree", cwd: copy).trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = try repo.git("rev-parse", "\(try #require(lane.head))^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(tree == expected)
    }

    @Test func statNameOnlyAndJSONDescribeEachFile() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        _ = try laneWithChanges(repo)
        let names = try repo.spur("diff", "work", "--name-only").lines
        #expect(names.sorted() == ["data.bin", "new/deep/file.txt", "run.sh", "src/helper.txt", "src/main.txt"])
        let stat = try repo.spur("diff", "work", "--stat").stdout
        #expect(stat.contains("src/main.txt"))
        #expect(stat.contains("Bin"))
        #expect(stat.contains("5 files changed, 3 insertions(+), 1 deletion(-)"))
        struct File: Decodable { let path: String; let added: Int; let removed: Int; let binary: Bool }
        let files = try JSONDecoder().decode([File].self, from: Data(try repo.spur("diff", "work", "--json").stdout.utf8))
        let main = try #require(files.first { $0.path == "src/main.txt" })
        #expect(main.added == 1 && main.removed == 0 && !main.binary)
        #expect(files.first { $0.path == "data.bin" }?.binary == true)
        #expect(files.first { $0.path == "src/helper.txt" }?.removed == 1)
    }

    @Test func pathsLimitTheDiffAndPathsOutsideTheRepositoryAreRefused() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        _ = try laneWithChanges(repo)
        #expect(try repo.spur("diff", "work", "--name-only", "--", "new").lines == ["new/deep/file.txt"])
        #expect(try repo.spur("diff", "work", "--name-only", "--", "main.txt", cwd: repo.path("src")).lines == ["src/main.txt"])
        #expect(try repo.spur("diff", "work", "--", "/etc/passwd").status == 2)
        #expect(try repo.spur("diff", "nope").status == 2)
    }

    @Test func aRunningLanesDiffShowsItsLiveWorktree() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try #require(try repo.spawn("live", "--no-run").lines.last)
        try "live edit\n".write(toFile: worktree + "/live.txt", atomically: true, encoding: .utf8)
        #expect(try repo.spur("diff", "live", "--name-only").lines == ["live.txt"])
    }
}

@Suite struct DiffTerminalTests {
    /// Runs `spur diff` on a pseudo-terminal (util-linux `script`), as a person would.
    func onTerminal(_ repo: TestRepository, _ environment: String) throws -> String {
        let command = "\(environment) '\(SpurExecutable.path)' diff work"
        var env = repo.environment
        env.removeValue(forKey: "NO_COLOR")
        env["TERM"] = "xterm"
        let result = try ProcessRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], cwd: repo.root, environment: env)
        return result.stdout
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func onATerminalTheDiffIsColouredAndGoesThroughGitsPager() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("work", "--", "sh", "-c", "echo added >> src/main.txt")
        _ = try repo.spur("wait", "work")
        let paged = try onTerminal(repo, "GIT_PAGER='sed s/^/PAGED:/'")
        #expect(paged.contains("PAGED:"))
        #expect(paged.contains("\u{1B}[32m+added"))
        let plain = try onTerminal(repo, "NO_COLOR=1 GIT_PAGER=cat")
        #expect(plain.contains("+added"))
        #expect(!plain.contains("\u{1B}["))
    }
}
