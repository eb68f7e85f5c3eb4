import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// The fast staging scan (`Repository.stagedWorkdirTree`) must write exactly the tree
/// `git add -A` writes into a temporary index, or decline (nil) so libgit2's index is used.
@Suite struct WorkdirStagingTests {
    /// Runs `setup` in a repository with a committed base, then compares the scan with git.
    func expectGitsTree(_ setup: String, base: String = Self.base, file: String = #filePath, line: Int = #line) throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        if !base.isEmpty { try repo.shell(base) }
        try repo.shell(setup)
        let indexBefore = try? Data(contentsOf: URL(fileURLWithPath: repo.path(".git/index")))
        let tree = try Repository(path: repo.root).stagedWorkdirTree()
        #expect(tree?.hex == (try repo.gitSnapshotTree()), "scan differs from git add -A",
                sourceLocation: SourceLocation(fileID: #fileID, filePath: file, line: line, column: 1))
        let indexAfter = try? Data(contentsOf: URL(fileURLWithPath: repo.path(".git/index")))
        #expect(indexAfter == indexBefore, "the index was written")
    }

    static let base = """
        mkdir -p src/lib/deep docs build empty-later 'sp ace' unicodé
        printf 'one\\n' > src/a.txt; printf 'two\\n' > src/b.txt; printf 'x\\n' > src/lib/x.swift
        printf 'deep\\n' > src/lib/deep/d.txt; printf 'doc\\n' > docs/index.md; printf 'keep\\n' > build/keep.txt
        printf 'e\\n' > empty-later/only.txt; printf 's\\n' > 'sp ace/f i le'; printf 'u\\n' > unicodé/ü.txt
        printf 'a\\n' > a; printf 'ab\\n' > a.b; printf 'ad\\n' > a-d; mkdir a.d && printf 'in\\n' > a.d/in
        printf '#!/bin/sh\\n' > run.sh; chmod +x run.sh; ln -s src/a.txt link-to-a; ln -s src link-to-src
        printf 'build/\\n*.log\\n!keep.log\\n' > .gitignore
        git add -A && git add -f build/keep.txt && git commit -qm base
        """

    @Test func cleanTreeIsHEADsTree() throws {
        try expectGitsTree("true")
    }

    @Test func editsDeletionsAndModeChanges() throws {
        try expectGitsTree("""
            printf 'changed\\n' >> src/a.txt; rm src/b.txt; chmod +x src/lib/x.swift; chmod -x run.sh
            rm -r empty-later; printf 'CHANGED\\n' > 'sp ace/f i le'
            """)
    }

    @Test func untrackedFilesFoldersAndIgnoredOnes() throws {
        try expectGitsTree("""
            mkdir -p new/inner/most emptydir/sub && printf 'n\\n' > new/inner/most/n.txt && printf 'm\\n' > new/m
            printf 'log\\n' > debug.log; printf 'kept\\n' > keep.log; printf 'out\\n' > build/out.o
            mkdir -p new/build && printf 'ignored\\n' > new/build/x; printf 'top\\n' > src/lib/deep/new.txt
            mkfifo src/fifo; printf 'a0\\n' > a0; printf 'ac\\n' > a.c
            """)
    }

    @Test func kindChangesBetweenFileFolderAndLink() throws {
        try expectGitsTree("""
            rm src/a.txt && mkdir src/a.txt && printf 'now a folder\\n' > src/a.txt/inside
            rm -r src/lib/deep && printf 'now a file\\n' > src/lib/deep
            rm link-to-a && printf 'now a file\\n' > link-to-a
            rm docs/index.md && ln -s ../a docs/index.md
            rm -r a.d && ln -s src a.d
            """)
    }

    @Test func stagedChangesThatTheWorkingTreeUndidOrChangedAgain() throws {
        try expectGitsTree("""
            printf 'staged\\n' > src/a.txt && git add src/a.txt && printf 'one\\n' > src/a.txt
            printf 'staged\\n' > src/b.txt && git add src/b.txt && printf 'again\\n' > src/b.txt
            printf 'new\\n' > added.txt && git add added.txt && rm added.txt
            git rm -q --cached docs/index.md
            """)
    }

    @Test func touchedButUnchangedFilesAndARewrittenIndex() throws {
        try expectGitsTree("""
            touch src/a.txt src/lib/x.swift; cp run.sh /tmp/spur-staging-$$ && cat /tmp/spur-staging-$$ > run.sh && rm /tmp/spur-staging-$$
            git update-index --index-version 4 && printf 'v4\\n' >> docs/index.md
            """)
        try expectGitsTree("git update-index --index-version 3 && printf 'x\\n' > src/z")
    }

    @Test func fileModeAndContentFilterSettings() throws {
        try expectGitsTree("git config core.filemode false && chmod +x src/a.txt && chmod -x run.sh && printf 'n\\n' > new.sh && chmod +x new.sh")
        try expectGitsTree("""
            printf '*.txt text eol=lf\\n' > .gitattributes && printf 'crlf\\r\\nlines\\r\\n' > src/crlf.txt && printf 'more\\r\\n' >> src/a.txt
            """)
        try expectGitsTree("git config core.autocrlf input && printf 'win\\r\\n' > src/win.txt")
    }

    @Test func aTreeLargeEnoughToBeScannedOnSeveralThreads() throws {
        // 9000 files in 60 folders (over WorkdirStager.parallelThreshold), changes in many of them.
        try expectGitsTree("""
            for d in $(seq 10 40); do printf 'changed\\n' >> "big/d$d/f7"; done
            rm big/d11/f3 big/d12/f4; rm -r big/d13; printf 'new\\n' > big/d14/new; mkdir -p big/d15/sub && printf 's\\n' > big/d15/sub/s
            printf 'log\\n' > big/d16/x.log; mkdir big/d17/build && printf 'b\\n' > big/d17/build/b; chmod +x big/d18/f1
            rm big/d19/f9 && mkdir big/d19/f9 && printf 'now a folder\\n' > big/d19/f9/inside; mkdir big/new-folder && printf 'n\\n' > big/new-folder/n
            """, base: """
            for d in $(seq 0 59); do mkdir -p "big/d$d"; for f in $(seq 0 149); do printf "$d $f\\n" > "big/d$d/f$f"; done; done
            printf 'build/\\n*.log\\n' > .gitignore && git add -A && git commit -qm big
            """)
    }

    @Test func repositoryWithoutACommitOrAnIndex() throws {
        try expectGitsTree("mkdir -p d && printf 'first\\n' > d/f && printf 'x\\n' > top", base: "")
        try expectGitsTree("true", base: "")
    }

    @Test func linkedWorktreeUsesItsOwnIndex() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.shell(Self.base)
        let other = repo.scratch + "/linked"
        try repo.git("worktree", "add", "-q", "--detach", other)
        try repo.shell("printf 'changed\\n' >> src/a.txt && printf 'n\\n' > n.txt", cwd: other)
        let tree = try Repository(path: other).stagedWorkdirTree()
        #expect(tree?.hex == (try repo.gitSnapshotTree(of: other)))
    }

