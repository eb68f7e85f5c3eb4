#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// spur's own answer to "does git ignore this untracked path?", on bytes, with git's rules (not
/// libgit2's): `core.excludesFile` (default `$XDG_CONFIG_HOME/git/ignore` or
/// `~/.config/git/ignore`) below `info/exclude` of the common git folder, below each folder's
/// `.gitignore` (a nearer one wins; within a file the last matching line wins). A `.gitignore`
/// is read without following a link (a link gives no rules); one marked skip-worktree and missing
/// from the working tree is read from the index. Immutable and shared by the walk's threads.
public final class IgnoreRules: Sendable {
    /// `info/exclude` first, then `core.excludesFile` (git's precedence).
    let repositoryWide: [IgnoreRuleList]
    /// `core.ignorecase`: patterns compare ASCII letters without case, as git's do.
    let ignoreCase: Bool
    /// The working tree's root.
    let workdir: GitPath
    /// folder -> content of its `.gitignore` as the index holds it, for skip-worktree entries.
    let indexCopies: [GitPath: [UInt8]]

    /// Rules given as they are (tests; a caller that read the files itself).
    public init(workdir: GitPath, repositoryWide: [IgnoreRuleList], ignoreCase: Bool = false, indexCopies: [GitPath: [UInt8]] = [:]) {
        self.workdir = workdir
        self.repositoryWide = repositoryWide
        self.ignoreCase = ignoreCase
        self.indexCopies = indexCopies
    }

    /// The rules of `repository`'s working tree. `skipWorktreeRuleFiles` are the index's
    /// skip-worktree `.gitignore` entries (path -> blob); each one missing from the working tree
    /// is read from its blob.
    public convenience init(repository: Repository, skipWorktreeRuleFiles: [GitPath: ObjectID] = [:]) throws {
        guard let workdirText = repository.workdir else {
            throw GitError(code: -1, errorClass: 0, message: "no working tree", operation: "read ignore rules")
        }
        let workdir = GitPath(workdirText)
        let config = try repository.config()
        var lists: [IgnoreRuleList] = []
        let exclude = repository.commonDir + "/info/exclude"
        if let bytes = Self.readFile(exclude) {
            lists.append(IgnoreRuleList(parsing: bytes, base: [], source: exclude))
        }
        if let path = try Self.excludesFile(config, workdir: workdirText), let bytes = Self.readFile(path) {
            lists.append(IgnoreRuleList(parsing: bytes, base: [], source: path))
        }
        var copies: [GitPath: [UInt8]] = [:]
        for (path, blob) in skipWorktreeRuleFiles {
            guard Self.readRuleFile(workdir.appending(path)) == nil else { continue }
            copies[path.parentAndName.parent] = try repository.blob(blob).bytes
        }
        self.init(workdir: workdir, repositoryWide: lists, ignoreCase: try config.bool("core.ignorecase") ?? false, indexCopies: copies)
    }

    /// The root folder's scope; `readRules` reads the root's `.gitignore` (nil when it cannot be opened).
    public func rootScope(readRules: (GitPath) -> [UInt8]?) -> IgnoreScope {
        IgnoreScope(folder: .root, rules: rules(of: .root, read: readRules), parent: nil, global: self, excludedBy: nil)
    }

    /// The root scope, reading `.gitignore` files by path.
    public func rootScope() -> IgnoreScope { rootScope { self.readRuleFile(of: $0) } }

    /// The rules of `folder`'s `.gitignore`: from the working tree when it can be opened, else
    /// from the index when it is skip-worktree there, else none.
    func rules(of folder: GitPath, read: (GitPath) -> [UInt8]?) -> IgnoreRuleList? {
        let source = folder.isEmpty ? ".gitignore" : folder.text + "/.gitignore"
        let base = folder.isEmpty ? [] : folder.bytes + [0x2F]
        if let bytes = read(folder) ?? indexCopies[folder] {
            return bytes.isEmpty ? nil : IgnoreRuleList(parsing: bytes, base: base, source: source)
        }
        return nil
    }

    /// `folder/.gitignore` read by path from the working tree (see `readRuleFile(_:)`).
    public func readRuleFile(of folder: GitPath) -> [UInt8]? {
        Self.readRuleFile(workdir.appending(folder).appending(GitPath(".gitignore")))
    }

    /// A `.gitignore` at `path`, never through a link: nil when it cannot be opened (missing, a
    /// link), no bytes when it is not a regular file (git reads no rules from it either).
    static func readRuleFile(_ path: GitPath) -> [UInt8]? {
        let descriptor = path.withCString { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        return readAll(descriptor)
    }

    /// The `.gitignore` inside the folder open at `folder`, as `readRuleFile(_:)` reads one.
    public static func readRuleFile(inFolder folder: Int32) -> [UInt8]? {
        readAll(openat(folder, ".gitignore", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC))
    }

    /// A repository-wide ignore file (links followed); nil when there is none.
    static func readFile(_ path: String) -> [UInt8]? {
        readAll(open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC))
    }

    /// Reads and closes `descriptor`: nil when it is not open, no bytes unless a regular file.
    private static func readAll(_ descriptor: Int32) -> [UInt8]? {
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return [] }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return count == 0 ? result : [] }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// `core.excludesFile` (a leading `~/` is the home folder, a relative path is relative to the
    /// working tree's root, where git runs), else git's default `ignore` in the XDG config folder
    /// (`$XDG_CONFIG_HOME/git`, else `~/.config/git`: the folder libgit2 reads XDG config from).
    static func excludesFile(_ config: Config, workdir: String) throws -> String? {
        if let configured = try config.path("core.excludesFile") {
            return configured.hasPrefix("/") ? configured : workdir + "/" + configured
        }
        for folder in try Libgit2.configSearchPath(.xdg) where !folder.isEmpty {
            var info = stat()
            if stat(folder + "/ignore", &info) == 0 { return folder + "/ignore" }
        }
        return nil
    }
}

/// Questions about paths by their full name (libgit2's staging asks that way): each folder's
/// scope is made once and kept. Not shared between threads.
public final class IgnoredPaths {
    let rules: IgnoreRules
    private var scopes: [GitPath: IgnoreScope] = [:]

    public init(_ rules: IgnoreRules) { self.rules = rules }

    /// True when the untracked `path` is ignored (`isFolder`: a real folder, not a link).
    public func isIgnored(_ path: GitPath, isFolder: Bool) -> Bool {
        let (parent, name) = path.parentAndName
        return scope(of: parent).isIgnored(name, isFolder: isFolder)
    }

    /// The rule deciding about `path` (see `IgnoreScope.decision`).
    public func decision(for path: GitPath, isFolder: Bool) -> IgnoreDecision? {
        let (parent, name) = path.parentAndName
        return scope(of: parent).decision(for: name, isFolder: isFolder)
    }

    func scope(of folder: GitPath) -> IgnoreScope {
        if let known = scopes[folder] { return known }
        let made: IgnoreScope
        if folder.isEmpty {
            made = rules.rootScope()
        } else {
            let (parent, name) = folder.parentAndName
            made = scope(of: parent).child(name) { self.rules.readRuleFile(of: $0) }
        }
        scopes[folder] = made
        return made
    }
}
