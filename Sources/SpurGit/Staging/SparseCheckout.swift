#if canImport(Glibc)
import Glibc
#endif

/// A working tree's sparse-checkout definition (`core.sparseCheckout` and the patterns in the
/// worktree's `info/sparse-checkout`), answering git's `path_in_sparse_checkout`: the path is
/// tried as a file, then each parent folder as a folder, until a pattern decides; the last
/// matching pattern wins (`!` excludes); nothing matching means outside.
///
/// Patterns are matched as git matches ignore patterns (cone-mode files are written in that
/// form too), with `fnmatch(FNM_PATHNAME)`: a `**` matches within one name only, where git's
/// wildmatch crosses folders. Paths and patterns are bytes.
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

    static func matches(_ pattern: [UInt8], _ subject: [UInt8]) -> Bool {
        GitPath(bytes: pattern).withCString { pattern in
            GitPath(bytes: subject).withCString { subject in fnmatch(pattern, subject, FNM_PATHNAME) == 0 }
        }
    }
}
