#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// spur's own attribute lookup on byte paths, resolved as git 2.39 resolves it (gitattributes(5)):
/// from lowest to highest priority the built-in `binary` macro, the system file
/// (`/etc/gitattributes`, unless `GIT_ATTR_NOSYSTEM`), the global file (`core.attributesFile`, else
/// `$XDG_CONFIG_HOME/git/attributes` or `~/.config/git/attributes`), the root `.gitattributes`,
/// each deeper folder's `.gitattributes`, and `<common dir>/info/attributes` last. Within a file a
/// later line wins; macros may be defined anywhere in the top-level files, even after their use,
/// and expand only when set. Per-folder files come from `folderRules`, which the caller answers
/// (working tree with lstat semantics, then the index, at the moment git would read them).
///
/// Like git, the per-folder files of the last path's folders stay cached while the next path is
/// in the same folders, and are read again once a lookup left them.
public final class AttributeLookup {
    /// The rules of `folder`'s `.gitattributes` ("" the root), read when git reads them.
    public typealias FolderRules = (GitPath) -> AttributeRules

    private let folderRules: FolderRules
    /// Builtin, system, global: below the root file.
    private let bottom: [AttributeRules]
    private let info: AttributeRules
    /// The root file, read at the first lookup and kept for good (as git keeps it).
    private var root: AttributeRules?
    /// The folders below the root of the last lookup and their rules, outermost first.
    private var stack: [(folder: [UInt8], rules: AttributeRules)] = []
    /// Macro definitions, decided once the root file is known.
    private var macros: [String: [AttributeRules.State]] = [:]

    /// A lookup for `repository`'s global files and `folderRules` for the files in its tree.
    public init(repository: Repository, folderRules: @escaping FolderRules) throws {
        self.folderRules = folderRules
        let config = try repository.config()
        var bottom = [AttributeRules(parsing: Array("[attr]binary -diff -merge -text\n".utf8), macrosAllowed: true, fromFile: false)]
        let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
        if !Self.isTrue(environment("GIT_ATTR_NOSYSTEM")) {
            bottom.append(Self.readFile("/etc/gitattributes"))
        }
        var global = try config.string("core.attributesFile")
        if let path = global, path.hasPrefix("~/"), let home = environment("HOME") { global = home + path.dropFirst(1) }
        if global == nil {
            if let xdg = environment("XDG_CONFIG_HOME"), !xdg.isEmpty { global = xdg + "/git/attributes" }
            else if let home = environment("HOME") { global = home + "/.config/git/attributes" }
        }
        if let global { bottom.append(Self.readFile(global)) }
        self.bottom = bottom
        info = Self.readFile(repository.commonDir + "/info/attributes")
    }

