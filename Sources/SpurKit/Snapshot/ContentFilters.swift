import Foundation
import SpurGit

/// Whether git's content filters (eol conversion, `filter`/`ident`/`text` attributes) could
/// apply to a path of one working tree, decided without libgit2's attribute machinery (which
/// loads the whole index): when no attribute file and no autocrlf setting exists anywhere that
/// could reach the path, a file's blob id is the hash of its bytes.
///
/// Looks at: `core.autocrlf`, `core.attributesFile`, `<common dir>/info/attributes`, the
/// global and system attribute files, and `.gitattributes` in the path's folder and each
/// folder above it in the working tree. (A `.gitattributes` staged but deleted from the
/// working tree is not seen.)
final class ContentFilters {
    let workdir: String
    /// True when a setting or attribute file that reaches every path exists.
    private let everywhere: Bool
    private var folders: [GitPath: Bool] = [:]

    init(repository: Repository) throws {
        workdir = repository.workdir ?? ""
        let config = try repository.config()
        let autocrlf = try config.string("core.autocrlf")?.lowercased()
        let environment = ProcessInfo.processInfo.environment
        let xdg = environment["XDG_CONFIG_HOME"] ?? (environment["HOME"].map { $0 + "/.config" } ?? "")
        let files = [repository.commonDir + "/info/attributes", xdg.isEmpty ? "" : xdg + "/git/attributes", "/etc/gitattributes"]
        let attributesFile = try config.string("core.attributesFile")
        everywhere = (autocrlf != nil && autocrlf != "false") || attributesFile != nil
            || files.contains { !$0.isEmpty && FileStat.of($0) != nil }
    }

    /// True when filters might change how the file at `path` is stored.
    /// The folders are split at "/" bytes, never by characters.
    func mayApply(to path: GitPath) -> Bool {
        if everywhere { return true }
        if hasAttributes(in: .root) { return true }
        for folder in path.ancestorFolders where hasAttributes(in: folder) { return true }
        return false
    }

    private func hasAttributes(in folder: GitPath) -> Bool {
        if let known = folders[folder] { return known }
        let found = FileStat.of(folder.appending(".gitattributes").under(workdir)) != nil
        folders[folder] = found
        return found
    }
}

extension Repository {
    /// Hashes a working-tree file as staging would, through libgit2's filters only when
    /// `filters` says they might apply.
    func hashWorkdirFile(_ path: GitPath, filters: ContentFilters) throws -> ObjectID {
        try hashWorkdirFile(path, applyFilters: filters.mayApply(to: path))
    }

    /// The content a working-tree file has as blob `expected`: read as it is when no filter
    /// applies, else staged through the filters (which writes the blob). Throws when the file
    /// no longer matches `expected` (it changed meanwhile).
    func workdirBytes(_ path: GitPath, expected: ObjectID, filters: ContentFilters) throws -> [UInt8] {
        if try containsObject(expected) { return try blob(expected).bytes }
        if !filters.mayApply(to: path) {
            let full = path.under(filters.workdir)
            let read = FileStat.of(full)?.kind == .symlink ? FileBytes.linkTarget(full) : FileBytes.contents(full)
            guard let bytes = read else { throw SpurError("cannot read \(path.display)") }
            guard try ObjectID.blobHash(of: bytes) == expected else { throw SpurError("\(path) changed while it was being compared; run again") }
            return bytes
        }
        let written = try writeBlob(fromWorkdirFile: path)
        guard written == expected else { throw SpurError("\(path) changed while it was being compared; run again") }
        return try blob(written).bytes
    }
}
