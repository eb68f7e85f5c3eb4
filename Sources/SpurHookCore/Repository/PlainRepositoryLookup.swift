#if canImport(Glibc)
import Glibc
#endif

/// Finds the repository around a folder the way `spur hook claude` would (libgit2's discovery
/// from the folder upwards, on one file system), for the plain case only: a main working tree
/// with its `.git` folder, owned by this user. Anything else (a `.git` file, as in a linked
/// worktree or a lane; a folder that may be a git dir itself; a path with `.` or `..`; another
/// file system, for a folder or a `.git`; anything at `/` seen from below it; someone else's
/// repository) is `unsure`, and `spur hook claude` decides. It reads no config: a caller that
/// needs the repository as spur saw it compares the config's stamp (`WatchedPathsCache`).
public enum PlainRepositoryLookup: Equatable, Sendable {
    /// `root` is the working tree's root, canonical.
    case repository(root: String, layout: StateLayout)
    /// No repository up to `/`.
    case none
    case unsure

    /// The folder `path` resolved (`realpath`), nil when it has `.` or `..` parts, is relative,
    /// or does not resolve.
    public static func canonical(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/"), !bytes.contains(0) else { return nil }
        for part in bytes.split(separator: UInt8(ascii: "/")) where part.elementsEqual(".".utf8) || part.elementsEqual("..".utf8) {
            return nil
        }
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(validatingCString: resolved)
    }

    public static func from(_ folder: String) -> PlainRepositoryLookup {
        guard let start = canonical(folder), let device = PlainFile.status(start)?.st_dev else { return .unsure }
        var current = start
        while true {
            let here = current == "/" ? "" : current
            // A folder holding HEAD may be a git dir itself (a bare repository, or inside `.git`).
            if PlainFile.linkStatus(here + "/HEAD") != nil { return .unsure }
            if let dotGit = PlainFile.linkStatus(here + "/.git") {
                // libgit2 stops at a file system boundary, for a `.git` too.
                guard dotGit.st_mode & S_IFMT == S_IFDIR, dotGit.st_dev == device else { return .unsure }
                // libgit2's walk up may end before `/`: a repository there is left to spur.
                guard current != "/" || start == "/" else { return .unsure }
                return plainRepository(root: current, gitDir: here + "/.git")
            }
            guard current != "/" else { return .none }
            let parent = parentFolder(of: current)
            // libgit2 stops at a file system boundary (`spur hook claude` would find nothing).
            guard PlainFile.status(parent)?.st_dev == device else { return .unsure }
            current = parent
        }
    }

    /// `.git` at `root` as libgit2 takes it: a git dir (HEAD, objects and refs), not a linked
    /// worktree's (no commondir), this user's like its working tree.
    private static func plainRepository(root: String, gitDir: String) -> PlainRepositoryLookup {
        guard PlainFile.linkStatus(gitDir + "/HEAD") != nil, PlainFile.isDirectory(gitDir + "/objects"), PlainFile.isDirectory(gitDir + "/refs"),
              PlainFile.linkStatus(gitDir + "/commondir") == nil,
              PlainFile.status(gitDir)?.st_uid == geteuid(), PlainFile.status(root)?.st_uid == geteuid() else { return .unsure }
        return .repository(root: root, layout: StateLayout(commonDir: gitDir))
    }

    public static func parentFolder(of path: String) -> String {
        let bytes = Array(path.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0 else { return "/" }
        return String(decoding: bytes[..<slash], as: UTF8.self)
    }

    /// True when `path` is `folder` or lies under it (both canonical, compared as bytes).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        if folder == "/" { return path.utf8.first == UInt8(ascii: "/") }
        return path.utf8.elementsEqual(folder.utf8) || path.utf8.starts(with: folder.utf8 + [UInt8(ascii: "/")])
    }
}
