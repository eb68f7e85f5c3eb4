import Foundation
import Testing
import SpurTestSupport

/// Issue #15: a lane's files are what `git worktree add` of the same tree gives, eol
/// conversion included.
@Suite struct LaneCheckoutFilterTests {
    @Test func aLaneWithAutocrlfAndACommittedEolLfAttributeIsWhatGitWorktreeAddChecksOut() throws {
        let repository = try SnapshotProbe.repository("""
            printf '* text eol=lf\\n' > .gitattributes; printf 'a\\n' > '#early.txt'; printf 'b\\n' > late.txt
            mkdir sub && printf 'c\\n' > sub/in.txt && printf '*.txt -text\\n' > sub/.gitattributes
            git add -A && git commit -q -m base && git config core.autocrlf true
            """)
        defer { repository.remove() }
        let spawn = try repository.spur("spawn", "l", "--no-run")
        #expect(spawn.status == 0, "\(spawn.stderr)")
        let lane = repository.path(".git/spur/worktrees/l")
        let reference = repository.scratch + "/reference"
        try repository.git("worktree", "add", "-q", "--detach", reference, "refs/spur/lanes/l/base")
        for path in ["#early.txt", ".gitattributes", "late.txt", "sub/in.txt", "sub/.gitattributes"] {
            let laneBytes = FileManager.default.contents(atPath: lane + "/" + path)
            let gitBytes = FileManager.default.contents(atPath: reference + "/" + path)
            #expect(laneBytes != nil && laneBytes == gitBytes, "\(path): lane \(String(decoding: laneBytes ?? Data(), as: UTF8.self).debugDescription), git \(String(decoding: gitBytes ?? Data(), as: UTF8.self).debugDescription)")
        }
        let status = try repository.git("status", "--porcelain", cwd: lane)
        #expect(status.isEmpty, "the lane is not clean: \(status)")
    }

    @Test func aLaneExpandsEveryIdentKeywordAndIsCleanForGit() throws {
        let repository = try SnapshotProbe.repository("""
            printf '*.id ident\\n' > .gitattributes && printf '$Id$ and $Id$\\n$Id: a b $ $Id:$\\n' > g.id
            printf '$Id$\\n' > single.id && git add -A && git commit -q -m base
            """)
        defer { repository.remove() }
        let spawn = try repository.spur("spawn", "l", "--no-run")
        #expect(spawn.status == 0, "\(spawn.stderr)")
        let lane = repository.path(".git/spur/worktrees/l")
        let reference = repository.scratch + "/reference"
        try repository.git("worktree", "add", "-q", "--detach", reference, "refs/spur/lanes/l/base")
        for path in ["g.id", "single.id"] {
            let laneBytes = FileManager.default.contents(atPath: lane + "/" + path)
            let gitBytes = FileManager.default.contents(atPath: reference + "/" + path)
            #expect(laneBytes != nil && laneBytes == gitBytes, "\(path): lane \(String(decoding: laneBytes ?? Data(), as: UTF8.self).debugDescription), git \(String(decoding: gitBytes ?? Data(), as: UTF8.self).debugDescription)")
        }
        let status = try repository.git("status", "--porcelain", cwd: lane)
        #expect(status.isEmpty, "the lane is not clean: \(status)")
    }
}
