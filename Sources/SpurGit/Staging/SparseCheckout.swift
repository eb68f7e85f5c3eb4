import CGit2
#if canImport(Glibc)
import Glibc
#endif

/// A working tree's sparse-checkout definition (`core.sparseCheckout` and the patterns in the
/// worktree's `info/sparse-checkout`), answering git's `path_in_sparse_checkout`: the path is
/// tried as a file, then each parent folder as a folder, until a pattern decides; the last
/// matching pattern wins (`!` excludes); nothing matching means outside.
///
/// Patterns are matched as git matches ignore patterns (cone-mode files are written in that
/// form too): names with `fnmatch`, a whole-name `**` across folders. Paths and patterns are bytes.
public struct SparseCheckout: Sendable {
    struct Pattern: Sendable {
        var text: [UInt8]
        var negated: Bool
        var folderOnly: Bool
        /// No slash but a trailing one: matched against the last name only.
        var baseNameOnly: Bool
    }

    let patterns: [Pattern]

    /// The definition in force for `repository`'s working tree; nil when sparse checkout is off.
    public static func of(_ repository: Repository) throws -> SparseCheckout? {
        let config = try repository.config()
        var enabled = try config.bool("core.sparseCheckout") ?? false
        // `git sparse-checkout` writes it to the worktree's config.worktree, which libgit2 skips.
        let worktreeConfig = repository.gitDir + "/config.worktree"
        if try config.bool("extensions.worktreeConfig") == true, access(worktreeConfig, F_OK) == 0,
           let value = try Config.file(worktreeConfig).bool("core.sparseCheckout") {
            enabled = value
        }
        guard enabled else { return nil }
        let file = repository.gitDir + "/info/sparse-checkout"
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }  // git: no pattern file, everything inside
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return SparseCheckout(patternFile: bytes)
    }

    init(patterns: [Pattern]) { self.patterns = patterns }

    /// Parses a pattern file as git parses an ignore file.
    init(patternFile bytes: [UInt8]) {
        var patterns: [Pattern] = []
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            var line = Array(rawLine)
            if line.last == 0x0D { line.removeLast() }
            while let last = line.last, last == 0x20, !(line.count >= 2 && line[line.count - 2] == 0x5C) { line.removeLast() }
            guard let first = line.first, first != 0x23 else { continue }  // blank, "#" comment
            var negated = false
            if first == 0x21 { negated = true; line.removeFirst() } else if first == 0x5C { line.removeFirst() }
            var folderOnly = false
            if line.last == 0x2F { folderOnly = true; line.removeLast() }
            guard !line.isEmpty else { continue }
            let baseNameOnly = !line.contains(0x2F)
            if line.first == 0x2F { line.removeFirst() }
            patterns.append(Pattern(text: line, negated: negated, folderOnly: folderOnly, baseNameOnly: baseNameOnly))
        }
        self.patterns = patterns
    }

    /// True when `path` is inside the definition: `git add` stages it.
    public func contains(_ path: GitPath) -> Bool {
        var end = path.bytes.count
        var isFolder = false
        while end > 0 {
            let candidate = Array(path.bytes[0..<end])
            if let decision = decide(candidate, isFolder: isFolder) { return decision }
            guard let slash = candidate.lastIndex(of: 0x2F) else { break }
            end = slash
            isFolder = true
        }
        return false
    }

    /// The last pattern matching `path` (as a folder or not): true to include, false to
    /// exclude; nil when none matches.
    func decide(_ path: [UInt8], isFolder: Bool) -> Bool? {
        let baseName = path.lastIndex(of: 0x2F).map { Array(path[($0 + 1)...]) } ?? path
        for pattern in patterns.reversed() {
            if pattern.folderOnly && !isFolder { continue }
            let subject = pattern.baseNameOnly ? baseName : path
            if Self.matches(pattern.text, subject) { return !pattern.negated }
        }
        return nil
    }

    /// git's wildmatch for a pattern against a path, name by name: `*`, `?` and `[...]` inside one
    /// name (`fnmatch`), a whole-name `**` any number of names (at the end: at least one).
    static func matches(_ pattern: [UInt8], _ subject: [UInt8]) -> Bool {
        let patternNames = pattern.split(separator: 0x2F, omittingEmptySubsequences: false).map(Array.init)
        let subjectNames = subject.split(separator: 0x2F, omittingEmptySubsequences: false).map(Array.init)
        return matches(patternNames[...], subjectNames[...])
    }

    private static func matches(_ pattern: ArraySlice<[UInt8]>, _ subject: ArraySlice<[UInt8]>) -> Bool {
        guard let first = pattern.first else { return subject.isEmpty }
        if first == [0x2A, 0x2A] {
            let rest = pattern.dropFirst()
            let fewest = rest.isEmpty ? 1 : 0
            guard subject.count >= fewest else { return false }
            return (fewest...subject.count).contains { matches(rest, subject.dropFirst($0)) }
        }
        guard let name = subject.first else { return false }
        let matched = GitPath(bytes: first).withCString { pattern in
            GitPath(bytes: name).withCString { name in fnmatch(pattern, name, 0) == 0 }
        }
        return matched && matches(pattern.dropFirst(), subject.dropFirst())
    }
}

