import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport


/// A working tree as text files of lines; every line written is a unique token like `<u12-3>`,
/// so "no byte the user wrote is lost" becomes "every token line of yours is still there".
typealias LineFiles = [String: [String]]

private let pathPool = ["a.txt", "b.txt", "c.md", "dir/d.txt", "dir/e.txt", "dir/sub/f.txt", "g/h.txt"]

/// Random edits by one side: inserts, deletions, replacements and appends of lines, deleted and
/// new files. Tokens carry `side` so each line says who wrote it.
private struct EditScript {
    let side: String
    let iteration: Int
    var counter = 0

    mutating func token() -> String {
        counter += 1
        return "<\(side)\(iteration)-\(counter)>"
    }

    mutating func apply(to files: inout LineFiles, using rng: inout SeededGenerator) {
        for path in files.keys.sorted() {
            guard var lines = files[path] else { continue }
            if Int.random(in: 0..<10, using: &rng) == 0 { files[path] = nil; continue }
            // A move without edits: git and libgit2 see the same (exact) rename.
            if Int.random(in: 0..<8, using: &rng) == 0, let target = pathPool.filter({ files[$0] == nil }).randomElement(using: &rng) {
                files[path] = nil
                files[target] = lines
                continue
            }
            guard Bool.random(using: &rng) else { continue }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: lines.insert(token(), at: Int.random(in: 0...lines.count, using: &rng))
                case 1 where !lines.isEmpty: lines.remove(at: Int.random(in: 0..<lines.count, using: &rng))
                case 2 where !lines.isEmpty: lines[Int.random(in: 0..<lines.count, using: &rng)] = token()
                default: lines.append(token())
                }
            }
            files[path] = lines
        }
        if Int.random(in: 0..<6, using: &rng) == 0, let path = pathPool.filter({ files[$0] == nil }).randomElement(using: &rng) {
            files[path] = (0..<Int.random(in: 1...4, using: &rng)).map { _ in token() }
        }
    }
}

private func bytes(_ lines: [String]) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }

/// Replaces everything in the working tree except `.git` with `files`.
private func writeWorkingTree(_ root: String, _ files: LineFiles) throws {
    let fileManager = FileManager.default
    for name in try fileManager.contentsOfDirectory(atPath: root) where name != ".git" {
        try fileManager.removeItem(atPath: root + "/" + name)
    }
    for (path, lines) in files {
        let full = root + "/" + path
        try fileManager.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes(lines)).write(to: URL(fileURLWithPath: full))
    }
}

private func lines(atPath path: String) -> [String]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

@Suite struct MergeRandomizedTests {
    /// The test creates and deletes thousands of small files; on a RAM disk it takes a couple
    /// of seconds, on some disks ten times longer, so it uses /dev/shm when there is one.
    static let folder: String = {
        let parent = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return parent + "/spur-random-\(UUID().uuidString.prefix(12))"
    }()
    static let iterations = Int(ProcessInfo.processInfo.environment["SPUR_RANDOM_ITERATIONS"] ?? "")
        ?? (folder.hasPrefix("/dev/shm") ? 300 : 120)
    static let seed = UInt64(ProcessInfo.processInfo.environment["SPUR_RANDOM_SEED"] ?? "") ?? 20_240_601

