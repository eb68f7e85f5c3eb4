import Foundation
import Testing
import SpurTestSupport

@Suite struct CompareTests {
    @Test func aGroupOfThreeWithAFailingCheckIsComparedCorrectly() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let go = repo.scratch + "/go"
        let wait = "while [ ! -f \(go) ]; do sleep 0.05; done"
        #expect(try repo.spur("explore", "g", "--check", "test -f ok.txt",
                              "--run", "\(wait); echo ok > ok.txt",
                              "--run", "\(wait); printf 'a\\nb\\n' > other.txt",
                              "--run", "\(wait); echo ok > ok.txt; echo lane > src/helper.txt").status == 0)
        try repo.write("src/helper.txt", "user\n")
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        _ = try repo.spur("wait")

        struct Comparison: Decodable {
            struct Check: Decodable { let passed: Bool }
            struct Path: Decodable { let path: String; let verdict: String }
            struct Row: Decodable {
                let name: String; let state: String; let exitCode: Int32?; let check: Check?
                let changedFiles: [String]; let linesAdded: Int; let linesRemoved: Int; let overlap: [Path]
                let durationSeconds: Double?
            }
            struct Pair: Decodable { let lanes: [String]; let paths: [Path] }
            let rows: [Row]; let lanesOverlap: [Pair]
        }
        let json = try repo.spur("compare", "g", "--json")
        #expect(json.status == 0)
        let comparison = try JSONDecoder().decode(Comparison.self, from: Data(json.stdout.utf8))
        #expect(comparison.rows.map(\.name) == ["g-1", "g-2", "g-3"])
        #expect(comparison.rows.map { $0.check?.passed } == [true, false, true])
        #expect(comparison.rows.map(\.changedFiles) == [["ok.txt"], ["other.txt"], ["ok.txt", "src/helper.txt"]])
        #expect(comparison.rows[1].linesAdded == 2 && comparison.rows[1].linesRemoved == 0)
        #expect(comparison.rows.allSatisfy { $0.exitCode == 0 && $0.durationSeconds != nil })
        #expect(comparison.rows[2].overlap.map(\.path) == ["src/helper.txt"])
        #expect(comparison.rows[2].overlap.first?.verdict == "conflict")
        #expect(comparison.rows[0].overlap.isEmpty)
        #expect(comparison.lanesOverlap.map(\.lanes) == [["g-1", "g-3"]])
        #expect(comparison.lanesOverlap.first?.paths.map(\.path) == ["ok.txt"])

        let table = try repo.spur("compare", "g-1", "g-2", "g-3").stdout
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= 100 })
        #expect(table.contains("FAIL"))
        #expect(table.contains("g-3: conflicts with your edits in src/helper.txt"))
        #expect(try repo.spur("compare", "nothing-here").status == 2)
    }
}

@Suite struct DemoTests {
    @Test func theDemoTellsTheWholeStoryAndExitsZero() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let demo = try repo.spur("demo")
        #expect(demo.status == 0, "\(demo.stderr)")
        let out = demo.stdout
        #expect(out.contains("$ spur explore try"))
        #expect(out.contains("$ spur compare try"))
        #expect(out.contains("lane try-3 conflicts with your working tree; nothing was written"))
        #expect(out.contains("lane try-2 merged: wrote 1 file"))
        #expect(out.contains("return \"hello, world\""))
        #expect(out.contains("def farewell():"))
        #expect(out.contains("undid merge"))
    }
}
