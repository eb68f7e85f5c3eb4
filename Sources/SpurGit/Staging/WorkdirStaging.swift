import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// The tree `git add -A` would write for this working tree, computed without libgit2's
    /// index: the on-disk index is read directly (its checksum is not re-hashed), the working
    /// tree is walked once (one `lstat` per entry), only files whose stat data differs from
    /// their index entry (or that are new) are read and hashed, and only folders with a change
    /// below them get a new tree object; the others keep the tree id git cached in the index.
    /// Nothing but objects is written; the index is not touched.
    ///
    /// Returns nil when the repository is not the common case (see `IndexFile`; also nested
    /// repositories, `core.ignorecase`, `core.symlinks=false`) or anything fails; the caller
    /// then stages through libgit2's index, which gives the same tree.
    public func stagedWorkdirTree() -> ObjectID? {
        stagedWorkdirTreeAndReads()?.tree
    }

    /// The same, with the regular files git add -A would read from the working tree for it
    /// (what content filters apply to; see `WorkdirReads`).
    public func stagedWorkdirTreeAndReads() -> (tree: ObjectID, reads: WorkdirReads)? {
        guard let workdir, let index = IndexFile.read(path: gitDir + "/index") else { return nil }
        do {
            let config = try config()
            if try config.bool("core.ignorecase") == true || config.bool("core.symlinks") == false { return nil }
            if try SparseCheckout.of(self) != nil { return nil }  // libgit2's path applies the definition
            let stager = WorkdirStager(repository: self, gitDir: gitDir, workdir: workdir, index: index,
                                       trustFileMode: try config.bool("core.filemode") ?? true,
                                       trustCtime: try config.bool("core.trustctime") ?? true,
                                       ignoreRules: try IgnoreRules(repository: self))
            let tree = try stager.stage(filtersEverywhere: try contentFiltersReachEveryPath(config))
            return (tree, stager.reads())
        } catch {
            return nil
        }
    }

    /// True when an autocrlf setting or an attribute file outside the working tree could change
    /// how any file is staged.
    func contentFiltersReachEveryPath(_ config: Config) throws -> Bool {
        if let autocrlf = try config.string("core.autocrlf")?.lowercased(), autocrlf != "false" { return true }
        if try config.string("core.attributesFile") != nil { return true }
        let home = getenv("XDG_CONFIG_HOME").map { String(cString: $0) } ?? (getenv("HOME").map { String(cString: $0) + "/.config" } ?? "")
        let files = [commonDir + "/info/attributes", home.isEmpty ? "" : home + "/git/attributes", "/etc/gitattributes"]
        var info = stat()
        return files.contains { !$0.isEmpty && lstat($0, &info) == 0 }
    }
}

/// A change to one name of one folder, relative to the index.
enum StagedChange {
    case removed
    case file(git_oid, UInt32)
}

/// The fast path refuses this repository; libgit2's index does the work instead.
struct StagingDeclined: Error {}

/// Walks a working tree against the index (see `Repository.stagedWorkdirTree`).
final class WorkdirStager {
    /// Opened on first use in a stager that scans part of the tree on another thread.
    private var openedRepository: Repository?
    /// Where other threads open the repository: its git directory, never discovered from the
    /// working tree (a linked worktree's `.git` file is not trusted).
    let gitDir: String
    let workdir: String
    let index: IndexFile
    let trustFileMode: Bool
    let trustCtime: Bool
    /// Which untracked paths git ignores (spur's matcher, git's rules).
    let ignoreRules: IgnoreRules
    /// folder -> name -> change. Folders are slash-separated, "" for the root; keys are bytes
    /// (two names that are equivalent Unicode stay two keys).
    var edits: [GitPath: [GitPath: StagedChange]] = [:]
    /// folder -> names of untracked subfolders (maybe holding nothing to stage).
    var newFolders: [GitPath: [GitPath]] = [:]
    /// Folders with a change somewhere below them.
    var dirty: Set<GitPath> = []
    /// Files to hash: changed per their stat data, or untracked.
    var pending: [PendingFile] = []
    var sawAttributesFile = false
    /// Scan big folders' subfolders on several threads (off in the stagers doing that).
    var parallel = true

