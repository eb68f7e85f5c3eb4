import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// "1\n2\n…\nn\n"
func numbered(_ count: Int) -> String { (1...count).map(String.init).joined(separator: "\n") + "\n" }

/// One way you and a task can both touch a repository, and what overlap must say about it.
struct OverlapScenario: Sendable, CustomTestStringConvertible {
    let name: String
    var base: [String: String] = ["a.txt": numbered(20), "b.txt": numbered(10)]
    /// Edits to your working tree (shell, run at the repository root).
    let user: String
    /// Edits in the lane's worktree (shell, run at the worktree root).
    let lane: String
    /// Every path both sides changed, with its verdict.
    let expected: [String: OverlapVerdict]
    /// Renames make git name a conflict by one of the file's names only.
    var followsRename = false
    var testDescription: String { name }
}

func sed(_ line: Int, _ text: String, _ file: String = "a.txt") -> String { "sed -i '\(line)s/.*/\(text)/' \(file)" }

let scenarios: [OverlapScenario] = [
    OverlapScenario(name: "edits to different files do not overlap", user: sed(3, "mine"), lane: sed(3, "task", "b.txt"), expected: [:]),
    OverlapScenario(name: "disjoint hunks in one file merge cleanly", user: sed(2, "mine"), lane: sed(18, "task"), expected: ["a.txt": .clean]),
    OverlapScenario(name: "the same line changed differently conflicts", user: sed(3, "mine"), lane: sed(3, "task"), expected: ["a.txt": .conflict]),
    OverlapScenario(name: "adjacent lines conflict as in git", user: sed(3, "mine"), lane: sed(4, "task"), expected: ["a.txt": .conflict]),
    OverlapScenario(name: "the same change on both sides is clean", user: sed(3, "same"), lane: sed(3, "same"), expected: ["a.txt": .clean]),
    OverlapScenario(name: "you delete, the task modifies: conflict", user: "rm a.txt", lane: sed(3, "task"), expected: ["a.txt": .conflict]),
    OverlapScenario(name: "you modify, the task deletes: conflict", user: sed(3, "mine"), lane: "rm a.txt", expected: ["a.txt": .conflict]),
    OverlapScenario(name: "both delete: clean", user: "rm a.txt", lane: "rm a.txt", expected: ["a.txt": .clean]),
    OverlapScenario(name: "add/add with different content conflicts", user: "printf 'one\\n' > new.txt", lane: "printf 'two\\n' > new.txt",
                    expected: ["new.txt": .conflict]),
    OverlapScenario(name: "add/add with the same content is clean", user: "printf 'same\\n' > new.txt", lane: "printf 'same\\n' > new.txt",
                    expected: ["new.txt": .clean]),
    OverlapScenario(name: "add/add with the same content and different modes conflicts",
                    user: "printf 'same\\n' > new.sh", lane: "printf 'same\\n' > new.sh && chmod +x new.sh", expected: ["new.sh": .conflict]),
    OverlapScenario(name: "a mode change against a content change is clean", user: "chmod +x a.txt", lane: sed(3, "task"),
                    expected: ["a.txt": .clean]),
    OverlapScenario(name: "a mode change with edits on both sides merges", user: "chmod +x a.txt && " + sed(2, "mine"),
                    lane: sed(18, "task"), expected: ["a.txt": .clean]),
    OverlapScenario(name: "a symlink against an edit is a type clash", user: "rm a.txt && ln -s b.txt a.txt", lane: sed(3, "task"),
                    expected: ["a.txt": .conflict]),
    OverlapScenario(name: "a symlink retargeted differently on both sides conflicts", base: ["a.txt": "x\n", "b.txt": "y\n", "c.txt": "z\n"],
                    user: "ln -sf b.txt link", lane: "ln -sf c.txt link", expected: ["link": .conflict]),
    OverlapScenario(name: "a binary file changed on both sides conflicts", base: ["bin.dat": "", "b.txt": numbered(3)],
                    user: "printf 'a\\0b\\n1\\n' > bin.dat", lane: "printf 'a\\0b\\n2\\n' > bin.dat", expected: ["bin.dat": .conflict]),
    OverlapScenario(name: "a binary file changed on one side only does not overlap", base: ["bin.dat": "", "b.txt": numbered(3)],
                    user: sed(1, "mine", "b.txt"), lane: "printf 'a\\0b\\n2\\n' > bin.dat", expected: [:]),
    OverlapScenario(name: "a file you renamed while the task edited it is reported under both names",
                    user: "mv a.txt renamed.txt", lane: sed(18, "task"), expected: ["a.txt": .clean, "renamed.txt": .clean], followsRename: true),
    OverlapScenario(name: "a file you renamed and edited on the task's lines conflicts under both names",
                    user: "mv a.txt renamed.txt && " + sed(3, "mine", "renamed.txt"), lane: sed(3, "task"),
                    expected: ["a.txt": .conflict, "renamed.txt": .conflict], followsRename: true),
    OverlapScenario(name: "a file the task renamed while you edited it is reported under both names",
                    user: sed(2, "mine"), lane: "mv a.txt moved.txt", expected: ["a.txt": .clean, "moved.txt": .clean], followsRename: true),
    OverlapScenario(name: "you delete a file the task renamed: conflict", user: "rm a.txt", lane: "mv a.txt moved.txt",
                    expected: ["a.txt": .conflict, "moved.txt": .conflict], followsRename: true),
    OverlapScenario(name: "renamed to different names on both sides conflicts", user: "mv a.txt mine.txt", lane: "mv a.txt task.txt",
                    expected: ["a.txt": .conflict, "mine.txt": .conflict, "task.txt": .conflict], followsRename: true),
    OverlapScenario(name: "renamed to the same name on both sides with disjoint edits is clean",
                    user: "mv a.txt same.txt && " + sed(2, "mine", "same.txt"), lane: "mv a.txt same.txt && " + sed(18, "task", "same.txt"),
                    expected: ["a.txt": .clean, "same.txt": .clean], followsRename: true),
    OverlapScenario(name: "repeated lines that git's diff algorithm merges cleanly are clean",
                    base: ["f.c": "{\n{\nbar();\n}\n\nreturn x;\nreturn x;\nreturn x;\n"],
                    user: "printf '{\\n{\\nbar();\\n\\n\\nint a;\\nbar();\\nreturn x;\\n}\\n\\nreturn x;\\n' > f.c",
                    lane: "printf '{\\n{\\nbar();\\n}\\nreturn x;\\nreturn x;\\nreturn x;\\n' > f.c", expected: ["f.c": .clean]),
    OverlapScenario(name: "merge=union makes new lines on both sides clean",
                    base: ["CHANGES": "one\ntwo\n", ".gitattributes": "CHANGES merge=union\n"],
                    user: "echo yours >> CHANGES", lane: "echo lane >> CHANGES", expected: ["CHANGES": .clean]),
    OverlapScenario(name: "-merge makes edits to different lines conflict", base: ["a.txt": numbered(20), ".gitattributes": "a.txt -merge\n"],
                    user: sed(2, "mine"), lane: sed(18, "task"), expected: ["a.txt": .conflict]),
    OverlapScenario(name: "a file the task moved to another folder while you edited it is clean",
                    user: sed(2, "mine"), lane: "mkdir -p src && git mv a.txt src/a.txt && " + sed(18, "task", "src/a.txt"),
                    expected: ["a.txt": .clean, "src/a.txt": .clean], followsRename: true),
    OverlapScenario(name: "edits at the end of a file without a final newline conflict",
                    base: ["a.txt": "1\n2\n3", "b.txt": "x\n"], user: "printf '1\\n2\\nmine' > a.txt", lane: "printf '1\\n2\\ntask' > a.txt",
                    expected: ["a.txt": .conflict]),
    OverlapScenario(name: "new files in a new folder on both sides conflict", user: "mkdir -p d/e && echo mine > d/e/f.txt",
                    lane: "mkdir -p d/e && echo task > d/e/f.txt", expected: ["d/e/f.txt": .conflict]),
    OverlapScenario(name: "a file you replaced by a folder conflicts with the task's edit",
                    user: "rm a.txt && mkdir a.txt && echo x > a.txt/inner", lane: sed(3, "task"), expected: ["a.txt": .conflict]),
    OverlapScenario(name: "staged edits count as yours", user: sed(3, "mine") + " && git add a.txt", lane: sed(3, "task"),
                    expected: ["a.txt": .conflict]),
    OverlapScenario(name: "an ignored file of yours does not overlap the task's new file",
                    base: ["a.txt": numbered(3), ".gitignore": "*.log\n"], user: "echo mine > out.log", lane: "echo task > out.log",
                    expected: [:]),
]

