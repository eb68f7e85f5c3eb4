import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// Three states of a small repository: the committed base, your edits, the lane's edits.
struct MergeScenario: CustomTestStringConvertible, Sendable {
    let name: String
    var base: [String: String] = [:]
    /// Applied to the main working tree (your uncommitted edits).
    var ours: @Sendable (String) throws -> Void = { _ in }
    /// Applied to the lane's worktree.
    var theirs: @Sendable (String) throws -> Void = { _ in }
    var testDescription: String { name }

    static let numbered = (1...12).map { "line \($0)\n" }.joined()

    static func edit(_ text: String, _ line: Int, _ replacement: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = replacement
        return lines.joined(separator: "\n")
    }

    static let all: [MergeScenario] = [
        MergeScenario(name: "edits in different places of one file", base: ["a.txt": numbered],
                      ours: { try Files.write($0, "a.txt", edit(numbered, 2, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 11, "lane")) }),
        MergeScenario(name: "lane adds, deletes and edits while you add untracked files", base: ["a.txt": numbered, "b.txt": "b\n", "c/d.txt": "d\n"],
                      ours: { try Files.write($0, "mine/notes.txt", "notes\n"); try Files.write($0, "a.txt", edit(numbered, 1, "you")) },
                      theirs: { try Files.write($0, "new/deep/e.txt", "e\n"); try Files.remove($0, "b.txt"); try Files.write($0, "c/d.txt", "d2\n") }),
        MergeScenario(name: "both make the same change", base: ["a.txt": numbered],
                      ours: { try Files.write($0, "a.txt", edit(numbered, 4, "same")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 4, "same")) }),
        MergeScenario(name: "lane sets the executable bit, you edit the content", base: ["run.sh": "#!/bin/sh\necho hi\n"],
                      ours: { try Files.write($0, "run.sh", "#!/bin/sh\necho hello\n") },
                      theirs: { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: $0 + "/run.sh") }),
        MergeScenario(name: "lane adds links", base: ["a.txt": "a\n"],
                      theirs: { try Files.link($0, "link", to: "a.txt"); try Files.link($0, "dir/up", to: "../a.txt") }),
        MergeScenario(name: "lane turns a file into a folder", base: ["thing": "file\n", "other.txt": "o\n"],
                      ours: { try Files.write($0, "other.txt", "o by you\n") },
                      theirs: { try Files.remove($0, "thing"); try Files.write($0, "thing/inside.txt", "now a folder\n") }),
        MergeScenario(name: "lane turns a folder into a file", base: ["thing/x.txt": "x\n", "thing/y.txt": "y\n"],
                      theirs: { try Files.remove($0, "thing"); try Files.write($0, "thing", "now a file\n") }),
        MergeScenario(name: "you delete a file the lane leaves alone", base: ["a.txt": numbered, "gone.txt": "g\n"],
                      ours: { try Files.remove($0, "gone.txt") },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 6, "lane")) }),
        MergeScenario(name: "both add the same new file", base: ["a.txt": "a\n"],
                      ours: { try Files.write($0, "twin.txt", "same twin\n") },
                      theirs: { try Files.write($0, "twin.txt", "same twin\n") }),
        MergeScenario(name: "lane renames a file you did not touch", base: ["a.txt": numbered, "b.txt": "b\n"],
                      ours: { try Files.write($0, "b.txt", "b by you\n") },
                      theirs: { try FileManager.default.moveItem(atPath: $0 + "/a.txt", toPath: $0 + "/renamed.txt") }),
        MergeScenario(name: "conflict on one line", base: ["a.txt": numbered],
                      ours: { try Files.write($0, "a.txt", edit(numbered, 7, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 7, "lane")) }),
        MergeScenario(name: "you edit what the lane deletes", base: ["a.txt": numbered, "b.txt": "b\n"],
                      ours: { try Files.write($0, "b.txt", "b by you\n") },
                      theirs: { try Files.remove($0, "b.txt") }),
        MergeScenario(name: "you delete what the lane edits", base: ["a.txt": numbered],
                      ours: { try Files.remove($0, "a.txt") },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 1, "lane")) }),
        MergeScenario(name: "both add a file with different content", base: ["a.txt": "a\n"],
                      ours: { try Files.write($0, "twin.txt", "your twin\n") },
                      theirs: { try Files.write($0, "twin.txt", "lane twin\n") }),
        MergeScenario(name: "both change a binary file", base: ["blob.bin": "\u{0}\u{1}base"],
                      ours: { try Files.write($0, "blob.bin", "\u{0}\u{1}yours") },
                      theirs: { try Files.write($0, "blob.bin", "\u{0}\u{1}lane") }),
        // Found by comparing libgit2's default (Myers) line diff with git's merge (histogram) on
        // random files: Myers aligns the repeated lines so that both sides' changes touch; git
        // and libgit2's patience diff merge the file cleanly.
        MergeScenario(name: "repeated lines that git's diff algorithm merges cleanly",
                      base: ["f.c": "{\n{\nbar();\n}\n\nreturn x;\nreturn x;\nreturn x;\n"],
                      ours: { try Files.write($0, "f.c", "{\n{\nbar();\n\n\nint a;\nbar();\nreturn x;\n}\n\nreturn x;\n") },
                      theirs: { try Files.write($0, "f.c", "{\n{\nbar();\n}\nreturn x;\nreturn x;\nreturn x;\n") }),
        // Renames, followed on both sides as git's merge follows them (#16).
        MergeScenario(name: "lane moves a folder, you edit a file in it", base: ["flask/cli.py": numbered, "flask/app.py": "app\n"],
                      ours: { try Files.write($0, "flask/cli.py", edit(numbered, 2, "you")) },
                      theirs: { try FileManager.default.createDirectory(atPath: $0 + "/src", withIntermediateDirectories: true)
                                try FileManager.default.moveItem(atPath: $0 + "/flask", toPath: $0 + "/src/flask") }),
        MergeScenario(name: "lane moves and edits a file, you edit other lines", base: ["a.txt": numbered],
                      ours: { try Files.write($0, "a.txt", edit(numbered, 2, "you")) },
                      theirs: { try Files.remove($0, "a.txt"); try Files.write($0, "moved/a.txt", edit(numbered, 11, "lane")) }),
        MergeScenario(name: "you move a file, the lane edits it", base: ["a.txt": numbered, "b.txt": "b\n"],
                      ours: { try Files.remove($0, "a.txt"); try Files.write($0, "src/a.txt", edit(numbered, 2, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 11, "lane")) }),
        MergeScenario(name: "you move a file, the lane edits your lines", base: ["a.txt": numbered],
                      ours: { try Files.remove($0, "a.txt"); try Files.write($0, "src/a.txt", edit(numbered, 5, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 5, "lane")) }),
        MergeScenario(name: "both move a file to the same name with different edits", base: ["a.txt": numbered],
                      ours: { try Files.remove($0, "a.txt"); try Files.write($0, "same.txt", edit(numbered, 2, "you")) },
                      theirs: { try Files.remove($0, "a.txt"); try Files.write($0, "same.txt", edit(numbered, 11, "lane")) }),
        MergeScenario(name: "both move a file to different names", base: ["a.txt": numbered],
                      ours: { try Files.remove($0, "a.txt"); try Files.write($0, "mine.txt", numbered) },
                      theirs: { try Files.remove($0, "a.txt"); try Files.write($0, "lanes.txt", numbered) }),
        MergeScenario(name: "lane moves a file you delete", base: ["a.txt": numbered, "b.txt": "b\n"],
                      ours: { try Files.remove($0, "a.txt") },
                      theirs: { try Files.remove($0, "a.txt"); try Files.write($0, "moved.txt", numbered) }),
        MergeScenario(name: "you move a file the lane deletes", base: ["a.txt": numbered, "b.txt": "b\n"],
                      ours: { try Files.remove($0, "a.txt"); try Files.write($0, "moved.txt", numbered) },
                      theirs: { try Files.remove($0, "a.txt") }),
        // git's directory rename detection: a new file in a folder the other side moved.
        MergeScenario(name: "lane moves a folder, you add a file in it", base: ["lib/a.txt": numbered, "lib/b.txt": "b\n", "top.txt": "t\n"],
                      ours: { try Files.write($0, "lib/new.txt", "yours\n") },
                      theirs: { try FileManager.default.moveItem(atPath: $0 + "/lib", toPath: $0 + "/pkg") }),
        MergeScenario(name: "you move a folder, the lane adds a file in it", base: ["lib/a.txt": numbered, "lib/b.txt": "b\n", "top.txt": "t\n"],
                      ours: { try FileManager.default.moveItem(atPath: $0 + "/lib", toPath: $0 + "/pkg") },
                      theirs: { try Files.write($0, "lib/new.txt", "lane's\n") }),
        // Merge attributes (#16): union, binary, -merge.
        MergeScenario(name: "merge=union keeps both sides' new lines", base: ["CHANGES": "one\ntwo\n", ".gitattributes": "CHANGES merge=union\n"],
                      ours: { try Files.write($0, "CHANGES", "one\ntwo\nyours\n") },
                      theirs: { try Files.write($0, "CHANGES", "one\ntwo\nlane's\n") }),
        MergeScenario(name: "the binary attribute makes text edits on both sides conflict", base: ["a.dat": numbered, ".gitattributes": "*.dat binary\n"],
                      ours: { try Files.write($0, "a.dat", edit(numbered, 2, "you")) },
                      theirs: { try Files.write($0, "a.dat", edit(numbered, 11, "lane")) }),
        MergeScenario(name: "-merge conflicts only when both sides change the file", base: ["a.txt": numbered, "b.txt": numbered, ".gitattributes": "*.txt -merge\n"],
                      ours: { try Files.write($0, "a.txt", edit(numbered, 2, "you")); try Files.write($0, "b.txt", edit(numbered, 2, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 11, "lane")) }),
        MergeScenario(name: "merge=binary in your working tree's attributes counts", base: ["a.txt": numbered],
                      ours: { try Files.write($0, ".gitattributes", "a.txt merge=binary\n"); try Files.write($0, "a.txt", edit(numbered, 2, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 11, "lane")) }),
        // git merge-tree reads the working tree's .gitattributes only: one staged, then deleted, does not count.
        MergeScenario(name: "a .gitattributes only in your index is not read", base: ["a.txt": numbered],
                      ours: { try Files.write($0, ".gitattributes", "a.txt merge=union\n"); try stage($0, ".gitattributes")
                              try Files.remove($0, ".gitattributes"); try Files.write($0, "a.txt", edit(numbered, 5, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 5, "lane")) }),
        MergeScenario(name: "one conflict among clean paths", base: ["a.txt": numbered, "b.txt": numbered],
                      ours: { try Files.write($0, "a.txt", edit(numbered, 3, "you")); try Files.write($0, "b.txt", edit(numbered, 1, "you")) },
                      theirs: { try Files.write($0, "a.txt", edit(numbered, 3, "lane")); try Files.write($0, "b.txt", edit(numbered, 12, "lane")) }),
    ]
}

/// `git add PATH` in the working tree `root`.
private func stage(_ root: String, _ path: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", root, "add", "--", path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("git add \(path) failed in \(root)") }
}

@Suite struct MergeOracleTests {
    @Test(arguments: MergeScenario.all)
    func resultAgreesWithGitMergeTree(_ scenario: MergeScenario) throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        for (path, content) in scenario.base { try repository.write(path, content) }
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "base")
        let lane = try LaneResults.make(repository, "task", scenario.theirs)
        try scenario.ours(repository.root)
        let oracle = try GitMergeOracle.merge(repository, lane: lane)
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(Set(report.conflicts.map(\.path.text)) == oracle.conflicts, "\(scenario.name)")
        if oracle.conflicts.isEmpty {
            #expect(report.status == .merged)
            #expect(report.resultTree.hex == oracle.tree, "\(scenario.name)")
            #expect(try repository.gitSnapshotTree() == oracle.tree, "\(scenario.name): the working tree holds the merge")
            _ = try? LaneResults.undo(repository)
            #expect(try repository.fingerprint() == before, "\(scenario.name): undo")
        } else {
            #expect(report.status == .conflicts)
            #expect(try repository.fingerprint() == before, "\(scenario.name): nothing written")
        }
    }
}
