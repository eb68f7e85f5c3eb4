import Foundation
import SpurGit

/// libgit2's configuration search paths are process-wide. In-process tests that let libgit2 read
/// configuration run through `PinnedLibgit2.run(for:)`: it points the system level at nothing and
/// the global and XDG levels at the test repository's scratch home (as the CLI's environment does),
/// and holds a lock so no other test re-points them meanwhile.
public enum PinnedLibgit2 {
    private static let lock = NSLock()
    /// An empty folder that stays empty: the search path between pinned runs.
    private static let neutralHome: String = {
        let path = NSTemporaryDirectory() + "spur-tests-empty-home-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    public static func run<T>(for repository: TestRepository, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer {
            // Leave no test's scratch home as the process-wide search path: a test that does not pin
            // (and runs meanwhile or later) would read its ignore or attribute files (a random
            // `~/.config/git/ignore` of IgnoreRulesTests made a merge test's files ignored).
            try? Libgit2.setConfigSearchPath(.global, to: neutralHome)
            try? Libgit2.setConfigSearchPath(.xdg, to: neutralHome + "/.config/git")
            lock.unlock()
        }
        let home = repository.scratch + "/home"
        try Libgit2.setConfigSearchPath(.system, to: "")
        try Libgit2.setConfigSearchPath(.global, to: home)
        try Libgit2.setConfigSearchPath(.xdg, to: home + "/.config/git")
        return try body()
    }
}
