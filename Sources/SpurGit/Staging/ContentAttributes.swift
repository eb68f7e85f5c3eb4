import CGit2

extension Repository {
    /// The values of attributes `names` for `path` as git resolves them for staging (working
    /// tree's .gitattributes, then the index's): "true", "false", a string, or nil when unset.
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

    /// `bytes` of the working-tree file `path` run through libgit2's filters towards the object
    /// database (eol conversion, ident): what libgit2 would store for them.
    public func filteredForStaging(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        guard !bytes.isEmpty else { return bytes }
        var filters: OpaquePointer?
        try check(withPointer { git_filter_list_load(&filters, $0, nil, path, GIT_FILTER_TO_ODB, GIT_FILTER_DEFAULT.rawValue) },
                  "git_filter_list_load(\(path))")
        guard let filters else { return bytes }
        defer { git_filter_list_free(filters) }
        var out = git_buf()
        defer { git_buf_dispose(&out) }
        try bytes.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { chars in
                try check(git_filter_list_apply_to_buffer(&out, filters, chars.baseAddress, chars.count), "filter '\(path)'")
            }
        }
        guard let pointer = out.ptr else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: out.size) { Array(UnsafeBufferPointer(start: $0, count: out.size)) }
    }
}

