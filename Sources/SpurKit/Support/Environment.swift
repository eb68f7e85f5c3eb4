import Foundation
import SpurGit

/// Process environment spur honours the way git does.
enum Environment {
    private static let applied: Bool = {
        // Like git, GIT_CONFIG_NOSYSTEM=1 skips the system-wide configuration file.
        if let value = ProcessInfo.processInfo.environment["GIT_CONFIG_NOSYSTEM"],
           ["1", "true", "yes", "on"].contains(value.lowercased()) {
            try? Libgit2.setConfigSearchPath(.system, to: "")
        }
        return true
    }()

    static func applyGitConfigOverrides() { _ = applied }
}
