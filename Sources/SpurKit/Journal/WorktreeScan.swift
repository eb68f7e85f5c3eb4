import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Finds what a lane's live worktree changed against its base without reading unchanged files.
///
/// Every entry is `lstat`ed once; a file whose ctime predates the lane's checkout stamp is
/// untouched and needs no hashing, and a folder whose ctime predates it still has exactly the
/// entries checkout made, so only changed folders are compared name by name with the base.
/// Files that may have changed are hashed (content filters applied) and compared with the
/// base entry. Untracked files count unless ignored; nested repositories and submodules are
/// skipped. The result equals what a snapshot of the worktree would differ in, except for
/// files force-added to the lane's index despite an ignore rule.
final class WorktreeScan {
    let workdir: String
    let base: BaseTree
    let stamp: CheckoutStamp
    /// Opened on the lane's worktree: its ignore rules and attributes apply.
    let repository: Repository
    let trustFileMode: Bool
    let filters: ContentFilters
    /// Stop as soon as one change is found (for `check`).
    var stopAtFirstChange = false
    private(set) var changes: [SideChange] = []
    /// Set when a file seen has several names (hard links): a write through another name
    /// raises no event where the journal would hear of it, so journaled results need a scan.
    private(set) var sawSharedFile = false
    private var hiddenFolders: [GitPath: Bool] = [:]

    /// Opens the lane's worktree through its registered admin folder (`LaneWorktree`).
    init(lane: Lane, workspace: Workspace, base: BaseTree, stamp: CheckoutStamp) throws {
        self.workdir = lane.worktree
        self.base = base
        self.stamp = stamp
        self.repository = try LaneWorktree.open(lane, workspace: workspace)
        self.trustFileMode = try repository.config().bool("core.filemode") ?? true
        self.filters = try ContentFilters(repository: repository)
    }

    private var done: Bool { stopAtFirstChange && !changes.isEmpty }

    /// Scans the folder `folder` ("" for the whole worktree). Results accumulate in `changes`.
    func scan(folder: GitPath = .root) throws {
        let full = folder.under(workdir)
        guard let info = FileStat.of(full), info.kind == .directory else { return }
        let inBase = try base.entry(at: folder)?.mode == .tree
        let descriptor = open(full.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpurError("cannot read \(full): \(String(cString: strerror(errno)))") }
        try walk(descriptor, folder: folder, info: info, inBase: inBase)
    }

    /// Looks only at `paths` (from a `ChangeJournal`): each file is compared with its base
    /// entry, each folder scanned whole, each missing path checked for a base entry it deleted.
    /// Gives the same changes as `scan()` whenever every changed path is among them or under one.
    func scan(journaled paths: [GitPath]) throws {
        let unique = Set(paths)
        let covering = unique.filter { path in !ancestors(of: path).contains(where: unique.contains) }
        for path in covering.sorted() {
            if done { return }
            if path.components.contains(".git") { continue }
            if try isHidden(path) { continue }
            let named = try base.entry(at: path)
            if named?.mode == .commit { continue }
            guard let info = FileStat.of(path.under(workdir)) else {
                if let named { try recordDeleted(path, named) }
                continue
            }
            if info.kind == .file && info.links > 1 { sawSharedFile = true }
            switch info.kind {
            case .directory:
                if let named, named.mode != .tree { record(path, before: named, after: nil) }
                if named?.mode != .tree, try repository.isIgnored(path, asFolder: true) { continue }
                try scan(folder: path)
            case .file, .symlink:
                if let named, named.mode.isFile || named.mode == .link, stamp.provesUntouched(info) { continue }
                try examine(path, info, baseEntry: named)
            case .other:
                continue
            }
        }
    }

    /// The folders above `path`, outermost first ("" excluded).
    private func ancestors(of path: GitPath) -> [GitPath] {
        path.ancestorFolders
    }

