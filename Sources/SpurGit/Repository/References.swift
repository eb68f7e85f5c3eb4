import CGit2
#if canImport(Glibc)
import Glibc
#endif

extension Repository {
    /// The object a reference points at (peeling symbolic references), or nil when it does not exist.
    public func referenceTarget(_ name: String) throws -> ObjectID? {
        var oid = git_oid()
        let result = withPointer { git_reference_name_to_id(&oid, $0, name) }
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "resolve \(name)")
        return ObjectID(oid)
    }

    /// Creates or moves a direct reference. With `expected`, the move only happens when the
    /// reference still points there (compare-and-swap); `expected == nil` and `mustNotExist`
    /// means the reference must be new.
    public func setReference(_ name: String, to id: ObjectID, message: String,
                             expected: ObjectID? = nil, mustNotExist: Bool = false) throws {
        var oid = id.raw
        var handle: OpaquePointer?
        if let expected {
            var current = expected.raw
            try check(withPointer { git_reference_create_matching(&handle, $0, name, &oid, 1, &current, message) }, "update \(name)")
        } else {
            try check(withPointer { git_reference_create(&handle, $0, name, &oid, mustNotExist ? 0 : 1, message) }, "create \(name)")
        }
        git_reference_free(handle)
    }

    /// Deletes a reference; a missing one is not an error.
    public func deleteReference(_ name: String) throws {
        var handle: OpaquePointer?
        let result = withPointer { git_reference_lookup(&handle, $0, name) }
        if result == GIT_ENOTFOUND.rawValue { return }
        try check(result, "git_reference_lookup(\(name))")
        defer { git_reference_free(handle) }
        try check(git_reference_delete(handle), "git_reference_delete(\(name))")
    }

    /// Removes the lock file `<common git dir>/<name>.lock` of a loose reference, as a writer
    /// killed between taking it and renaming it leaves it; returns true when there was one.
    /// Only the caller can know that no live process holds it: spur calls this for its own
    /// refs, while holding the lock of its own under which every writer of that ref runs.
    /// A name that is not a valid reference under `refs/` is refused.
    @discardableResult
    public func removeReferenceLock(_ name: String) throws -> Bool {
        var valid: Int32 = 0
        try check(git_reference_name_is_valid(&valid, name), "git_reference_name_is_valid(\(name))")
        guard valid == 1, name.hasPrefix("refs/") else {
            throw GitError(code: GIT_EINVALIDSPEC.rawValue, errorClass: 0, message: "not a reference name: \(name)",
                           operation: "remove the lock of \(name)")
        }
        let lock = commonDir + "/" + name + ".lock"
        if unlink(lock) == 0 { return true }
        if errno == ENOENT || errno == ENOTDIR { return false }
        throw GitError(code: -1, errorClass: 0, message: "cannot remove \(lock): \(String(cString: strerror(errno)))",
                       operation: "remove the lock of \(name)")
    }

    /// Names of references matching a glob such as `refs/spur/*`.
    public func referenceNames(matching glob: String) throws -> [String] {
        var iterator: OpaquePointer?
        try check(withPointer { git_reference_iterator_glob_new(&iterator, $0, glob) }, "git_reference_iterator_glob_new")
        defer { git_reference_iterator_free(iterator) }
        var names: [String] = []
        var name: UnsafePointer<CChar>?
        while true {
            let result = git_reference_next_name(&name, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "git_reference_next_name")
            if let name { names.append(String(cString: name)) }
        }
        return names
    }
}