    init(repository: Repository?, gitDir: String, workdir: String, index: IndexFile, trustFileMode: Bool, trustCtime: Bool,
         ignoreRules: IgnoreRules) {
        openedRepository = repository
        self.gitDir = gitDir
        self.workdir = workdir
        self.index = index
        self.trustFileMode = trustFileMode
        self.trustCtime = trustCtime
        self.ignoreRules = ignoreRules
    }

    /// The repository handle for ignore rules and hashing (each thread needs its own).
    func repository() throws -> Repository {
        if let openedRepository { return openedRepository }
        let opened = try Repository(path: gitDir)
        openedRepository = opened
        return opened
    }

    func stage(filtersEverywhere: Bool) throws -> ObjectID {
        let root = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw StagingDeclined() }
        try scanTracked(folder: .root, descriptor: root, range: 0..<index.entries.count, prefix: 0, parentScope: nil)
        try hashPending(filters: filtersEverywhere || sawAttributesFile)
        let writer = try TreeWriter(repository: repository())
        let tree = try writeTracked(folder: .root, range: 0..<index.entries.count, prefix: 0, writer: writer) ?? writer.write([])
        return ObjectID(tree)
    }

    // MARK: Scanning

    /// Compares the folder open at `descriptor` (consumed) with index entries `range`, whose
    /// paths all start with `folder/` (`prefix` bytes). Both sides are in git's order, so one
    /// merge pass pairs them; a name whose kind changed (file <-> folder) comes up once as gone
    /// from the index and once as untracked.
    func scanTracked(folder: GitPath, descriptor: Int32, range: Range<Int>, prefix: Int, parentScope: IgnoreScope?) throws {
        let listing = try FolderListing(descriptor: descriptor, isRoot: folder.isEmpty)
        let scope = ignoreScope(of: folder, listing: listing, parent: parentScope)
        var deferred: [SubfolderScan] = []
        let items = listing.items
        var untracked: [FolderListing.Item] = []
        var d = 0
        var i = range.lowerBound
        while i < range.upperBound || d < items.count {
            guard i < range.upperBound else { untracked.append(items[d]); d += 1; continue }
            let span = childSpan(of: i, prefix: prefix, limit: range.upperBound)
            var order = -1
            if d < items.count {
                let item = items[d]
                order = index.paths.withUnsafeBufferPointer { paths in
                    listing.names.withUnsafeBufferPointer { names in
                        FolderListing.compare(paths, span.start, span.length, span.isFolder, names, item.start, item.length, item.kind == .folder)
                    }
                }
            }
            if order > 0 { untracked.append(items[d]); d += 1; continue }
            if !span.isFolder && isAttributesFile(span) { sawAttributesFile = true }
            if order < 0 {
                for k in i..<span.end { recordRemoval(of: k) }
                i = span.end
                continue
            }
            let item = items[d]
            d += 1
            if span.isFolder {
                let name = listing.name(item)
                let scan = SubfolderScan(name: name, range: i..<span.end, prefix: prefix + span.length + 1)
                if parallel && range.count >= Self.parallelThreshold {
                    deferred.append(scan)
                } else {
                    try listing.withDescriptor { try scanSubfolder(scan, of: folder, parent: $0, scope: scope) }
                }
            } else {
                var info = stat()
                if listing.withFolderAndName(item, { fstatat($0, $1, &info, AT_SYMLINK_NOFOLLOW) }) != 0 {
                    guard errno == ENOENT else { throw StagingDeclined() }
                    recordRemoval(of: i)
                } else {
                    let kind = FolderListing.kind(of: info)
                    if kind == .file || kind == .link {
                        if !unchanged(index.entries[i], info) {
                            pending.append(PendingFile(folder: folder, name: listing.name(item), isLink: kind == .link, mode: mode(of: info, entry: i), entry: i))
                        }
                    } else {
                        // A FIFO, socket or device where a file was: git refuses; libgit2's path says so.
                        guard kind == .folder else { throw StagingDeclined() }
                        recordRemoval(of: i)
                        if kind == .folder { untracked.append(FolderListing.Item(start: item.start, length: item.length, kind: .folder)) }
                    }
                }
            }
            i = span.end
        }
        if deferred.count > 1 {
            try listing.withDescriptor { try scanConcurrently(deferred, of: folder, parent: $0, scope: scope) }
        } else {
            try listing.withDescriptor { parent in
                for scan in deferred { try scanSubfolder(scan, of: folder, parent: parent, scope: scope) }
            }
        }
        try addUntracked(folder: folder, listing: listing, items: untracked, scope: scope)
    }

    /// `scope`: the ignore rules of `folder`.
    func scanSubfolder(_ scan: SubfolderScan, of folder: GitPath, parent: Int32, scope: IgnoreScope) throws {
        let child = scan.name.withCString { openat(parent, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard child >= 0 else { throw StagingDeclined() }
        try scanTracked(folder: folder.appending(scan.name), descriptor: child,
                        range: scan.range, prefix: scan.prefix, parentScope: scope)
    }

    /// Untracked entries of one folder: not ignored files are staged, not ignored folders walked.
    /// `scope` holds the folder's ignore rules; when the folder itself is ignored (a tracked
    /// folder can be), so is everything untracked in it.
    private func addUntracked(folder: GitPath, listing: FolderListing, items: [FolderListing.Item], scope: IgnoreScope) throws {
        guard !items.isEmpty else { return }
        if scope.isExcluded {
            // Its untracked .gitattributes still applies to the tracked files beside it.
            if items.contains(where: { listing.name($0).bytes == Self.attributesName }) { sawAttributesFile = true }
            return
        }
        for item in items {
            let name = listing.name(item)
            if name.bytes == Self.attributesName { sawAttributesFile = true }
            let path = folder.appending(name)
            switch item.kind {
            case .file, .link:
                guard !scope.isIgnored(name, isFolder: false) else { continue }  // a link is no folder
                var info = stat()
                guard listing.withFolderAndName(item, { fstatat($0, $1, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else {
                    if errno == ENOENT { continue }
                    throw StagingDeclined()
                }
                let kind = FolderListing.kind(of: info)
                guard kind == .file || kind == .link else { throw StagingDeclined() }
                pending.append(PendingFile(folder: folder, name: name, isLink: kind == .link, mode: mode(of: info, entry: nil), entry: nil))
            case .folder:
                if scope.isIgnored(name, isFolder: true) { continue }
                let child = listing.withFolderAndName(item) { openat($0, $1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
                guard child >= 0 else { throw StagingDeclined() }
                var gitInfo = stat()
                if fstatat(child, ".git", &gitInfo, AT_SYMLINK_NOFOLLOW) == 0 {
                    // A repository of its own: git records a gitlink to its HEAD, whatever its
                    // files' ignore rules say. Without a commit, or not a repository at all,
                    // libgit2's path answers (a refusal, or its files).
                    Glibc.close(child)
                    guard let inner = try? Repository(path: GitPath(workdir).appending(path)), let head = try? inner.headCommitID() else {
                        throw StagingDeclined()
                    }
                    record(folder, name, .file(head.raw, 0o160000))
                    continue
                }
                newFolders[folder, default: []].append(name)
                let inner = try FolderListing(descriptor: child, isRoot: false)
                try addUntracked(folder: path, listing: inner, items: inner.items,
                                 scope: ignoreScope(of: path, listing: inner, parent: scope))
            case .other:
                continue  // sockets, fifos, devices: git does not stage them
            }
        }
    }

    /// Where entry `i`'s component after `prefix` lies in `index.paths`, whether it is a folder,
    /// and the end of the run of entries under that folder (i + 1 for a file).
    private func childSpan(of i: Int, prefix: Int, limit: Int) -> (start: Int, length: Int, isFolder: Bool, end: Int) {
        index.paths.withUnsafeBufferPointer { paths in
            let entry = index.entries[i]
            let start = entry.pathStart + prefix, stop = entry.pathStart + entry.pathLength
            var slash = start
            while slash < stop && paths[slash] != 0x2F { slash += 1 }
            guard slash < stop else { return (start, slash - start, false, i + 1) }
            // Entries under "<...>/name/" are contiguous: find the first that is not.
            let length = slash - entry.pathStart + 1
            func inFolder(_ k: Int) -> Bool {
                let other = index.entries[k]
                guard other.pathLength > length, let base = paths.baseAddress else { return false }
                return memcmp(base + other.pathStart, base + entry.pathStart, length) == 0
            }
            var low = i + 1, high = limit
            while low < high {
                let middle = (low + high) / 2
                if inFolder(middle) { low = middle + 1 } else { high = middle }
            }
            return (start, slash - start, true, low)
        }
    }

    /// The child of entry `i` as a name (see `childSpan`).
    private func child(of i: Int, prefix: Int, limit: Int) -> (GitPath, Bool, Int) {
        let span = childSpan(of: i, prefix: prefix, limit: limit)
        let name = GitPath(bytes: index.paths[span.start..<(span.start + span.length)])
        return (name, span.isFolder, span.end)
    }

    static let attributesName = Array(".gitattributes".utf8)

    private func isAttributesFile(_ span: (start: Int, length: Int, isFolder: Bool, end: Int)) -> Bool {
        span.length == 14 && index.paths[span.start..<(span.start + 14)].elementsEqual(Self.attributesName)
    }

    /// True when the stat data proves the file is what the index recorded (git's rule,
    /// strictly: size, mtime and ctime to the nanosecond, inode, type and executable bit), and
    /// the entry is not racily clean (modified no earlier than the index was written).
    private func unchanged(_ entry: IndexFile.Entry, _ info: stat) -> Bool {
        let type = info.st_mode & S_IFMT
        if entry.mode == 0o120000 {
            guard type == S_IFLNK else { return false }
        } else {
            guard type == S_IFREG else { return false }
            if trustFileMode && ((info.st_mode & S_IXUSR) != 0) != (entry.mode == 0o100755) { return false }
        }
        guard entry.size == UInt32(truncatingIfNeeded: info.st_size),
              entry.mtimeSeconds == UInt32(truncatingIfNeeded: info.st_mtim.tv_sec),
              entry.mtimeNanoseconds == UInt32(truncatingIfNeeded: info.st_mtim.tv_nsec),
              entry.inode == UInt32(truncatingIfNeeded: info.st_ino) else { return false }
        if trustCtime {
            guard entry.ctimeSeconds == UInt32(truncatingIfNeeded: info.st_ctim.tv_sec),
                  entry.ctimeNanoseconds == UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec) else { return false }
        }
        // Racily clean as git judges it: modified in the second the index was written or
        // later (git's stat cache keeps whole seconds here, so a nanosecond compare would
        // trust an entry git re-reads).
        return Int(entry.mtimeSeconds) < index.mtimeSeconds
    }

    /// The mode git stages for a file: links 120000; with core.filemode the executable bit
    /// decides, without it a tracked file keeps its mode.
    private func mode(of info: stat, entry: Int?) -> UInt32 {
        if info.st_mode & S_IFMT == S_IFLNK { return 0o120000 }
        if trustFileMode { return info.st_mode & S_IXUSR != 0 ? 0o100755 : 0o100644 }
        if let entry, index.entries[entry].mode == 0o100755 { return 0o100755 }
        return 0o100644
    }

    private func record(_ folder: GitPath, _ name: GitPath, _ change: StagedChange) {
        edits[folder, default: [:]][name] = change
        var current = folder
        while dirty.insert(current).inserted && !current.isEmpty {
            current = current.parentAndName.parent
        }
    }

    private func recordRemoval(of entry: Int) {
        let (folder, name) = index.path(entry).parentAndName
        record(folder, name, .removed)
    }

    // MARK: Hashing

    /// Writes the pending files as blobs and records those that differ from their entry.
    private func hashPending(filters: Bool) throws {
        let root = GitPath(workdir)
        for file in pending {
            let path = file.folder.appending(file.name)
            let full = root.appending(path)
            var oid = git_oid()
            if file.isLink {
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = full.withCString { readlink($0, &target, target.count - 1) }
                guard length >= 0 else { throw StagingDeclined() }
                try check(repository().withPointer { git_blob_create_from_buffer(&oid, $0, target, length) }, "hash link \(path)")
            } else if filters {
                let repository = try repository()
                try check(path.withCString { cPath in repository.withPointer { git_blob_create_from_workdir(&oid, $0, cPath) } }, "hash \(path)")
            } else {
                let bytes = try readFile(full)
                try bytes.withUnsafeBytes { buffer in
                    try check(repository().withPointer { git_blob_create_from_buffer(&oid, $0, buffer.baseAddress, buffer.count) }, "hash '\(path)'")
                }
            }
            if let entry = file.entry, file.mode == index.entries[entry].mode,
               withUnsafeBytes(of: oid, { a in withUnsafeBytes(of: index.entries[entry].id) { b in a.elementsEqual(b) } }) {
                continue  // touched, or racily clean, but the same content
            }
            record(file.folder, file.name, .file(oid, file.mode))
        }
    }

    private func readFile(_ path: GitPath) throws -> [UInt8] {
        let descriptor = path.withCString { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard descriptor >= 0 else { throw StagingDeclined() }
        defer { Glibc.close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw StagingDeclined() }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    // MARK: Trees

    /// The tree for `folder` (index entries `range`): git's cached id when nothing below it
    /// changed, else a new tree object; nil when nothing is left in it.
    private func writeTracked(folder: GitPath, range: Range<Int>, prefix: Int, writer: TreeWriter) throws -> git_oid? {
        if !dirty.contains(folder), let cached = index.cachedTrees[folder] { return cached }
        let changes = edits[folder]
        var consumed = Set<GitPath>()
        var items: [TreeWriter.Item] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let (name, isFolder, end) = child(of: i, prefix: prefix, limit: range.upperBound)
            if isFolder {
                if let tree = try writeTracked(folder: folder.appending(name), range: i..<end, prefix: prefix + name.bytes.count + 1, writer: writer) {
                    items.append(.init(name: name, mode: 0o40000, id: tree))
                }
            } else if let change = changes?[name] {
                consumed.insert(name)
                if case .file(let id, let mode) = change { items.append(.init(name: name, mode: mode, id: id)) }
            } else {
                items.append(.init(name: name, mode: index.entries[i].mode, id: index.entries[i].id))
            }
            i = end
        }
        for (name, change) in changes ?? [:] where !consumed.contains(name) {
            if case .file(let id, let mode) = change { items.append(.init(name: name, mode: mode, id: id)) }
        }
        try appendNewFolders(of: folder, to: &items, writer: writer)
        return items.isEmpty ? nil : try writer.write(items)
    }

    /// The tree of an untracked folder: only what the scan staged in it.
    private func writeNew(folder: GitPath, writer: TreeWriter) throws -> git_oid? {
        var items: [TreeWriter.Item] = []
        for (name, change) in edits[folder] ?? [:] {
            if case .file(let id, let mode) = change { items.append(.init(name: name, mode: mode, id: id)) }
        }
        try appendNewFolders(of: folder, to: &items, writer: writer)
        return items.isEmpty ? nil : try writer.write(items)
    }

    private func appendNewFolders(of folder: GitPath, to items: inout [TreeWriter.Item], writer: TreeWriter) throws {
        for name in newFolders[folder] ?? [] {
            let path = folder.appending(name)
            if dirty.contains(path), let tree = try writeNew(folder: path, writer: writer) {
                items.append(.init(name: name, mode: 0o40000, id: tree))
            }
        }
    }
}
