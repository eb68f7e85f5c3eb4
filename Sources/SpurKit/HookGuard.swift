import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpurGit

/// What a hook does when you are about to change a file a live lane has changed too: git
/// config `spur.guard`.
public enum GuardMode: String, Sendable, CaseIterable {
    /// Let the edit happen and tell the agent (or print a warning at commit time).
    case warn
    /// Ask the person (the default). At commit time, where nobody can be asked, it warns.
    case ask
    /// Refuse the edit, or the commit.
    case deny

    public static let configKey = "spur.guard"
    public static let `default` = GuardMode.ask

    /// The configured mode; an unknown value falls back to the default with a warning.
    public static func configured(in repository: Repository) -> (mode: GuardMode, warning: String?) {
        guard let text = try? repository.config().string(configKey) else { return (.default, nil) }
        if let mode = GuardMode(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) { return (mode, nil) }
        return (.default, "git config \(configKey) is '\(text)'; expected warn, ask or deny (using \(GuardMode.default.rawValue))")
    }
}

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

/// Words shared by the Claude Code hook and the pre-commit hook.
enum HookWording {
    /// "lane fix (running)" or "lanes fix (running) and docs (done)".
    static func lanes(_ names: [String], states: [String: String]) -> String {
        let described = names.map { name in states[name].map { "\(name) (\($0))" } ?? name }
        let list = described.count <= 1 ? described.joined()
            : described.dropLast().joined(separator: ", ") + " and " + (described.last ?? "")
        return (names.count == 1 ? "lane " : "lanes ") + list
    }

    /// The state each lane is shown with: its state, or "stalled" for a stalled running task.
    static func states(of lanes: [Lane]) -> [String: String] {
        Dictionary(lanes.map { ($0.name, $0.state == .running && $0.stalledSince != nil ? "stalled" : $0.state.rawValue) }) { first, _ in first }
    }
}
