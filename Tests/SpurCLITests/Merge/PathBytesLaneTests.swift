import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import SpurTestSupport

/// Names are bytes through a lane's whole life: two names that are the NFC and NFD spellings of
/// one text, a name starting with a combining mark after "/", and names that are not UTF-8 stay
/// distinct and exact in the journal, in `status` and its overlap verdicts, in `diff`, in
/// `merge` (written byte-exact into your tree) and in `undo`.
@Suite struct PathBytesLaneTests {
    static let nfc = Array("\u{FC}.txt".utf8)            // c3 bc
    static let nfd = Array("u\u{308}.txt".utf8)          // 75 cc 88
    static let marked = Array("d/\u{301}x.txt".utf8)     // a combining mark right after "/"
    static let latin1: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
    static let invalid: [UInt8] = [0x6E, 0xFF, 0x2E, 0x74, 0x78, 0x74]   // "n\377.txt"

    /// `path` (relative, as bytes) under `folder`, NUL-terminated for the kernel.
    static func cPath(_ folder: String, _ path: [UInt8]) -> [CChar] {
        (Array(folder.utf8) + [0x2F] + path + [0]).map { CChar(bitPattern: $0) }
    }

    static func write(_ folder: String, _ path: [UInt8], _ content: [UInt8]) throws {
        if let slash = path.lastIndex(of: 0x2F) { mkdir(cPath(folder, Array(path[..<slash])), 0o755) }
        let descriptor = open(cPath(folder, path), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw TestFailure("cannot write \(path) in \(folder)") }
        defer { close(descriptor) }
        guard content.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == content.count else {
            throw TestFailure("short write")
        }
    }

    /// The bytes of the file `path` under `folder`; nil when there is none.
    static func read(_ folder: String, _ path: [UInt8]) -> [UInt8]? {
        let descriptor = open(cPath(folder, path), O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { return result }
            result += chunk.prefix(count)
        }
    }

    /// Names in a folder as bytes (readdir), "." and ".." left out.
    static func names(_ folder: String) -> [[UInt8]] {
        guard let handle = opendir(folder) else { return [] }
        defer { closedir(handle) }
        var result: [[UInt8]] = []
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let item = readdir(handle) {
            var bytes: [UInt8] = []
            let base = (UnsafeRawPointer(item) + offset).assumingMemoryBound(to: UInt8.self)
            var index = 0
            while base[index] != 0 { bytes.append(base[index]); index += 1 }
            if bytes != [0x2E] && bytes != [0x2E, 0x2E] { result.append(bytes) }
        }
        return result
    }