    @Test func randomEditsByYouAndTheLaneNeverLoseALineYouWrote() throws {
        let root = Self.folder + "/repo"
        _ = try Repository.create(at: root)
        defer { try? FileManager.default.removeItem(atPath: Self.folder) }
        let workspace = try Workspace(discoveringFrom: root)
        let git = try workspace.openRepository()
        let store = LaneStore(workspace: workspace)
        // Status looks at lanes whose worktree exists; these lanes' content is their result.
        try FileManager.default.createDirectory(atPath: Self.folder + "/worktree", withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: Self.seed)
        var outcomes: [String: Int] = [:]

        for iteration in 0..<Self.iterations {
            let context = "seed \(Self.seed), iteration \(iteration)"
            var base: LineFiles = [:]
            for (index, path) in pathPool.shuffled(using: &rng).prefix(Int.random(in: 2...5, using: &rng)).enumerated() {
                base[path] = (0..<Int.random(in: 3...8, using: &rng)).map { "<b\(iteration)-\(index)-\($0)>" }
            }
            try writeWorkingTree(root, base)
            let baseSnapshot = try Snapshot.take(workdir: root)

            var theirs = base
            var laneScript = EditScript(side: "t", iteration: iteration)
            laneScript.apply(to: &theirs, using: &rng)
            let index = try Index.inMemory()
            for (path, lines) in theirs { try index.add(path: GitPath(path), id: git.writeBlob(bytes(lines)), mode: .blob) }
            let head = try git.createCommit(tree: index.writeTree(to: git), parents: [baseSnapshot.commit], message: "lane")

            var ours = base
            var userScript = EditScript(side: "u", iteration: iteration)
            userScript.apply(to: &ours, using: &rng)
            try writeWorkingTree(root, ours)

            var lane = Lane(name: "r\(iteration)", state: .done, description: nil, command: nil, base: baseSnapshot.commit,
                            branch: Lane.branchRef("r\(iteration)"), worktree: Self.folder + "/worktree", createdAt: Date())
            lane.head = head
            // The lane's refs hold its base and result, as spawn and finish leave them.
            try git.setReference(Lane.baseRef(lane.name), to: baseSnapshot.commit, message: "test: base")
            try git.setReference(Lane.branchRef(lane.name), to: head, message: "test: result")
            try store.save(lane)
            let resolution = [ConflictResolution.refuse, .refuse, .markers, .ours, .theirs].randomElement(using: &rng) ?? .refuse
            let before = try Fingerprint.of(root)
            // What status says before the merge, and what git's merge says.
            let verdicts = try OverlapAnalyzer(workspace: workspace).report(forLane: lane.name).withUser
            let oracle = try Self.gitConflicts(root: root, base: baseSnapshot.commit, head: head)

            let report = try Merger(workspace: workspace).merge(laneName: lane.name, options: MergeOptions(resolution: resolution))
            if ProcessInfo.processInfo.environment["SPUR_RANDOM_DEBUG"] == "\(iteration)" {
                print("DEBUG base \(base.sorted { $0.key < $1.key })\nours \(ours.sorted { $0.key < $1.key })\ntheirs \(theirs.sorted { $0.key < $1.key })\n\(resolution) \(report.changes) \(report.conflicts.map { ($0.path, $0.kind, $0.resolution as Any) })")
                for path in pathPool { print("NOW \(path): \(lines(atPath: root + "/" + path) ?? [])") }
            }

            // One decision behind both: status says clean exactly when the merge has no conflict,
            // and names every path the merge conflicts on; both agree with git.
            let statusConflicts = Set(verdicts.filter { $0.verdict == .conflict }.map(\.path))
            let mergeConflicts = Set(report.conflicts.map(\.path))
            #expect(statusConflicts.isEmpty == mergeConflicts.isEmpty && mergeConflicts.isSubset(of: statusConflicts),
                    "\(context): status says \(statusConflicts.sorted()), merge says \(mergeConflicts.sorted())")
            #expect(mergeConflicts == oracle.paths, "\(context): merge says \(mergeConflicts.sorted()), git says \(oracle.paths.sorted())")
            if oracle.directoryRename { outcomes["git's directory rename", default: 0] += 1 }
            outcomes[statusConflicts.isEmpty ? "status clean" : "status conflict", default: 0] += 1

            outcomes["\(resolution.rawValue) \(report.status.rawValue)", default: 0] += 1
            if report.status == .conflicts {
                #expect(try Fingerprint.of(root) == before, "\(context): a refused merge changed files")
                continue
            }
            try GitSnapshot.requireWorkingTree(root, equals: report.resultTree.hex, environment: ProcessInfo.processInfo.environment,
                                               scratch: Self.folder, context)
            // A file one side moved holds the other side's edits at its new name: lines are
            // looked for in every file.
            let everyLine = Set(pathPool.flatMap { lines(atPath: root + "/" + $0) ?? [] })
            if resolution != .theirs {
                for (path, written) in ours {
                    for line in written where line.hasPrefix("<u") && !everyLine.contains(line) {
                        Issue.record("\(context): your line \(line) of \(path) was lost (\(resolution.rawValue))")
                    }
                }
            }
            if resolution == .refuse {
                for (path, written) in theirs where ours[path] != nil || base[path] == nil {
                    for line in written where line.hasPrefix("<t") && !everyLine.contains(line) {
                        Issue.record("\(context): the lane's line \(line) of \(path) is missing from a clean merge")
                    }
                }
            }
            if report.undoID != nil {
                _ = try MergeUndo(workspace: workspace).undo(force: false)
                #expect(try Fingerprint.of(root) == before, "\(context): undo did not restore the working tree")
            }
        }
        #expect((outcomes["refuse conflicts"] ?? 0) > 0 && (outcomes["refuse merged"] ?? 0) > 0, "\(outcomes)")
        print("merge randomized outcomes: \(outcomes.sorted { $0.key < $1.key })")
    }

    /// The paths `git merge-tree` reports as conflicted when merging the working tree as git
    /// records it (on top of `base`) with `head`.
    /// Also whether git moved a file into a folder the other side renamed (its directory rename
    /// detection; counted, to show the test reaches it).
    static func gitConflicts(root: String, base: ObjectID, head: ObjectID) throws -> (paths: Set<GitPath>, directoryRename: Bool) {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        for key in ["AUTHOR", "COMMITTER"] {
            environment["GIT_\(key)_NAME"] = "oracle"
            environment["GIT_\(key)_EMAIL"] = "oracle@example.com"
        }
        let tree = try GitSnapshot.tree(of: root, environment: environment, scratch: folder)
        let commit = try ProcessRunner.run("/usr/bin/git", ["commit-tree", tree, "-p", base.hex, "-m", "ours"], cwd: root, environment: environment)
        let ours = commit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try ProcessRunner.run("/usr/bin/git", ["merge-tree", "--write-tree", "--name-only", ours, head.hex],
                                           cwd: root, environment: environment)
        guard commit.status == 0, result.status == 0 || result.status == 1 else { throw TestFailure("git merge-tree: \(result.stderr)") }
        // Paths, then an empty line, then git's messages.
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let paths = lines.dropFirst().prefix { !$0.isEmpty }
        let directoryRename = lines.contains { $0.contains("CONFLICT (file location)") }
        return (Set(paths.map { GitPath($0) }), directoryRename)
    }
}