extension Repository {
    /// Gives this new linked worktree the sparse-checkout definition of `source`'s working tree,
    /// as `git worktree add` (2.39) does: the pattern file and the sparse settings are copied,
    /// each file outside the definition is removed again (with the folders it leaves empty) and
    /// its index entry marked skip-worktree, so a snapshot of this worktree keeps it as it is
    /// instead of recording it as deleted. Nothing happens when `source` is not sparse.
    func inheritSparseCheckout(from source: Repository) throws {
        guard try SparseCheckout.of(source) != nil, let workdir else { return }
        let info = gitDir + "/info"
        if mkdir(info, 0o777) != 0 && errno != EEXIST { throw sparseError("mkdir \(info)") }
        try copyFile(source.gitDir + "/info/sparse-checkout", to: info + "/sparse-checkout")
        let sourceConfig = try source.config()
        var settings = "[core]\n\tsparseCheckout = true\n"
        if try sourceConfig.bool("core.sparseCheckoutCone") == true { settings += "\tsparseCheckoutCone = true\n" }
        if try config().bool("extensions.worktreeConfig") == true {
            try writeFile(Array(settings.utf8), to: gitDir + "/config.worktree")
        }
        guard let sparse = try SparseCheckout.of(self) else { return }
        let index = try self.index()
        var folders = Set<GitPath>()
        try index.withPointer { handle in
            for i in 0..<git_index_entrycount(handle) {
                guard let entry = git_index_get_byindex(handle, i) else { continue }
                let path = GitPath(cString: entry.pointee.path)
                if sparse.contains(path) { continue }
                UnsafeMutablePointer(mutating: entry).pointee.flags_extended |= UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
                let full = GitPath(workdir).appending(path)
                if full.withCString({ unlink($0) }) != 0 && errno != ENOENT { throw sparseError("remove \(path.display)") }
                var parent = path.parentAndName.parent
                while !parent.isEmpty, folders.insert(parent).inserted { parent = parent.parentAndName.parent }
            }
        }
        try index.write()
        // Deepest first; a folder still holding a file of the definition stays.
        for folder in folders.sorted(by: { $0.bytes.count > $1.bytes.count }) {
            _ = GitPath(workdir).appending(folder).withCString { rmdir($0) }
        }
    }

    private func copyFile(_ from: String, to: String) throws {
        let descriptor = open(from, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw sparseError("open \(from)") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { if count < 0 { throw sparseError("read \(from)") }; break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        try writeFile(bytes, to: to)
    }

    private func writeFile(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw sparseError("create \(path)") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + written }, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw sparseError("write \(path)") }
            written += count
        }
    }

    private func sparseError(_ operation: String) -> GitError {
        GitError(code: -1, errorClass: 0, message: String(cString: strerror(errno)), operation: operation)
    }
}
