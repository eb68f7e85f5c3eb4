import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpurGit

/// Absolute paths compared the way the kernel sees them: `.` and `..` removed, symlinks in
/// the part that exists resolved, so a file named through a symlinked folder still counts as
/// inside the folder it really is in.
enum CanonicalPath {
    static func of(_ path: String, relativeTo cwd: String) -> String {
        let absolute = path.hasPrefix("/") ? path : cwd + "/" + path
        var existing = URL(fileURLWithPath: absolute).standardizedFileURL.path
        var missing: [String] = []
        while existing != "/" {
            if let resolved = realPath(existing) {
                return ([resolved == "/" ? "" : resolved] + missing.reversed()).joined(separator: "/")
            }
            missing.append((existing as NSString).lastPathComponent)
            existing = (existing as NSString).deletingLastPathComponent
        }
        return "/" + missing.reversed().joined(separator: "/")
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when `path` is `folder` or lies under it (both canonical).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }
}
