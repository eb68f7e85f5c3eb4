import CGit2

/// A read-only configuration snapshot. Owns its libgit2 handle (freed on deinit), which never leaves it.
public final class Config {
    private let pointer: OpaquePointer
    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_config_free(pointer) }

    /// The value of `name`, or nil when it is not set.
    public func string(_ name: String) throws -> String? {
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read config \(name)")
        return value.map { String(cString: $0) }
    }

    /// The boolean value of `name` (git's true/yes/on/1), or nil when it is not set.
    public func bool(_ name: String) throws -> Bool? {
        var value: Int32 = 0
        let result = git_config_get_bool(&value, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read config \(name)")
        return value != 0
    }
}
