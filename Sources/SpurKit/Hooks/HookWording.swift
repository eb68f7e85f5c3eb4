import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpurGit

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
