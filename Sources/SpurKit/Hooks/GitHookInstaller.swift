import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Installs spur's git pre-commit hook where git looks for hooks (git config `core.hooksPath`,
/// or the common git directory's `hooks/`) and removes it again. A pre-commit hook that was
/// there before is kept, renamed `pre-commit.spur-chained`: spur's hook runs it first and
/// stops when it fails. Uninstalling puts it back.
public struct GitHookInstaller: Sendable {
    /// The line that marks a pre-commit hook as spur's.
    public static let marker = "# spur-pre-commit-hook"

    /// The hook's text, as `hooks/git/pre-commit` holds it.
    public static let script = """
        #!/bin/sh
        \(marker) (installed by `spur hooks install --git`; `spur hooks uninstall` removes it)
        #
        # Warns when a staged file is also changed by a live spur lane, and refuses the commit
        # when git config spur.guard is deny. A pre-commit hook that was here before runs first
        # (pre-commit.spur-chained, beside this file). Without spur on PATH (or $SPUR), the
        # commit goes ahead.
        chained="$(dirname "$0")/pre-commit.spur-chained"
        if [ -x "$chained" ]; then
            "$chained" "$@" || exit $?
        fi
        spur="${SPUR:-spur}"
        if ! command -v "$spur" >/dev/null 2>&1; then
            echo "spur: warning: spur not found; the lane check before this commit is skipped" >&2
            exit 0
        fi
        git diff --cached --name-only --no-renames -z | "$spur" hook git-pre-commit

        """

    /// The folder git runs hooks from.
    public let directory: String
    public var hookPath: String { directory + "/pre-commit" }
    public var chainedPath: String { directory + "/pre-commit.spur-chained" }

    public init(workspace: Workspace) throws {
        let repository = try workspace.openRepository()
        if let configured = try repository.config().string("core.hooksPath"), !configured.isEmpty {
            let expanded = (configured as NSString).expandingTildeInPath
            directory = URL(fileURLWithPath: expanded.hasPrefix("/") ? expanded : workspace.root + "/" + expanded).standardizedFileURL.path
        } else {
            directory = workspace.commonDir + "/hooks"
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// Installed; `chained` when an existing hook was kept to run first.
        case installed(chained: Bool)
        /// spur's hook was there in an older version and was replaced.
        case updated
        case alreadyInstalled
        /// Removed; `restored` when the chained hook was put back.
        case removed(restored: Bool)
        case notInstalled
    }

    /// Installs the hook (with `dryRun`, only says what would happen).
    public func install(dryRun: Bool = false) throws -> Outcome {
        if let current = FileStat.of(hookPath) {
            if isSpurHook() {
                if FileManager.default.contents(atPath: hookPath) == Data(Self.script.utf8), current.executable { return .alreadyInstalled }
                if !dryRun { try writeHook() }
                return .updated
            }
            if FileStat.of(chainedPath) != nil {
                throw SpurError("\(hookPath) is not spur's and \(chainedPath) exists already; move one of them away first")
            }
            if !dryRun {
                try rename(hookPath, chainedPath)
                try writeHook()
            }
            return .installed(chained: true)
        }
        if !dryRun {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try writeHook()
        }
        return .installed(chained: false)
    }

    /// Removes spur's hook and puts a chained one back (with `dryRun`, only says what would happen).
    public func uninstall(dryRun: Bool = false) throws -> Outcome {
        guard isSpurHook() else { return .notInstalled }
        let restore = FileStat.of(chainedPath) != nil
        if !dryRun {
            if restore { try rename(chainedPath, hookPath) } else { try FileManager.default.removeItem(atPath: hookPath) }
        }
        return .removed(restored: restore)
    }

    /// True when the pre-commit hook is spur's.
    public func isSpurHook() -> Bool {
        guard let data = FileManager.default.contents(atPath: hookPath) else { return false }
        return String(decoding: data.prefix(4096), as: UTF8.self).split(separator: "\n").contains { $0.hasPrefix(Self.marker) }
    }

    private func writeHook() throws {
        try AtomicFile.write(Data(Self.script.utf8), to: hookPath, mode: 0o755)
        // The umask may have taken execute bits away; git runs only executable hooks.
        guard chmod(hookPath, 0o755) == 0 else { throw SpurError("cannot make \(hookPath) executable: \(String(cString: strerror(errno)))") }
    }

    private func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw SpurError("cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }
}
