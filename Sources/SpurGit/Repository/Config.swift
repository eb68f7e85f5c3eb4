import CGit2

/// A read-only configuration snapshot. Owns its libgit2 handle (freed on deinit), which never leaves it.
public final class Config {
    private let pointer: OpaquePointer
    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_config_free(pointer) }

    /// The value of `name`, or nil when it is not set.
    /// The configuration of one file (`config.worktree`, which libgit2 1.5.1 does not load).
    static func file(_ path: String) throws -> Config {
        var handle: OpaquePointer?
        try check(git_config_open_ondisk(&handle, path), "git_config_open_ondisk")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no config", operation: "git_config_open_ondisk") }
        return Config(owning: handle)
    }

    public func string(_ name: String) throws -> String? {
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read config \(name)")
        return value.map { String(cString: $0) }
    }

    /// The value of `name` as a path: a leading `~/` becomes the home folder (libgit2's global
    /// search path, which is `$HOME`); nil when it is not set.
    public func path(_ name: String) throws -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = git_config_get_path(&buffer, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read config \(name)")
        return buffer.ptr.map { String(cString: $0) }
    }

    /// The boolean value of `name` (git's true/yes/on/1), or nil when it is not set.
    public func bool(_ name: String) throws -> Bool? {
        var value: Int32 = 0
        let result = git_config_get_bool(&value, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read config \(name)")
        return value != 0
    }

    /// Every (name, value) whose name matches the regular expression `pattern`, in config order.
    public func entries(matching pattern: String) throws -> [(name: String, value: String)] {
        var iterator: OpaquePointer?
        try check(git_config_iterator_glob_new(&iterator, pointer, pattern), "config entries \(pattern)")
        defer { git_config_iterator_free(iterator) }
        var result: [(name: String, value: String)] = []
        var entry: UnsafeMutablePointer<git_config_entry>?
        while git_config_next(&entry, iterator) == 0, let entry {
            result.append((String(cString: entry.pointee.name), String(cString: entry.pointee.value)))
        }
        return result
    }
}
