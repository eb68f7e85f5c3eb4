import CGit2

extension Repository {
    /// The values of attributes `names` for `path` as libgit2 resolves them (its working tree's
    /// .gitattributes and its index's, both read): "true", "false", a string, or nil when unset.
    /// Staging uses spur's own `AttributeLookup`, which resolves them as git does.
    public func attributes(_ names: [String], path: String) throws -> [String?] {
        var values = [UnsafePointer<CChar>?](repeating: nil, count: names.count)
        try withStrarray(names) { array in
            try check(withPointer { repository in
                values.withUnsafeMutableBufferPointer { buffer in
                    let names = UnsafeMutableRawPointer(array.pointee.strings).map { $0.assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
                    return git_attr_get_many(buffer.baseAddress, repository, 0, path, array.pointee.count, names)
                }
            }, "git_attr_get_many(\(path))")
        }
        return values.map { value in
            switch git_attr_value(value) {
            case GIT_ATTR_VALUE_TRUE: "true"
            case GIT_ATTR_VALUE_FALSE: "false"
            case GIT_ATTR_VALUE_STRING: value.map { String(cString: $0) }
            default: nil
            }
        }
    }
}
