import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// A merge writes exactly what it reports (issue 14, section 5): binary files whole when checkout
/// filters may apply, submodules compared by commit and never written as files, and undo able to
/// put back whatever a merge removed.
@Suite struct MergeWritesTests {
    /// A PNG-like binary with NUL, CR LF and lone LF bytes.
    static func image(_ seed: UInt8) -> Data {
        Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + (0..<17_207).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    @Test(arguments: ["gitattributes", "autocrlf"])
    func aBinaryFileTheLaneReplacedIsWrittenWholeWhenFiltersMayApply(_ setup: String) throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        if setup == "autocrlf" { try repository.git("config", "core.autocrlf", "true") } else {
            try repository.write(".gitattributes", "*.txt text\n")
        }
        try Self.image(1).write(to: URL(fileURLWithPath: repository.path("logo.png")))
        try repository.write("notes.txt", "notes\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        try LaneResults.make(repository, "task") { worktree in
            try Self.image(2).write(to: URL(fileURLWithPath: worktree + "/logo.png"))
        }
        let before = try repository.fingerprint()

        let report = try LaneResults.merge(repository, "task")

        #expect(report.writtenPaths == ["logo.png"])
        let written = try Data(contentsOf: URL(fileURLWithPath: repository.path("logo.png")))
        #expect(written == Self.image(2), "\(setup): logo.png has \(written.count) bytes")
        _ = try LaneResults.undo(repository)
        #expect(try repository.fingerprint() == before)
    }
}
