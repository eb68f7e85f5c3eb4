import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport

/// A snapshot keeps names as git does, as bytes, also when it is staged through libgit2's index
/// (an untracked folder whose `.git` is no repository makes the direct scan decline): git's `add -A` tree is the oracle.
@Suite struct PathBytesSnapshotTests {
    @Test func aSnapshotThroughLibgit2KeepsANestedRepositoryWhoseNameIsNotUTF8() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        try repository.shell("""
            printf 'nfc\\n' > "$(printf 'x\\303\\274')"; printf 'ff\\n' > "$(printf '\\377')"
            mkdir d; printf 'x\\n' > d/"$(printf '\\314\\201x')"; printf 'y\\n' > d/y
            git add -A && git commit -qm base
            printf 'nfd\\n' > "$(printf 'xu\\314\\210')"; rm d/"$(printf '\\314\\201x')"
            mkdir -p fake/.git && printf 'z\\n' > fake/z
            mkdir "$(printf 'n\\377')" && cd "$(printf 'n\\377')" && git init -q && printf 'in\\n' > f && git add f && git commit -qm nested
            """)
        #expect(try Repository(path: repository.root).stagedWorkdirTree() == nil, "the direct scan should decline here")
        let snapshot = try PinnedLibgit2.run(for: repository) { try Snapshot.take(workdir: repository.root) }
        #expect(snapshot.tree.hex == (try repository.gitSnapshotTree()))
    }
}
