import CGit2

/// Process-wide libgit2 set-up. libgit2 is initialised once, on first use, and never shut down
/// (shutting down while another thread still holds a handle is undefined behaviour).
public enum Libgit2 {
    private static let initialised: Bool = {
        git_libgit2_init()
        // Like git, trust the object database on reads instead of re-hashing every object read
        // (libgit2's default); `git fsck` is the integrity check. Writes are still hashed.
        _ = spur_git_enable_strict_hash_verification(0)
        return true
    }()

    /// Makes sure libgit2 is initialised; every handle constructor calls this.
    @inline(__always)
    static func ensureInitialised() { _ = initialised }

    /// Where libgit2 looks for global, XDG and system configuration.
    public enum ConfigLevel: Int32, Sendable {
        case system = 2, xdg = 3, global = 4
    }

    /// Pins the configuration search path of one level (tests use this so a developer's
    /// `~/.gitconfig` cannot change results). An empty string means "no file at this level".
    public static func setConfigSearchPath(_ level: ConfigLevel, to path: String) throws {
        ensureInitialised()
        try check(spur_git_set_search_path(level.rawValue, path), "git_libgit2_opts(SET_SEARCH_PATH)")
    }

    /// libgit2's version as "major.minor.revision".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}

/// Calls `body` with a `git_strarray` view of `strings`; the C strings live only during the call.
func withStrarray<R>(_ strings: [String], _ body: (UnsafePointer<git_strarray>) throws -> R) rethrows -> R {
    try withStrarray(strings.map { GitPath(bytes: Array($0.utf8)) }, body)
}

/// Calls `body` with a `git_strarray` of the paths' exact bytes, valid only during the call.
func withStrarray<R>(_ paths: [GitPath], _ body: (UnsafePointer<git_strarray>) throws -> R) rethrows -> R {
    var cStrings: [UnsafeMutablePointer<CChar>?] = paths.map { $0.allocatedCString() }
    defer { cStrings.forEach { $0?.deallocate() } }
    return try cStrings.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
