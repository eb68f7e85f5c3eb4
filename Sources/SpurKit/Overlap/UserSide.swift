import Foundation
import SpurGit

/// Reads single paths of your working tree as a snapshot would record them, without scanning
/// the tree: `lstat` the path, take the index's id when the index's stat data proves the file
/// unchanged (the index is loaded only when many paths are asked about), hash it otherwise.
final class WorkingTreeProbe {
    let root: String
    let repository: Repository
    let trustFileMode: Bool
    let filters: ContentFilters
    /// Load the index as a stat cache (worth it when many paths will be probed).
    var useIndex = false
    private var loadedIndex: (index: Index, writtenAt: FileTime)??
    private var ids: [GitPath: ObjectID] = [:]
    private var ignored: [GitPath: Bool] = [:]

    init(workspace: Workspace) throws {
        root = workspace.root
        repository = try workspace.openRepository()
        trustFileMode = try repository.config().bool("core.filemode") ?? true
        filters = try ContentFilters(repository: repository)
    }

    /// What a snapshot taken now would record at `path`; `baseVersion` is the lane base's entry
    /// there (a path the base had counts as tracked even if an ignore rule matches it now).
    func version(at path: GitPath, baseVersion: FileVersion?) throws -> FileVersion? {
        guard let info = FileStat.of(path.under(root)) else { return nil }
        // A submodule's folder: compared by commit as recorded (spur never moves a submodule).
        if info.kind == .directory, baseVersion?.mode == .commit { return baseVersion }
        guard info.kind == .file || info.kind == .symlink else { return nil }
        let entry = try index()?.index.entry(path: path)
        if baseVersion == nil, entry == nil, try isIgnored(path) { return nil }
        let mode = info.gitMode(trustFileMode: trustFileMode, known: entry?.mode ?? baseVersion?.mode)
        if let entry, entry.mode == mode, try statMatches(entry, info) { return FileVersion(id: entry.id, mode: mode) }
        if let known = ids[path] { return FileVersion(id: known, mode: mode) }
        let id = try repository.hashWorkdirFile(path, filters: filters)
        ids[path] = id
        return FileVersion(id: id, mode: mode)
    }

    func bytes(of version: FileVersion, at path: GitPath) throws -> [UInt8] {
        try repository.workdirBytes(path, expected: version.id, filters: filters)
    }

    private func isIgnored(_ path: GitPath) throws -> Bool {
        if let known = ignored[path] { return known }
        let answer = try repository.isIgnored(path, asFolder: false)
        ignored[path] = answer
        return answer
    }

    private func index() throws -> (index: Index, writtenAt: FileTime)? {
        guard useIndex else { return nil }
        if let loadedIndex { return loadedIndex }
        var result: (Index, FileTime)?
        if let info = FileStat.of(repository.gitDir + "/index") {
            result = (try repository.index(), FileTime(seconds: info.mtimeSeconds, nanoseconds: info.mtimeNanoseconds))
        }
        loadedIndex = .some(result)
        return result
    }

    /// git's stat check: same size, times, inode and type as when the entry was staged, and
    /// not "racily clean" (changed in the same instant the index was written).
    private func statMatches(_ entry: IndexEntry, _ info: FileStat) throws -> Bool {
        guard let writtenAt = try index()?.writtenAt else { return false }
        let staged = FileTime(seconds: Int(entry.mtimeSeconds), nanoseconds: Int(entry.mtimeNanoseconds))
        guard staged < writtenAt else { return false }
        return entry.fileSize == UInt32(truncatingIfNeeded: info.size)
            && entry.mtimeSeconds == Int32(truncatingIfNeeded: info.mtimeSeconds)
            && entry.mtimeNanoseconds == UInt32(truncatingIfNeeded: info.mtimeNanoseconds)
            && entry.ctimeSeconds == Int32(truncatingIfNeeded: info.ctimeSeconds)
            && entry.ctimeNanoseconds == UInt32(truncatingIfNeeded: info.ctimeNanoseconds)
            && entry.inode == UInt32(truncatingIfNeeded: info.inode)
    }
}

/// Your working tree as one side of an overlap, against one lane's base.
final class UserSide: OverlapSide {
    let base: BaseTree
    let probe: WorkingTreeProbe
    private var renames: [GitPath: GitPath]?
    private var addedPaths: [GitPath] = []

    init(base: BaseTree, probe: WorkingTreeProbe) {
        self.base = base
        self.probe = probe
    }

    func changed(_ path: GitPath) throws -> Bool {
        let before = try base.version(at: path)
        return try probe.version(at: path, baseVersion: before) != before
    }

    func fate(ofBasePath path: GitPath) throws -> Fate? {
        let before = try base.version(at: path)
        if let now = try probe.version(at: path, baseVersion: before) { return Fate(path: path, version: now) }
        guard before != nil, let target = try renameTargets()[path] else { return nil }
        return try probe.version(at: target, baseVersion: base.version(at: target)).map { Fate(path: target, version: $0) }
    }

    func version(at path: GitPath) throws -> FileVersion? {
        try probe.version(at: path, baseVersion: base.version(at: path))
    }

    func bytes(of version: FileVersion, at path: GitPath) throws -> [UInt8] {
        try probe.bytes(of: version, at: path)
    }

    /// Files you renamed since the base, old path to new: the one place that needs a full
    /// scan of your working tree (to see new and untracked files), done at most once.
    private func renameTargets() throws -> [GitPath: GitPath] {
        if let renames { return renames }
        var found: [GitPath: GitPath] = [:]
        var added: [GitPath] = []
        for change in try probe.repository.changes(from: base.id, toWorkdirWithPaths: nil, detectRenames: true) {
            if change.kind == .renamed { found[change.oldPath] = change.newPath }
            if change.kind == .added { added.append(change.newPath) }
        }
        renames = found
        addedPaths = added
        return found
    }

    /// Whether the folder is still there; a folder holding only ignored files counts (a
    /// directory check, not a scan).
    func hasFolder(_ folder: GitPath) throws -> Bool {
        FileStat.of(probe.root + "/" + folder.text)?.kind == .directory
    }

    func renamedFiles() throws -> [(from: GitPath, to: GitPath)] {
        try renameTargets().map { ($0.key, $0.value) }
    }

    func addedFiles(under folder: GitPath) throws -> [GitPath] {
        _ = try renameTargets()
        return addedPaths.filter { $0.isInside(folder) }
    }
}
