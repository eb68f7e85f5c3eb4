extension String {
    /// nil for the empty string, so `a.nilIfEmpty ?? b` reads as "a, or else b".
    var nilIfEmpty: String? { isEmpty ? nil : self }

    /// The names of a path between "/" bytes, as git splits it. Never by characters: a combining
    /// mark or U+200D right after "/" forms one Character with it, but starts a name of its own.
    func slashComponents(omittingEmpty: Bool = true) -> [String] {
        utf8.split(separator: 0x2F, omittingEmptySubsequences: omittingEmpty).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The path split at its last "/" byte: its folder ("" at the root) and its name.
    var folderAndName: (folder: String, name: String) {
        guard let slash = utf8.lastIndex(of: 0x2F) else { return ("", self) }
        return (String(decoding: utf8[..<slash], as: UTF8.self), String(decoding: utf8[utf8.index(after: slash)...], as: UTF8.self))
    }

    /// The folders above a path, outermost first ("" excluded), split at "/" bytes.
    var ancestorFolders: [String] {
        var result: [String] = []
        var index = utf8.startIndex
        while let slash = utf8[index...].firstIndex(of: 0x2F) {
            result.append(String(decoding: utf8[..<slash], as: UTF8.self))
            index = utf8.index(after: slash)
        }
        return result
    }
}
