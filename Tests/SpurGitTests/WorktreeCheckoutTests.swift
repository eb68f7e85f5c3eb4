import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// spur's own checkout of a new worktree (`addWorktree(applyFilters: false)`) must leave what
/// `git worktree add` leaves: the same files, modes and links, and an index whose stat data git
/// accepts without reading a file.
@Suite struct WorktreeCheckoutTests {
    @Test func aNewWorktreeMatchesGitsCheckoutAndIsCleanWithoutRereading() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        // Over 4096 files so the threaded path runs; odd names, links, executables, empty files.
        try repo.shell("""
            mkdir -p 'deep/er/est' 'sp ace' unicodé empty-file-dir
            for d in $(seq 0 49); do mkdir -p "bulk/d$d"; for f in $(seq 0 89); do printf "$d $f\\n" > "bulk/d$d/f$f"; done; done
            printf 'x\\n' > deep/er/est/x; printf '#!/bin/sh\\n' > run.sh; chmod +x run.sh; : > empty-file-dir/empty
            printf 's\\n' > 'sp ace/f i le'; printf 'u\\n' > unicodé/ü; ln -s deep/er link-to-dir; ln -s missing dangling
            printf 'a\\n' > a; printf 'ab\\n' > a.b; mkdir a.d && printf 'in\\n' > a.d/in
            git add -A && git commit -qm files && git branch lane-branch
            """)
        let worktree = repo.scratch + "/mine"
        try Repository(path: repo.root).addWorktree(name: "mine", path: worktree, branch: "refs/heads/lane-branch", applyFilters: false)
        try repo.git("worktree", "add", "-q", "--detach", repo.scratch + "/gits", "HEAD")

        #expect(try Fingerprint.of(worktree) == Fingerprint.of(repo.scratch + "/gits"))
        // Every entry's stat data matches its file: nothing is stat-dirty, nothing changed.
        #expect(try repo.git("diff-files", "--name-only", cwd: worktree) == "")
        #expect(try repo.git("status", "--porcelain", "--untracked-files=all", cwd: worktree) == "")
        #expect(try repo.git("rev-parse", "HEAD", cwd: worktree) == (try repo.git("rev-parse", "lane-branch")))
        // The index keeps the tree's folder ids, so staging it again writes nothing new.
        let head = try repo.git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Repository(path: worktree).stagedWorkdirTree()?.hex == head)
        #expect(try repo.git("write-tree", cwd: worktree).trimmingCharacters(in: .whitespacesAndNewlines) == head)
    }

    @Test func refusesToWriteOverAnythingAlreadyThere() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.shell("printf 'a\\n' > a && git add -A && git commit -qm a && git branch lane-branch")
        let worktree = repo.scratch + "/taken"
        try FileManager.default.createDirectory(atPath: worktree, withIntermediateDirectories: true)
        try "mine\n".write(toFile: worktree + "/a", atomically: false, encoding: .utf8)
        #expect(throws: (any Error).self) {
            try Repository(path: repo.root).addWorktree(name: "taken", path: worktree, branch: "refs/heads/lane-branch", applyFilters: false)
        }
        #expect(try String(contentsOfFile: worktree + "/a", encoding: .utf8) == "mine\n")
    }
}