    private static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }

    /// An attribute file outside the working tree (followed if a link; missing: no rules).
    static func readFile(_ path: String, macrosAllowed: Bool = true) -> AttributeRules {
        guard let bytes = readRegularFile(GitPath(path), followLinks: true) else { return .empty }
        return AttributeRules(parsing: bytes, macrosAllowed: macrosAllowed, fromFile: true)
    }

    /// The bytes of the file at `path`; nil when it cannot be opened (missing, or a symbolic
    /// link when `followLinks` is false: git opens in-tree attribute files with O_NOFOLLOW). A
    /// folder reads as empty, as git reads it.
    public static func readRegularFile(_ path: GitPath, followLinks: Bool) -> [UInt8]? {
        let descriptor = path.withCString { open($0, O_RDONLY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW)) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT == S_IFDIR { return [] }
        guard info.st_size < 100 * 1024 * 1024 else { return [] }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Every attribute specified for file `path` (set, unset or a value; `!attr` leaves it out).
    public func attributes(of path: GitPath) -> [String: AttributeValue] {
        prepare(for: path)
        let bytes = path.bytes
        let nameStart = (bytes.lastIndex(of: 0x2F) ?? -1) + 1
        var values: [String: AttributeValue] = [:]
        var frames: [(base: [UInt8], rules: AttributeRules)] = [([], info)]
        for frame in stack.reversed() { frames.append((frame.folder, frame.rules)) }
        frames.append(([], root ?? .empty))
        for rules in bottom.reversed() { frames.append(([], rules)) }
        for frame in frames {
            for rule in frame.rules.rules.reversed() where rule.matches(file: bytes, nameStart: nameStart, base: frame.base) {
                fill(rule.states, into: &values)
            }
        }
        return values.filter { $0.value != .unspecified }
    }

    /// The values of `names` for `path`, nil where unspecified.
    public func values(_ names: [String], of path: GitPath) -> [AttributeValue?] {
        let all = attributes(of: path)
        return names.map { all[$0] }
    }

    /// Sets each attribute of `states` not yet decided (the last on a line first), expanding a
    /// macro that becomes set.
    private func fill(_ states: [AttributeRules.State], into values: inout [String: AttributeValue], depth: Int = 0) {
        for state in states.reversed() where values[state.name] == nil {
            values[state.name] = state.value
            if state.value == .set, depth < 64, let expansion = macros[state.name] {
                fill(expansion, into: &values, depth: depth + 1)
            }
        }
    }

    /// Brings the folder stack to `path`'s folders, reading the files git would read now.
    private func prepare(for path: GitPath) {
        if root == nil {
            let rootRules = folderRules(.root)
            root = rootRules
            // The last definition wins: info first, then the root file, global, system, builtin.
            for rules in [info, rootRules] + bottom.reversed() {
                for macro in rules.macros.reversed() where macros[macro.name] == nil { macros[macro.name] = macro.states }
            }
        }
        let bytes = path.bytes
        var folders: [[UInt8]] = []
        for (i, byte) in bytes.enumerated() where byte == 0x2F { folders.append(Array(bytes[..<i])) }
        var keep = 0
        while keep < stack.count && keep < folders.count && stack[keep].folder == folders[keep] { keep += 1 }
        stack.removeLast(stack.count - keep)
        for folder in folders[keep...] {
            stack.append((folder, folderRules(GitPath(bytes: folder))))
        }
    }
}

extension AttributeLookup {
    /// A lookup reading each folder's `.gitattributes` as `git check-attr` does: the working
    /// tree's regular file (a symbolic link is not followed), else the blob `indexBlob` names.
    public static func checkin(repository: Repository, indexBlob: @escaping (GitPath) -> ObjectID?) throws -> AttributeLookup {
        let workdir = repository.workdir.map { GitPath($0) }
        return try AttributeLookup(repository: repository) { folder in
            let file = folder.appending(GitPath(".gitattributes"))
            if let workdir, let bytes = readRegularFile(workdir.appending(file), followLinks: false) {
                return AttributeRules(parsing: bytes, macrosAllowed: folder.isEmpty, fromFile: true)
            }
            guard let id = indexBlob(file), let blob = try? repository.blob(id) else { return .empty }
            return AttributeRules(parsing: blob.bytes, macrosAllowed: folder.isEmpty, fromFile: false)
        }
    }

    /// The same with the repository's index as on disk.
    public static func checkin(repository: Repository) throws -> AttributeLookup {
        let index = repository.indexAsOnDisk()
        return try checkin(repository: repository) { index?.entry(path: $0)?.id }
    }

    /// A lookup as a checkout reads the files: the index's `.gitattributes` first, else the
    /// working tree's regular file.
    public static func checkout(repository: Repository, index: Index) throws -> AttributeLookup {
        let workdir = repository.workdir.map { GitPath($0) }
        return try AttributeLookup(repository: repository) { folder in
            let file = folder.appending(GitPath(".gitattributes"))
            if let entry = index.entry(path: file), let blob = try? repository.blob(entry.id) {
                return AttributeRules(parsing: blob.bytes, macrosAllowed: folder.isEmpty, fromFile: false)
            }
            guard let workdir, let bytes = readRegularFile(workdir.appending(file), followLinks: false) else { return .empty }
            return AttributeRules(parsing: bytes, macrosAllowed: folder.isEmpty, fromFile: true)
        }
    }
}
