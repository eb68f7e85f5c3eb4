import Foundation
import Testing
import SpurKit
import SpurTestSupport

/// A lane file that became a link to `/etc/passwd` (issue 14, section 2): `merge` refuses it
/// without consent, and `merge`, `status` and `diff` say it is a type change to a link outside
/// the repository.
@Suite struct OutsideLinkCommandTests {
    private func repositoryWhereTheLaneLinksKeepToPasswd() throws -> TestRepository {
        try repositoryWithLane { worktree in
            try FileManager.default.removeItem(atPath: worktree + "/keep.txt")
            try FileManager.default.createSymbolicLink(atPath: worktree + "/keep.txt", withDestinationPath: "/etc/passwd")
            try "added by the task\n".write(toFile: worktree + "/added.txt", atomically: false, encoding: .utf8)
        }
    }

    @Test func aLinkOutsideTheRepositoryIsRefusedWithoutConsentAndNamedEverywhere() throws {
        let repository = try repositoryWhereTheLaneLinksKeepToPasswd()
        defer { repository.remove() }
        let before = try repository.fingerprint()

        let refused = try repository.spur("merge", "task")

        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("keep.txt -> /etc/passwd (was a file)") && refused.stderr.contains("--allow-outside-links"))
        #expect(try repository.fingerprint() == before)

        let dry = try repository.spur("merge", "task", "--dry-run")
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("T keep.txt -> /etc/passwd (a link outside the repository)"), "\(dry.stdout)")
        #expect(dry.stdout.contains("needs --allow-outside-links"))

        let status = try repository.spur("status", "task")
        #expect(status.stdout.contains("keep.txt: type change, a file becomes a link to /etc/passwd, outside the repository"), "\(status.stdout)")
        let statusJSON = try #require(try JSONSerialization.jsonObject(with: Data(try repository.spur("status", "task", "--json").stdout.utf8)) as? [[String: Any]])
        let links = try #require(statusJSON.first?["outsideLinks"] as? [[String: Any]])
        #expect(links.count == 1 && links.first?["target"] as? String == "/etc/passwd" && links.first?["typeChange"] as? Bool == true)

        let diff = try repository.spur("diff", "task")
        #expect(diff.stderr.contains("keep.txt: type change") && diff.stderr.contains("/etc/passwd"))
        let diffJSON = try #require(try JSONSerialization.jsonObject(with: Data(try repository.spur("diff", "task", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(diffJSON.contains { $0["path"] as? String == "keep.txt" && $0["outsideLinkTarget"] as? String == "/etc/passwd" && $0["typeChange"] as? Bool == true })
        #expect(try repository.fingerprint() == before)
    }

    @Test func withConsentTheLinkIsWrittenReportedAndUndone() throws {
        let repository = try repositoryWhereTheLaneLinksKeepToPasswd()
        defer { repository.remove() }
        let before = try repository.fingerprint()

        let merged = try repository.spur("merge", "task", "--allow-outside-links")

        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("T keep.txt -> /etc/passwd"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: repository.path("keep.txt")) == "/etc/passwd")
        try repository.requireWorkingTreeHoldsLastMerge()
        #expect(try repository.spur("undo").status == 0)
        #expect(try repository.fingerprint() == before)
    }

    @Test func aLiveLanesOutsideLinkIsShownByStatus() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.write("keep.txt", "keep\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "start")
        let worktree = try repository.spawnLane("live")
        try FileManager.default.createSymbolicLink(atPath: worktree + "/escape", withDestinationPath: "../../../../../../../../etc")

        let status = try repository.spur("status", "live")

        #expect(status.status == 0)
        #expect(status.stdout.contains("escape: a link to ../../../../../../../../etc, outside the repository"), "\(status.stdout)")
        _ = try repository.spur("discard", "live", "--force")
    }
}
