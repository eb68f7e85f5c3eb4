#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One path of the user's working tree a lane gets a copy of.
public struct IncludedEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case file, link, folder }
    public let path: GitPath
    /// `folder`: an ignored folder copied whole.
    public let kind: Kind
}

/// Finds the paths of a working tree that `.worktreeinclude` brings into a new lane: those an
/// include pattern matches (or that lie in a matched folder) and that git ignores in the lane,
/// where neither the lane's index has them nor its ignore rules let them count as work. So a
/// copied path never shows in the lane's diff or result. An ignored folder is one entry, as git
/// lists it, unless the lane tracks something inside it. Folders no pattern can reach are not
/// opened; links are never followed; a nested repository or submodule is not entered.
public struct IncludedPathFinder {
    let patterns: IncludePatterns
    let rules: IgnoreRules
    let tracked: IndexFile
    let sourceRoot: GitPath
    /// A folder never looked at (the lanes' folder, when it lies inside the working tree).
    public var skipped: GitPath?

    /// `lane`: the new lane's repository (its ignore rules and index decide); `sourceRoot`: the
    /// working tree copied from.
    public init(patterns: IncludePatterns, lane: Repository, sourceRoot: GitPath) throws {
        self.patterns = patterns
        self.rules = try IgnoreRules(repository: lane)
        guard let index = IndexFile.read(path: lane.gitDir + "/index", complete: true) else {
            throw GitError(code: -1, errorClass: 0, message: "cannot read the lane's index", operation: "find included files")
        }
        self.tracked = index
        self.sourceRoot = sourceRoot
    }

    /// The entries to copy, in walk order, and folders that vanished while they were read.
    public func find() -> (entries: [IncludedEntry], vanished: [GitPath]) {
        var found: [IncludedEntry] = [], vanished: [GitPath] = []
        let root = sourceRoot.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard root >= 0 else { return ([], [.root]) }
        walk(root, path: .root, scope: rules.rootScope(), matched: false, into: &found, vanished: &vanished)
        return (found, vanished)
    }

    /// Lists the folder open at `descriptor` (closed here) and decides about each entry.
    private func walk(_ descriptor: Int32, path folder: GitPath, scope: IgnoreScope, matched: Bool,
                      into found: inout [IncludedEntry], vanished: inout [GitPath]) {
        guard let handle = fdopendir(descriptor) else { close(descriptor); return }
        defer { closedir(handle) }
        let entries = Self.entries(handle)
        // A nested repository or a submodule's checkout: git does not look inside it.
        if !folder.isEmpty && !scope.isExcluded && entries.contains(where: { $0.name.bytes == Self.dotGit }) { return }
        for (name, type) in entries {
            if folder.isEmpty && name.bytes == Self.dotGit { continue }
            let path = folder.appending(name)
            if path == skipped { continue }
            var kind = type
            if kind == Int(DT_UNKNOWN) {
                var info = stat()
                let result = name.withCString { fstatat(dirfd(handle), $0, &info, AT_SYMLINK_NOFOLLOW) }
                if result != 0 { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: kind = Int(DT_DIR)
                case S_IFLNK: kind = Int(DT_LNK)
                case S_IFREG: kind = Int(DT_REG)
                default: continue
                }
            }
            if isTracked(path) { continue }
            if kind == Int(DT_DIR) {
                let ignored = scope.isExcluded || scope.isIgnored(name, isFolder: true)
                let included = matched || patterns.includes(path, isFolder: true)
                let tracksInside = tracksSomething(under: path)
                if ignored && included && !tracksInside {
                    found.append(IncludedEntry(path: path, kind: .folder))
                    continue
                }
                guard included || tracksInside || patterns.mayMatchBelow(path, insideIgnored: ignored) else { continue }
                let child = name.withCString { openat(dirfd(handle), $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
                guard child >= 0 else {
                    if errno == ENOENT { vanished.append(path) }
                    continue
                }
                let childScope = scope.child(name) { rules.readRuleFile(of: $0) }
                walk(child, path: path, scope: childScope, matched: included, into: &found, vanished: &vanished)
            } else if kind == Int(DT_REG) || kind == Int(DT_LNK) {
                let ignored = scope.isExcluded || scope.isIgnored(name, isFolder: false)
                if ignored && (matched || patterns.includes(path, isFolder: false)) {
                    found.append(IncludedEntry(path: path, kind: kind == Int(DT_LNK) ? .link : .file))
                }
            }
        }
    }

    static let dotGit = Array(".git".utf8)

    /// Entries except "." and "..", names as bytes, with `readdir`'s type.
    static func entries(_ handle: OpaquePointer) -> [(name: GitPath, type: Int)] {
        var entries: [(name: GitPath, type: Int)] = []
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let item = readdir(handle) {
            let name = GitPath(cString: (UnsafeRawPointer(item) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name.bytes == [0x2E] || name.bytes == [0x2E, 0x2E] { continue }
            entries.append((name, Int(item.pointee.d_type)))
        }
        return entries
    }

    /// True when the lane's index has an entry at `path` (a file, link or submodule).
    func isTracked(_ path: GitPath) -> Bool {
        let at = firstEntry(notBefore: path.bytes)
        return at < tracked.entries.count && entryPath(at).elementsEqual(path.bytes)
    }

    /// True when the lane's index has an entry below folder `path`.
    func tracksSomething(under path: GitPath) -> Bool {
        let prefix = path.bytes + [0x2F]
        let at = firstEntry(notBefore: prefix)
        return at < tracked.entries.count && entryPath(at).starts(with: prefix)
    }

    private func entryPath(_ i: Int) -> ArraySlice<UInt8> {
        let entry = tracked.entries[i]
        return tracked.paths[entry.pathStart..<(entry.pathStart + entry.pathLength)]
    }

    /// The first index entry whose path is not before `key` (entries are in byte order).
    private func firstEntry(notBefore key: [UInt8]) -> Int {
        var low = 0, high = tracked.entries.count
        while low < high {
            let middle = (low + high) / 2
            if entryPath(middle).lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