    @Test func readsASplitIndexWithItsSharedIndex() throws {
        try expectGitsTree("git update-index --split-index && printf 'y\\n' >> src/b.txt && printf 'n\\n' > n.txt && git add n.txt && git rm -q --cached src/a.txt")
    }

    @Test func recordsANestedRepositoryWithACommitAsAGitlink() throws {
        try expectGitsTree("mkdir nested && cd nested && git init -q && printf 'n\\n' > f.txt && git add f.txt && git commit -qm n && cd .. && printf '*.txt\\n' >> .gitignore")
    }

    @Test func declinesWhatItDoesNotModel() throws {
        // A merge conflict in the index, a nested repository without a commit: libgit2's index does it.
        for setup in [
            "git checkout -qb other && printf 'theirs\\n' > src/a.txt && git commit -qam t && git checkout -q main && printf 'ours\\n' > src/a.txt && git commit -qam o && (git merge -q other || true)",
            "mkdir nested && cd nested && git init -q && printf 'n\\n' > f",
        ] {
            let repo = try TestRepository.empty()
            defer { repo.remove() }
            try repo.shell(Self.base)
            try repo.shell(setup)
            #expect(try Repository(path: repo.root).stagedWorkdirTree() == nil, "\(setup)")
        }
    }

    /// Random edits on names that sort awkwardly (a, a.b, a-b, a0, a/...), each state checked.
    @Test func randomEditsAgreeWithGit() throws {
        var generator = SeededGenerator(seed: 0x5EED_0009)
        let names = ["a", "a.b", "a-b", "a0", "b", "x y", "é"]
        func randomPath() -> String {
            (0...Int.random(in: 0...2, using: &generator)).map { _ in names.randomElement(using: &generator) ?? "a" }.joined(separator: "/")
        }
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.shell("printf 'ignored*\\n' > .gitignore && git add -A && git commit -qm base")
        var dirtyRounds = 0
        for round in 0..<40 {
            var commands: [String] = []
            for _ in 0..<4 {
                let path = randomPath()
                let quoted = "'\(path)'"
                switch Int.random(in: 0..<9, using: &generator) {
                case 0, 1: commands.append("mkdir -p \"$(dirname \(quoted))\" 2>/dev/null && rm -rf \(quoted) && printf '\(round)\\n' > \(quoted)")
                case 2: commands.append("rm -rf \(quoted)")
                case 3: commands.append("chmod +x \(quoted) 2>/dev/null")
                case 4: commands.append("mkdir -p \"$(dirname \(quoted))\" 2>/dev/null && rm -rf \(quoted) && ln -s target-\(round) \(quoted)")
                case 5: commands.append("git add -A -- \(quoted) 2>/dev/null")
                case 6: commands.append("git rm -rq --cached -- \(quoted) 2>/dev/null")
                case 7: commands.append("touch \(quoted) 2>/dev/null")
                default: commands.append("mkdir -p \"$(dirname \(quoted))\" 2>/dev/null && printf 'x\\n' > \"$(dirname \(quoted))/ignored-\(round)\"")
                }
            }
            if round % 10 == 9 { commands.append("git add -A && git commit -qm r\(round)") }
            try repo.shell(commands.map { "{ \($0); } || true" }.joined(separator: "\n"))
            let tree = try Repository(path: repo.root).stagedWorkdirTree()
            let expected = try repo.gitSnapshotTree()
            #expect(tree?.hex == expected, "round \(round): \(commands)")
            if expected != (try repo.git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)) { dirtyRounds += 1 }
        }
        #expect(dirtyRounds >= 20, "the edits should leave the tree dirty most of the time")
    }
}

