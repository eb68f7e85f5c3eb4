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