    /// `status NAME --json`'s changed files and overlap paths, each as the bytes of its string.
    static func status(_ repository: TestRepository, _ name: String) throws -> (from: String, files: [[UInt8]], overlap: [[UInt8]]) {
        let result = try repository.spurSucceeds("status", name, "--json")
        let lane = try #require(try jsonArray(result.stdout).first)
        let files = (lane["changedFiles"] as? [String] ?? []).map { Array($0.utf8) }
        let overlap = (lane["overlap"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }.map { Array($0.utf8) }
        return (lane["changesFrom"] as? String ?? "none", files, overlap)
    }

    static func committed(_ files: [([UInt8], String)]) throws -> TestRepository {
        let repository = try TestRepository.empty()
        for (path, content) in files { try write(repository.root, path, Array(content.utf8)) }
        try repository.write("keep.txt", "keep\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        return repository
    }

    @Test func aLaneEditingTheNFDNameWhileYouEditItsNFCTwinDoesNotOverlapAndEachMergesIntoItsOwnFile() throws {
        let repository = try Self.committed([(Self.nfc, "nfc\n"), (Self.nfd, "nfd\n"), (Self.marked, "marked\n")])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try Self.write(worktree, Self.nfd, Array("nfd by the lane\n".utf8))
        try Self.write(worktree, Self.marked, Array("marked by the lane\n".utf8))
        try Self.write(repository.root, Self.nfc, Array("nfc by you\n".utf8))

        let live = try Self.status(repository, "task")
        #expect(live.files == [Self.marked, Self.nfd].sorted { $0.lexicographicallyPrecedes($1) }, "from \(live.from)")
        #expect(live.overlap.isEmpty, "false overlap: \(live.overlap.map { String(decoding: $0, as: UTF8.self) })")

        try repository.spurSucceeds("finish", "task")
        let merge = try repository.spur("merge", "task")
        #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
        #expect(Self.read(repository.root, Self.nfd) == Array("nfd by the lane\n".utf8))
        #expect(Self.read(repository.root, Self.nfc) == Array("nfc by you\n".utf8))
        #expect(Self.read(repository.root, Self.marked) == Array("marked by the lane\n".utf8))
        let expected = [Array(".git".utf8), Array("d".utf8), Array("keep.txt".utf8), Self.nfc, Self.nfd].sorted { $0.lexicographicallyPrecedes($1) }
        #expect(Self.names(repository.root).sorted { $0.lexicographicallyPrecedes($1) } == expected)

        try repository.spurSucceeds("undo")
        #expect(Self.read(repository.root, Self.nfd) == Array("nfd\n".utf8))
        #expect(Self.read(repository.root, Self.nfc) == Array("nfc by you\n".utf8))
        #expect(Self.read(repository.root, Self.marked) == Array("marked\n".utf8))
    }

    @Test func twoLanesEditingNFCAndNFDTwinsDoNotOverlapAndBothMergeIntoTheirOwnFiles() throws {
        let repository = try Self.committed([(Self.nfc, "nfc\n"), (Self.nfd, "nfd\n")])
        defer { repository.remove() }
        let one = try repository.spawnLane("one")
        let two = try repository.spawnLane("two")
        try Self.write(one, Self.nfc, Array("nfc by one\n".utf8))
        try Self.write(two, Self.nfd, Array("nfd by two\n".utf8))
        for name in ["one", "two"] {
            let result = try repository.spurSucceeds("status", name, "--json")
            let lane = try #require(try jsonArray(result.stdout).first)
            let overlaps = lane["laneOverlaps"] as? [[String: Any]] ?? []
            #expect(overlaps.isEmpty, "\(name): false overlap \(overlaps)")
        }
        try repository.spurSucceeds("finish", "one")
        try repository.spurSucceeds("finish", "two")
        try repository.spurSucceeds("merge", "two")
        try repository.spurSucceeds("merge", "one")
        #expect(Self.read(repository.root, Self.nfc) == Array("nfc by one\n".utf8))
        #expect(Self.read(repository.root, Self.nfd) == Array("nfd by two\n".utf8))
    }

    @Test func theJournalKeepsNewNFCAndNFDTwinsApartAndTheMergeWritesBoth() throws {
        let repository = try Self.committed([])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try Self.write(worktree, Self.nfc, Array("one\n".utf8))
        try Self.write(worktree, Self.nfd, Array("two\n".utf8))
        let live = try Self.status(repository, "task")
        #expect(live.from == "journal")
        #expect(live.files == [Self.nfd, Self.nfc].sorted { $0.lexicographicallyPrecedes($1) })
        let scanned = try repository.spurSucceeds("status", "task", "--json", env: ["SPUR_JOURNAL": "off"])
        let lane = try #require(try jsonArray(scanned.stdout).first)
        #expect((lane["changedFiles"] as? [String] ?? []).map { Array($0.utf8) } == live.files)
        try repository.spurSucceeds("finish", "task")
        let merge = try repository.spur("merge", "task")
        #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
        #expect(Self.read(repository.root, Self.nfc) == Array("one\n".utf8))
        #expect(Self.read(repository.root, Self.nfd) == Array("two\n".utf8))
    }

    @Test func aNameThatIsNotUTF8ChangedByALaneIsListedDiffedMergedAndUndoneExactly() throws {
        let repository = try Self.committed([(Self.latin1, "one\n")])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try Self.write(worktree, Self.latin1, Array("caf".utf8) + [0xE9] + Array(" two\n".utf8))
        try Self.write(worktree, Self.invalid, Array("new\n".utf8))
        try repository.spurSucceeds("finish", "task")

        // In JSON, a name that is not UTF-8 is git's quoted form; git's own listing is the oracle.
        let listed = try Self.status(repository, "task").files.map { String(decoding: $0, as: UTF8.self) }
        let git = try repository.git("diff", "--name-only", "refs/spur/lanes/task/base", "spur/task")
            .split(separator: "\n").map(String.init)
        #expect(listed == git, "spur \(listed), git \(git)")
        #expect(listed == ["\"caf\\351.txt\"", "\"n\\377.txt\""])
        let names = try repository.spurSucceeds("diff", "task", "--name-only")
        #expect(names.lines == git)
        // The lane record keeps them in that form, and `list --json` reads them back.
        let recorded = try #require(try repository.laneJSON("task"))
        #expect(recorded["changedFiles"] as? [String] == git)

        // The patch is bytes: names quoted as git quotes them, content as it is; it applies.
        let patch = try repository.spurSucceeds("diff", "task").stdoutBytes
        #expect(patch.firstRange(of: Array("diff --git \"a/caf\\351.txt\" \"b/caf\\351.txt\"".utf8)) != nil)
        #expect(patch.firstRange(of: Array("+caf".utf8) + [0xE9] + Array(" two".utf8)) != nil)

        let merge = try repository.spur("merge", "task")
        #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
        #expect(merge.lines.contains("  M \"caf\\351.txt\"") && merge.lines.contains("  A \"n\\377.txt\""), "\(merge.stdout)")
        #expect(Self.read(repository.root, Self.latin1) == Array("caf".utf8) + [0xE9] + Array(" two\n".utf8))
        #expect(Self.read(repository.root, Self.invalid) == Array("new\n".utf8))
        #expect(!Self.names(repository.root).contains { $0.starts(with: Array("n\u{FFFD}".utf8)) || $0.starts(with: Array("caf\u{FFFD}".utf8)) })
        #expect(try repository.git("status", "--porcelain") == " M \"caf\\351.txt\"\n?? \"n\\377.txt\"\n")

        try repository.spurSucceeds("undo")
        #expect(Self.read(repository.root, Self.latin1) == Array("one\n".utf8))
        #expect(Self.read(repository.root, Self.invalid) == nil)
        #expect(try repository.git("status", "--porcelain") == "")
    }
}

/// Paths a user or a hook names arrive as text and become bytes once: NFC and NFD twins and a
/// name starting with a combining mark after "/" name exactly one file each.
@Suite struct PathBytesCheckTests {
    @Test func checkTellsNFCAndNFDTwinsApartAndFindsANameStartingWithACombiningMark() throws {
        let repository = try PathBytesLaneTests.committed([(PathBytesLaneTests.nfc, "nfc\n"), (PathBytesLaneTests.nfd, "nfd\n"),
                                                           (PathBytesLaneTests.marked, "marked\n")])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try PathBytesLaneTests.write(worktree, PathBytesLaneTests.nfd, Array("nfd by the lane\n".utf8))
        try PathBytesLaneTests.write(worktree, PathBytesLaneTests.marked, Array("marked by the lane\n".utf8))
        let names = [PathBytesLaneTests.nfc, PathBytesLaneTests.nfd, PathBytesLaneTests.marked].map { String(decoding: $0, as: UTF8.self) }
        let result = try repository.spurArguments(["check", "--json"] + names)
        #expect(result.status == 1, "\(result.stderr)")
        let entries = try jsonArray(result.stdout)
        #expect(entries.map { Array(($0["path"] as? String ?? "").utf8) } == [PathBytesLaneTests.nfc, PathBytesLaneTests.nfd, PathBytesLaneTests.marked])
        #expect(entries.map { $0["lanes"] as? [String] ?? [] } == [[], ["task"], ["task"]])
        // The same through the Claude Code hook guarding an edit of your working tree.
        for (name, changed) in zip(names, [false, true, true]) {
            let payload = try Fixtures.hookPayload("pre-tool-use-edit", cwd: repository.root, file: repository.root + "/" + name)
            let answer = try repository.spur("hook", "claude", stdin: payload)
            #expect(answer.status == 0, "\(answer.stderr)")
            #expect(answer.stdout.contains("task") == changed, "\(name): \(answer.stdout)")
        }
    }
}

extension PathBytesCheckTests {
    @Test func gitsPreCommitHookNamesAStagedFileThatIsNotUTF8WhichALaneChangedAndNotItsNFCTwin() throws {
        let repository = try PathBytesLaneTests.committed([(PathBytesLaneTests.latin1, "one\n"), (PathBytesLaneTests.nfc, "nfc\n"),
                                                           (PathBytesLaneTests.nfd, "nfd\n")])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try PathBytesLaneTests.write(worktree, PathBytesLaneTests.latin1, Array("lane\n".utf8))
        try PathBytesLaneTests.write(worktree, PathBytesLaneTests.nfd, Array("nfd by the lane\n".utf8))
        try PathBytesLaneTests.write(repository.root, PathBytesLaneTests.latin1, Array("yours\n".utf8))
        try PathBytesLaneTests.write(repository.root, PathBytesLaneTests.nfc, Array("nfc by you\n".utf8))
        try repository.git("add", "-A")
        // The staged names as git's hook passes them: NUL-separated bytes.
        let result = try ProcessRunner.run("/bin/sh", ["-c", "git diff --cached --name-only --no-renames -z | \"$0\" hook git-pre-commit",
                                                       SpurExecutable.path], cwd: repository.root, environment: repository.environment)
        #expect(result.status == 0)
        #expect(result.stderr == "spur: warning: \"caf\\351.txt\" is also changed by lane task (created); merging that lane later may "
            + "conflict with this commit\n")
    }
}

extension PathBytesCheckTests {
    @Test func aPathArgumentThatIsNotUTF8NamesItsFileInCheckAndDiff() throws {
        let repository = try PathBytesLaneTests.committed([(PathBytesLaneTests.latin1, "one\n"), (Array("other.txt".utf8), "other\n")])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try PathBytesLaneTests.write(worktree, PathBytesLaneTests.latin1, Array("lane\n".utf8))
        try PathBytesLaneTests.write(worktree, Array("other.txt".utf8), Array("lane\n".utf8))
        // The arguments reach spur as the bytes printf makes, as a shell passes them.
        func spur(_ arguments: String) throws -> ProcessResult {
            try ProcessRunner.run("/bin/sh", ["-c", "\"$0\" \(arguments)", SpurExecutable.path], cwd: repository.root,
                                  environment: repository.environment)
        }
        let check = try spur("check --json \"$(printf 'caf\\351.txt')\"")
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        let entries = try jsonArray(check.stdout)
        #expect(entries.map { $0["path"] as? String } == ["\"caf\\351.txt\""])
        #expect(entries.map { $0["lanes"] as? [String] ?? [] } == [["task"]])
        try repository.spurSucceeds("finish", "task")
        let diff = try spur("diff task --name-only -- \"$(printf 'caf\\351.txt')\"")
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.lines == ["\"caf\\351.txt\""])
    }
}

