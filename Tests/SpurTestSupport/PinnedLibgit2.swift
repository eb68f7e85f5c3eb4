import Foundation
import SpurGit

/// libgit2's configuration search paths are process-wide. In-process tests that let libgit2 read
/// configuration run through `PinnedLibgit2.run(for:)`: it points the system level at nothing and
/// the global and XDG levels at the test repository's scratch home (as the CLI's environment does),
/// and holds a lock so no other test re-points them meanwhile.
public enum PinnedLibgit2 {
    private static let lock = NSLock()

    public static func run<T>(for repository: TestRepository, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let home = repository.scratch + "/home"
        try Libgit2.setConfigSearchPath(.system, to: "")
        try Libgit2.setConfigSearchPath(.global, to: home)
        try Libgit2.setConfigSearchPath(.xdg, to: home + "/.config/git")
        return try body()
    }
}
