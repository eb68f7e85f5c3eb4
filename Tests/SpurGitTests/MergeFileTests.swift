import Foundation
import Testing
import SpurGit
import SpurTestSupport

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct MergeFileTests {
    let base = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n"

    @Test func separateChangesMergeCleanly() throws {
        let result = try FileMerge.merge(base: bytes(base), ours: bytes(base.replacingOccurrences(of: "two", with: "TWO")),
                                         theirs: bytes(base.replacingOccurrences(of: "six", with: "SIX")))
        #expect(result.isClean && !result.isBinary)
        #expect(String(decoding: result.bytes, as: UTF8.self) == "one\nTWO\nthree\nfour\nfive\nSIX\nseven\n")
    }

    @Test func conflictsMatchGitMergeFileDiff3ByteForByte() throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let ours = base.replacingOccurrences(of: "three", with: "three (ours)") + "eight\n"
        let theirs = base.replacingOccurrences(of: "three", with: "three (theirs)").replacingOccurrences(of: "seven", with: "")
        for (name, text) in [("base", base), ("ours", ours), ("theirs", theirs)] {
            try text.write(toFile: repository.scratch + "/" + name, atomically: false, encoding: .utf8)
        }
        for style in [ConflictStyle.diff3, .merge] {
            var arguments = ["merge-file", "-p", "-L", "mine", "-L", "original", "-L", "yours", "ours", "base", "theirs"]
            if style == .diff3 { arguments.insert("--diff3", at: 2) }
            let git = try ProcessRunner.run("/usr/bin/git", arguments, cwd: repository.scratch, environment: repository.environment)
            let options = MergeFileOptions(baseLabel: "original", oursLabel: "mine", theirsLabel: "yours", style: style)
            let result = try FileMerge.merge(base: bytes(base), ours: bytes(ours), theirs: bytes(theirs), options: options)
            #expect(!result.isClean)
            #expect(git.status > 0)
            #expect(String(decoding: result.bytes, as: UTF8.self) == git.stdout, "\(style)")
        }
    }

    @Test func aFavouredSideSettlesConflicts() throws {
        let ours = base.replacingOccurrences(of: "four", with: "4 ours")
        let theirs = base.replacingOccurrences(of: "four", with: "4 theirs")
        let taken = try FileMerge.merge(base: bytes(base), ours: bytes(ours), theirs: bytes(theirs),
                                        options: MergeFileOptions(favor: .theirs))
        #expect(taken.isClean)
        #expect(taken.bytes == bytes(theirs))
    }

    @Test func binaryInputsAreAConflictUnlessASideIsFavoured() throws {
        let conflict = try FileMerge.merge(base: [0, 1, 2], ours: [0, 1, 3], theirs: [0, 1, 4])
        #expect(!conflict.isClean && conflict.isBinary && conflict.bytes.isEmpty)
        let ours = try FileMerge.merge(base: [0, 1, 2], ours: [0, 1, 3], theirs: [0, 1, 4], options: MergeFileOptions(favor: .ours))
        #expect(ours.isClean && ours.bytes == [0, 1, 3])
    }

    @Test func bothAddingAFileMergesAgainstAnEmptyBase() throws {
        let same = try FileMerge.merge(base: nil, ours: bytes("x\n"), theirs: bytes("x\n"))
        #expect(same.isClean && same.bytes == bytes("x\n"))
        let different = try FileMerge.merge(base: nil, ours: bytes("x\n"), theirs: bytes("y\n"))
        #expect(!different.isClean)
    }

    @Test func blobHashEqualsGitHashObject() throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        for text in ["", "hello\n", String(repeating: "abc", count: 10_000)] {
            try text.write(toFile: repository.scratch + "/f", atomically: false, encoding: .utf8)
            let git = try ProcessRunner.run("/usr/bin/git", ["hash-object", "f"], cwd: repository.scratch, environment: repository.environment)
            #expect(try ObjectID.blobHash(of: bytes(text)).hex == git.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test func treeEditsTurnFilesIntoFoldersAndBack() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write("thing", "file\n")
        try repository.write("dir/a.txt", "a\n")
        try repository.write("dir/b.txt", "b\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        let git = try Repository(path: repository.root)
        let start = try git.treeID(ofCommit: try git.commitID(forRevision: "HEAD"))
        let blob = try git.writeBlob(bytes("new\n"))

        let edited = try git.tree(start, applying: [
            TreeEdit(path: "thing", action: .remove),
            TreeEdit(path: "thing/inside.txt", action: .upsert(blob, .blob)),
            TreeEdit(path: "dir/a.txt", action: .remove),
            TreeEdit(path: "dir/b.txt", action: .remove),
            TreeEdit(path: "dir", action: .upsert(blob, .executable)),
        ])

        let listing = try repository.git("ls-tree", "-r", edited.hex)
        #expect(listing == "100755 blob \(blob.hex)\tdir\n100644 blob \(blob.hex)\tthing/inside.txt\n")
    }
}