    /// True when a folder above `path` is one `scan()` does not enter: a submodule, a nested
    /// repository, an ignored folder the base does not have, or no folder at all.
    private func isHidden(_ path: GitPath) throws -> Bool {
        for folder in ancestors(of: path) {
            if let known = hiddenFolders[folder] { if known { return true } else { continue } }
            let entry = try base.entry(at: folder)
            var hidden = entry?.mode == .commit || FileStat.of(folder.under(workdir))?.kind != .directory
                || FileStat.of(folder.appending(".git").under(workdir)) != nil
            if !hidden && entry?.mode != .tree { hidden = try repository.isIgnored(folder, asFolder: true) }
            hiddenFolders[folder] = hidden
            if hidden { return true }
        }
        return false
    }

    /// Walks one open folder (`descriptor` is consumed).
    private func walk(_ descriptor: Int32, folder: GitPath, info: FileStat, inBase: Bool) throws {
        guard let handle = fdopendir(descriptor) else {
            close(descriptor)
            throw SpurError("cannot read \(workdir)/\(folder.display): \(String(cString: strerror(errno)))")
        }
        defer { closedir(handle) }
        let names = FolderEntries.read(handle).map(\.name)
        // A nested repository or a submodule's checkout is not part of this worktree's content.
        if !folder.isEmpty && names.contains(".git") { return }
        let fd = dirfd(handle)
        let listingUntouched = inBase && stamp.provesUntouched(info)
        func prefixed(_ name: GitPath) -> GitPath { folder.appending(name) }
        for name in names where name != ".git" {
            if done { return }
            guard let entry = FileStat.of(name, in: fd) else { continue }
            if entry.kind == .file && entry.links > 1 { sawSharedFile = true }
            switch entry.kind {
            case .directory:
                let path = prefixed(name)
                var childInBase = inBase
                if listingUntouched {
                    // The folder holds what checkout made, but a submodule's (empty) folder that
                    // was written into since is still no folder of the base's.
                    if !stamp.provesUntouched(entry), try base.entry(at: path)?.mode == .commit { continue }
                } else {
                    let baseEntry = inBase ? try base.listing(folder)[name] : nil
                    if baseEntry?.mode == .commit { continue }
                    childInBase = baseEntry?.mode == .tree
                    if !childInBase {
                        if let baseEntry { record(path, before: FileVersion(baseEntry), after: nil) }
                        if try repository.isIgnored(path, asFolder: true) { continue }
                    }
                }
                let child = openat(fd, name.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                try walk(child, folder: path, info: entry, inBase: childInBase)
            case .file, .symlink:
                if inBase && stamp.provesUntouched(entry) {
                    if listingUntouched { continue }
                    if let baseEntry = try base.listing(folder)[name], baseEntry.mode.isFile || baseEntry.mode == .link { continue }
                }
                try examine(prefixed(name), entry, baseEntry: inBase ? try base.listing(folder)[name].map(FileVersion.init) : nil)
            case .other:
                continue
            }
        }
        if inBase && !listingUntouched && !done {
            let present = Set(names)
            for item in try base.listing(folder).values where !present.contains(item.name) {
                try recordDeleted(prefixed(item.name), FileVersion(item))
            }
        }
    }

    /// Compares one file that may have changed with its base entry.
    private func examine(_ path: GitPath, _ info: FileStat, baseEntry: FileVersion?) throws {
        var before: FileVersion?
        if let baseEntry {
            if baseEntry.mode == .tree { try recordDeleted(path, baseEntry) } else { before = baseEntry }
        }
        if before == nil, try repository.isIgnored(path, asFolder: false) { return }
        let mode = info.gitMode(trustFileMode: trustFileMode, known: before?.mode)
        let after = FileVersion(id: try repository.hashWorkdirFile(path, filters: filters), mode: mode)
        if after != before { record(path, before: before, after: after) }
    }

    /// Records the base entry `item` at `path` (a whole folder, when it is one) as deleted.
    private func recordDeleted(_ path: GitPath, _ item: FileVersion) throws {
        if item.mode == .tree {
            for file in try base.files(under: path) { record(file.path, before: file.version, after: nil) }
        } else {
            record(path, before: item, after: nil)
        }
    }

    private func record(_ path: GitPath, before: FileVersion?, after: FileVersion?) {
        changes.append(SideChange(oldPath: path, newPath: path, before: before, after: after))
    }
}