@Suite struct OverlapVerdictTests {
    @Test(arguments: scenarios)
    func verdictsMatchTheScenarioAndGitMergeTree(_ scenario: OverlapScenario) throws {
        let fixture = try OverlapFixture(scenario.base)
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.repo.shell(scenario.user)
        try fixture.shellInLane("task", scenario.lane)
        let report = try fixture.report("task")
        #expect(Dictionary(uniqueKeysWithValues: report.withUser.map { ($0.path.text, $0.verdict) }) == scenario.expected)
        let oracle = try fixture.mergeTreeConflicts(lane: "task")
        if scenario.followsRename {
            #expect(oracle.isSubset(of: report.conflictPaths))
            #expect(oracle.isEmpty == report.conflictPaths.isEmpty)
        } else {
            #expect(report.conflictPaths == oracle)
        }
    }

    @Test func aConflictNamesTheLinesOfYourFile() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20)])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.repo.shell("sed -i '10,14s/$/ mine/' a.txt")
        try fixture.shellInLane("task", sed(12, "task"))
        let entry = try #require(try fixture.report("task").entry("a.txt"))
        #expect(entry.verdict == .conflict)
        #expect(entry.lines == [LineRange(start: 10, end: 14)])
        #expect(entry.located == "a.txt lines 10-14")
    }

    @Test func theSameVerdictsHoldForALaneWithAResult() throws {
        let fixture = try OverlapFixture(["a.txt": numbered(20), "b.txt": numbered(10)])
        defer { fixture.remove() }
        try fixture.spawn("task")
        try fixture.shellInLane("task", sed(3, "task") + " && " + sed(9, "task", "b.txt") + " && git mv b.txt moved.txt")
        try fixture.finish("task")
        try fixture.repo.shell(sed(3, "mine") + " && " + sed(1, "mine", "b.txt"))
        let report = try fixture.report("task")
        #expect(report.verdict("a.txt") == .conflict)
        #expect(report.verdict("b.txt") == .clean)
        #expect(report.verdict("moved.txt") == .clean)
        #expect(report.conflictPaths == (try fixture.mergeTreeConflicts(lane: "task")))
    }
}
