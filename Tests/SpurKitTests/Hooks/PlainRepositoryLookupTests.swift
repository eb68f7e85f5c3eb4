import Foundation
import Testing
import SpurHookCore
import SpurKit
import SpurTestSupport

/// `spur-hook` finds the repository around a folder without libgit2 (`PlainRepositoryLookup`)
/// only where `spur hook claude` (`Workspace(discoveringFrom:)`) finds the same one: for every
/// folder of a layout with nested repositories, a linked worktree, a `.git` file, a bare
/// repository, a folder holding a `HEAD` file and symbolic links, an answer it gives is
/// spur's own; where it is not sure, it says so.
@Suite struct PlainRepositoryLookupTests {
    func canonical(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }

    @Test func itsAnswersAreSpursOwnAndItIsUnsureWhereItCannotTell() throws {
        let repo = try TestRepository.empty()
        defer { repo.remove() }
        try repo.write("a.txt", "a\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "base")
        let outside = repo.scratch + "/outside"
        try repo.shell("""
            mkdir -p sub/deeper nested headish '\(outside)/plain/x' && touch headish/HEAD \
            && git -C nested init -q && git worktree add -q '\(outside)/linked' \
            && git init -q --bare '\(outside)/bare.git' && mkdir -p '\(outside)/bare.git/inside' \
            && mkdir -p '\(outside)/borrowing' && printf 'gitdir: %s/.git\\n' "$PWD" > '\(outside)/borrowing/.git' \
            && ln -s "$PWD/sub" '\(outside)/to-sub' \
            && mkdir -p '\(outside)/norefs/.git/objects' '\(outside)/norefs/in' && echo 'ref: refs/heads/main' > '\(outside)/norefs/.git/HEAD' \
            && mkdir -p '\(outside)/linkedgit/in' && ln -s "$PWD/.git" '\(outside)/linkedgit/.git'
            """)
        let folders: [(path: String, expect: String)] = [
            (repo.root, "repository"), (repo.path("sub"), "repository"), (repo.path("sub/deeper"), "repository"),
            (repo.path("nested"), "any"), (repo.path("headish"), "unsure"), (repo.path(".git"), "unsure"),
            (outside + "/linked", "unsure"), (outside + "/bare.git", "unsure"), (outside + "/bare.git/inside", "unsure"),
            (outside + "/borrowing", "unsure"), (outside + "/to-sub", "repository"), (outside + "/plain/x", "any"),
            (repo.path("sub/../sub"), "unsure"), ("sub", "unsure"),
            (outside + "/norefs/in", "unsure"), (outside + "/linkedgit/in", "unsure"),
        ]
        var answered = 0
        for (folder, expected) in folders {
            let lookup = PlainRepositoryLookup.from(folder)
            let workspace = try? PinnedLibgit2.run(for: repo) { try Workspace(discoveringFrom: folder) }
            switch lookup {
            case .repository(let root, let layout):
                answered += 1
                #expect(expected != "unsure", "\(folder)")
                let found = try #require(workspace, "\(folder): spur finds no repository")
                #expect(root == canonical(found.root), "\(folder)")
                #expect(canonical(layout.commonDir) == canonical(found.commonDir), "\(folder)")
                #expect(layout.stateDir == layout.commonDir + "/spur" && canonical(layout.stateDir) == canonical(found.stateDir))
            case .none:
                #expect(workspace == nil, "\(folder): spur finds \(workspace?.root ?? "")")
                #expect(expected == "any", "\(folder)")
            case .unsure:
                #expect(expected != "repository", "\(folder)")
            }
        }
        #expect(answered >= 4)
    }
}
