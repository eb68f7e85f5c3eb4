import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpurGit

/// Absolute paths compared the way the kernel sees them, split and compared at "/" bytes (never
/// by characters: a combining mark right after "/" starts a name): `.` and `..` removed, symlinks in
/// the part that exists resolved, so a file named through a symlinked folder still counts as
/// inside the folder it really is in. The cost is linear in the path's length (times the log
/// of its number of components), however deep the path.
enum CanonicalPath {
    /// The longest path the kernel accepts, in bytes (PATH_MAX counts the terminating NUL).
    static let longestPath = Int(PATH_MAX) - 1

    static func of(_ path: String, relativeTo cwd: String) -> String {
        let absolute = path.utf8.first == 0x2F ? path : cwd + "/" + path
        var components: [String] = []
        for bytes in absolute.utf8.split(separator: 0x2F) {
            let component = String(decoding: bytes, as: UTF8.self)
            if bytes.elementsEqual(".".utf8) { continue }
            if bytes.elementsEqual("..".utf8) { _ = components.popLast() } else { components.append(component) }
        }
        // A prefix that does not resolve has no longer prefix that does, so the longest one
        // that resolves is found by bisection: a few `realpath` calls instead of one per component.
        var resolvedCount = 0
        var resolved = "/"
        var high = components.count
        while resolvedCount < high {
            let middle = (resolvedCount + high + 1) / 2
            if let real = realPath("/" + components[..<middle].joined(separator: "/")) {
                resolvedCount = middle
                resolved = real
            } else {
                high = middle - 1
            }
        }
        let missing = components[resolvedCount...]
        if missing.isEmpty { return resolved }
        return (resolved == "/" ? "" : resolved) + "/" + missing.joined(separator: "/")
    }

    private static func realPath(_ path: String) -> String? {
        guard path.utf8.count <= longestPath, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when `path` is `folder` or lies under it (both canonical).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        GitPath(path).isInside(GitPath(folder))
    }

    /// A refusal for a path the kernel would not accept (longer than PATH_MAX), or nil.
    static func lengthProblem(of path: String) -> String? {
        let length = path.utf8.count
        guard length > longestPath else { return nil }
        return "a path of \(length) bytes is longer than the system allows (\(longestPath))"
    }
}