extension PathBytesCheckTests {
    @Test func theClaudeHookGuardsAFileAtTheRootWhoseNameStartsWithACombiningMark() throws {
        let marked = Array("\u{301}x.txt".utf8)
        let repository = try PathBytesLaneTests.committed([(marked, "marked\n")])
        defer { repository.remove() }
        let worktree = try repository.spawnLane("task")
        try PathBytesLaneTests.write(worktree, marked, Array("lane\n".utf8))
        let file = repository.root + "/" + String(decoding: marked, as: UTF8.self)
        let answer = try repository.spur("hook", "claude", stdin: Fixtures.hookPayload("pre-tool-use-edit", cwd: repository.root, file: file))
        #expect(answer.status == 0, "\(answer.stderr)")
        #expect(answer.stdout.contains("lane task"), "\(answer.stdout)")
        let check = try repository.spur("check", file)
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
    }
}

/// `compare` and `pick` over an explore group whose lanes made NFC and NFD twins and a name
/// that is not UTF-8.
@Suite struct PathBytesPickTests {
    @Test func compareKeepsTwinsApartAndPickWritesTheChosenLanesNamesExactly() throws {
        let repository = try PathBytesLaneTests.committed([])
        defer { repository.remove() }
        let go = repository.scratch + "/go"
        let wait = "while [ ! -f \(go) ]; do sleep 0.05; done"
        #expect(try repository.spur("explore", "g",
                                    "--run", "\(wait); echo one > \"$(printf '\\303\\274.txt')\"",
                                    "--run", "\(wait); echo two > \"$(printf 'u\\314\\210.txt')\"; echo three > \"$(printf 'caf\\351.txt')\"").status == 0)
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        _ = try repository.spur("wait")

        let json = try repository.spurSucceeds("compare", "g", "--json")
        let comparison = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = comparison["rows"] as? [[String: Any]] ?? []
        let files = rows.map { ($0["changedFiles"] as? [String] ?? []).map { Array($0.utf8) } }
        #expect(files == [[PathBytesLaneTests.nfc], [Array("\"caf\\351.txt\"".utf8), PathBytesLaneTests.nfd]])
        #expect((comparison["lanesOverlap"] as? [Any] ?? []).isEmpty, "false overlap: \(comparison["lanesOverlap"] ?? "")")

        let pick = try repository.spur("pick", "g-2")
        #expect(pick.status == 0, "\(pick.stdout)\(pick.stderr)")
        #expect(PathBytesLaneTests.read(repository.root, PathBytesLaneTests.nfd) == Array("two\n".utf8))
        #expect(PathBytesLaneTests.read(repository.root, PathBytesLaneTests.latin1) == Array("three\n".utf8))
        #expect(PathBytesLaneTests.read(repository.root, PathBytesLaneTests.nfc) == nil)
    }
}
