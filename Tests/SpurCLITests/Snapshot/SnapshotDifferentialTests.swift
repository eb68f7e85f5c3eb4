import Foundation
import Testing
import SpurTestSupport

/// Issue #15's randomized differential test: random repositories and random operations, then
/// spur's snapshot tree against the tree `git add -A` writes from a copy of the same index, with
/// `.git/index` unchanged; every eighth case also compares a new lane's files with
/// `git worktree add --detach` of the same tree. Known differences and their reproductions are in
/// Tests/SpurKitTests/Snapshot/DIFFERENCES.md.
///
/// Environment: `SPUR_SNAPSHOT_CASES` (default 200), `SPUR_SNAPSHOT_SEED` (first seed, default
/// 15000), `SPUR_SNAPSHOT_FEATURES` (`all`, or a comma list of `SnapshotFeature` names; default:
/// every feature not in `classesStillDiffering`), `SPUR_SNAPSHOT_REPORT` (a file: every difference
/// is appended there and the test does not fail, for classifying many seeds), `SPUR_SNAPSHOT_SCRIPTS`
/// (a folder: each case's bash script is written there as SEED.sh, to replay by hand).
@Suite struct SnapshotDifferentialTests {
    /// Generator switches whose cases still differ from git, with the issue's wording. The default
    /// run leaves them out so CI stays green; whoever fixes a class removes its entry (and the
    /// `withKnownIssue` of its directed test in SnapshotNameTests/SnapshotIndexFeatureTests/SnapshotRuleTests).
    /// Status 2026-12-02 (see DIFFERENCES.md): nfcNfdNames, combiningMarkNames, invalidUTF8Names,
    /// intentToAddMarked, ignoredFilesInNestedRepository, intentToAddWithEolConversion, filterDriver,
    /// nestedRepositoryWithoutCommit and fifo agree in 60 cases each alone (seeds 15000-15059), but
    /// removing them from this list made the default run (seeds 15000-15199, all switches combined)
    /// differ, so they stay until that is classified. flaggedRuleFiles and ruleFileSymlinks (now
    /// `.gitignore` links only) agree since spur's own ignore matcher (branch h-ignore): 200 cases,
    /// seeds 15000-15199, on top of the default switches. attributesChangedInWorkingTree,
    /// flaggedEntriesInFolders and identTwice left the list on branch h-attr (0 differences in 320
    /// cases of the default switches with all three, seeds 15000-15119 and 30000-30199).
    static let classesStillDiffering: [SnapshotFeature: String] = [
        .nfcNfdNames: "two files whose names are the NFC and NFD forms of \"ü\" collide: one disappears from the snapshot or takes the other's content",
        .combiningMarkNames: "a name starting with a combining mark or U+200D right after `/`: a deletion is missing from the snapshot, a new file under such a folder is omitted, and `spur spawn` fails with \"No such file or directory\"",
        .invalidUTF8Names: "names that are not valid UTF-8 are rewritten to U+FFFD in the snapshot and on disk in the lane",
        .intentToAddMarked: "an intent-to-add entry marked assume-unchanged (or skip-worktree): git leaves it out, spur records an empty blob",
        .attributesFileSymlinks: "a `.gitattributes` that is a symlink (git does not follow it)",
        .ignoredFilesInNestedRepository: "an ignore rule that matches a file inside a nested repository (git keeps the gitlink, spur drops it)",
        .intentToAddWithEolConversion: "crash: SIGABRT \"free(): invalid pointer\" in libgit2 1.5.1's staging path (intent-to-add entry, an eol filter that may apply)",
        .splitIndex: "split index (`core.splitIndex`, `git update-index --split-index`): spur fails",
        .sparseCheckout: "sparse checkout: a new file outside the sparse patterns (git add -A refuses, spur records it); a lane holds the files git worktree add leaves out",
        .trustctimeMtimePutBack: "`core.trustctime=false` with a same-size edit whose mtime was put back: git sees it, spur does not (depends on the second the case runs in)",
        .filterDriver: "a clean filter driver (`filter=NAME` with `filter.NAME.clean`) is not run",
        .nestedRepositoryWithoutCommit: "where `git add -A` refuses (a nested repository without a commit), spur answers with a tree anyway",
        .fifo: "where `git add -A` refuses (a tracked file replaced by a FIFO), spur answers with a tree anyway",
    ]

    static let batches = 4

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var caseCount: Int { environment["SPUR_SNAPSHOT_CASES"].flatMap(Int.init) ?? 200 }

    static var firstSeed: UInt64 { environment["SPUR_SNAPSHOT_SEED"].flatMap { UInt64($0) } ?? 15000 }

    static var features: Set<SnapshotFeature> {
        switch environment["SPUR_SNAPSHOT_FEATURES"] {
        case nil, "":
            return Set(SnapshotFeature.allCases).subtracting(classesStillDiffering.keys)
        case "all":
            return Set(SnapshotFeature.allCases)
        case let list?:
            return Set(list.split(separator: ",").compactMap { SnapshotFeature(rawValue: String($0)) })
        }
    }

    @Test(arguments: 0..<batches)
    func snapshotTreeIsTheTreeGitAddAllWritesOnRandomRepositories(batch: Int) throws {
        #expect(CLI.executableIsBuilt, "no spur executable at \(SpurExecutable.path)")
        let report = Self.environment["SPUR_SNAPSHOT_REPORT"]
        let features = Self.features
        var failures = 0
        for index in stride(from: batch, to: Self.caseCount, by: Self.batches) {
            let seed = Self.firstSeed &+ UInt64(index)
            let snapshotCase = SnapshotCaseGenerator.make(seed: seed, features: features)
            if let folder = Self.environment["SPUR_SNAPSHOT_SCRIPTS"] {
                try snapshotCase.script.write(toFile: "\(folder)/\(seed).sh", atomically: false, encoding: .utf8)
            }
            guard let difference = try SnapshotDifferential.difference(in: snapshotCase, lane: index % 8 == 0) else { continue }
            let message = "\(snapshotCase.description)\n=> \(difference)\n"
            if let report {
                try append(message + "\n", to: report + ".\(batch)")
                continue
            }
            failures += 1
            if failures <= 3 {
                let featureList = features.map(\.rawValue).sorted().joined(separator: ",")
                let replay = "SPUR_SNAPSHOT_SEED=\(seed) SPUR_SNAPSHOT_CASES=1 SPUR_SNAPSHOT_FEATURES=\(featureList)"
                Issue.record(Comment(rawValue: "snapshot differs from git (replay: \(replay)):\n\(message)"))
            }
        }
        #expect(failures == 0, "\(failures) cases of batch \(batch) differ from git")
    }

    func append(_ text: String, to path: String) throws {
        let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }()
        guard let handle else { throw TestFailure("cannot write \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
