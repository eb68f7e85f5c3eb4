import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// One path the merge will write: the compare-and-swap transition and the bytes to put there.
struct PlannedWrite {
    let transition: FileTransition
    let content: DiskContent
    /// Bytes that were on disk before (nil for absent), kept for the undo point.
    let beforeBytes: [UInt8]?
}

/// Everything a merge will do, computed without writing to the working tree.
struct MergePlan {
    /// The snapshot of your working tree the merge is based on ("ours").
    let ours: Snapshot
    /// The tree the working tree will hold afterwards (as a snapshot would record it).
    let resultTree: ObjectID
    /// Removals first, then files and links in path order.
    let writes: [PlannedWrite]
    let conflicts: [MergeConflict]
    /// Folders the writes create (outermost first), removed again by undo when empty.
    let createdFolders: [GitPath]
    /// Paths whose file changed while the merge read them; the plan must be made again.
    let stalePaths: [GitPath]

    var unresolved: [MergeConflict] { conflicts.filter { $0.resolution == nil } }
}

/// Merges a lane path by path: only the paths the lane changed are looked at, so the cost grows
/// with the lane's changes, not with the size of the repository.
///
/// For each path: your version equal to the base takes the lane's; the lane's equal to yours
/// keeps yours; both changed text files go through a three-way file merge. The paths' disk
/// state is read before the snapshot of your working tree is taken, so a file changed in
/// between makes the later compare-and-swap fail rather than being overwritten.
struct MergePlanner {
    let repository: Repository
    let workspace: Workspace
    let lane: Lane
    let head: ObjectID
    let resolution: ConflictResolution
    let files: WorkingTreeFiles

    var labels: MergeFileOptions {
        MergeFileOptions(baseLabel: "lane base", oursLabel: "working tree", theirsLabel: "lane \(lane.name)")
    }

    func plan() throws -> MergePlan {
        let baseTree = try repository.tree(repository.treeID(ofCommit: lane.base))
        let theirsTree = try repository.tree(repository.treeID(ofCommit: head))
        let paths = Set(try repository.changes(from: baseTree.id, to: theirsTree.id).flatMap { [$0.oldPath, $0.newPath] }).sorted()

        // Disk first, snapshot second (see the type's comment).
        var disk: [GitPath: (entry: DiskEntry, bytes: [UInt8]?)] = [:]
        var unsafe: [GitPath: String] = [:]
        for path in paths {
            do { disk[path] = try files.read(path) } catch let error as UnsafePath { unsafe[path] = error.reason }
        }
        let ours = try Snapshot.take(workdir: workspace.root, message: "spur: your working tree before merging lane \(lane.name)\n")
        let oursTree = try repository.tree(ours.tree)
        let filtered = try filtersMayApply(paths: paths, trees: [oursTree, theirsTree])

        var conflicts: [MergeConflict] = []
        var targets: [(path: GitPath, entry: TreeEntry?)] = []
        for path in paths {
            let b = try fileEntry(baseTree, path), o = try fileEntry(oursTree, path), t = try fileEntry(theirsTree, path)
            if let reason = unsafe[path] {
                if o != t { conflicts.append(MergeConflict(path: path, kind: .symlinkInPath, message: reason, hunks: [])) }
                continue
            }
            switch try decide(path: path, base: b, ours: o, theirs: t) {
            case .keep: break
            case .put(let entry, let conflict):
                if let conflict { conflicts.append(conflict) }
                targets.append((path, entry))
            case .conflict(let conflict):
                conflicts.append(conflict)
            }
        }

        var stale: [GitPath] = []
        var writes: [PlannedWrite] = []
        var edits: [TreeEdit] = []
        let removals = Set(targets.filter { $0.entry == nil }.map(\.path))
        var created: [GitPath] = []
        for (path, entry) in targets {
            guard let current = disk[path] else { continue }
            let inOurs = try fileEntry(oursTree, path)
            if inOurs?.mode == .commit || entry?.mode == .commit {
                switch try submoduleStep(path: path, to: entry, ours: inOurs, disk: current.entry) {
                case .keep: break
                case .removeEmptyFolder:
                    writes.append(PlannedWrite(transition: FileTransition(path: path, from: .directory, to: .absent),
                                               content: .absent, beforeBytes: nil))
                    edits.append(TreeEdit(path: path, action: .remove))
                case .conflict(let conflict):
                    conflicts.removeAll { $0.path == path }
                    conflicts.append(conflict)
                }
                continue
            }
            if !filtered, let inOurs, current.entry.blob != inOurs.id { stale.append(path); continue }
            guard let entry else {
                if inOurs != nil {
                    writes.append(PlannedWrite(transition: FileTransition(path: path, from: current.entry, to: .absent),
                                               content: .absent, beforeBytes: current.bytes))
                    edits.append(TreeEdit(path: path, action: .remove))
                }
                continue
            }
            let content = try diskContent(for: entry, path: path, replacing: current.entry, filtered: filtered)
            let after = try content.entry()
            var from = current.entry
            switch current.entry {
            case .directory:
                let inside = try files.filesUnder(path)
                guard inside.allSatisfy(removals.contains) else {
                    conflicts.append(MergeConflict(path: path, kind: .directoryFile,
                                                   message: "the lane puts a file where you have the folder \(path)", hunks: []))
                    continue
                }
                from = .absent
            case .special:
                conflicts.append(MergeConflict(path: path, kind: .untrackedInTheWay, message: "\(path) is a special file in your working tree", hunks: []))
                continue
            case .file, .symlink:
                if inOurs == nil && after != current.entry {
                    conflicts.append(MergeConflict(path: path, kind: .untrackedInTheWay,
                                                   message: "your untracked (ignored) \(path) is where the lane puts a file", hunks: []))
                    continue
                }
            default: break
            }
            if let blocker = try files.firstNonFolderAncestor(of: path), !removals.contains(blocker.path) {
                conflicts.append(MergeConflict(path: path, kind: .directoryFile,
                                               message: "the lane puts \(path) inside \(blocker.path), which is not a folder in your working tree", hunks: []))
                continue
            }
            // A snapshot leaves out an ignored path git does not track: so does the result tree.
            if try inOurs != nil || !isIgnoredAndUntracked(path) {
                edits.append(TreeEdit(path: path, action: .upsert(entry.id, entry.mode)))
            }
            if after == from { continue }
            for folder in try foldersToCreate(above: path, removals: removals) where !created.contains(folder) { created.append(folder) }
            writes.append(PlannedWrite(transition: FileTransition(path: path, from: from, to: after), content: content,
                                       beforeBytes: from == .absent ? nil : current.bytes))
        }
        writes.sort { lhs, rhs in
            let (l, r) = (lhs.content == .absent, rhs.content == .absent)
            return l != r ? l : lhs.transition.path < rhs.transition.path
        }
        let result = try repository.tree(ours.tree, applying: edits)
        return MergePlan(ours: ours, resultTree: result, writes: writes, conflicts: conflicts,
                         createdFolders: created, stalePaths: stale)
    }

    // MARK: Per-path decision

    enum Decision {
        case keep
        /// Put `entry` (nil: delete), possibly settling `conflict`.
        case put(TreeEntry?, MergeConflict?)
        case conflict(MergeConflict)
    }

    func decide(path: GitPath, base b: TreeEntry?, ours o: TreeEntry?, theirs t: TreeEntry?) throws -> Decision {
        if o == t { return .keep }
        if o == b { return .put(t, nil) }
        if t == b { return .keep }
        func sided(_ kind: MergeConflict.Kind, _ message: String, hunks: [ConflictHunk] = []) -> Decision {
            var conflict = MergeConflict(path: path, kind: kind, message: message, hunks: hunks)
            switch resolution {
            case .ours: conflict.resolution = .ours; return .put(o, conflict)
            case .theirs: conflict.resolution = .theirs; return .put(t, conflict)
            case .refuse, .markers: return .conflict(conflict)
            }
        }
        guard let o, let t else {
            return o == nil ? sided(.deleteModify, "you deleted \(path), the lane changed it")
                            : sided(.modifyDelete, "you changed \(path), the lane deleted it")
        }
        if [b?.mode, o.mode, t.mode].contains(.commit) {
            return sided(.submodule, "both sides moved the submodule \(path)")
        }
        guard o.mode.isFile, t.mode.isFile, b?.mode.isFile ?? true else {
            return sided(.fileType, o.mode == t.mode ? "both sides changed the link \(path) differently"
                                                      : "one side made \(path) a link, the other a file")
        }
        var conflict: MergeConflict?
        var mode = o.mode
        if o.mode != t.mode {
            if let b, o.mode == b.mode { mode = t.mode } else if let b, t.mode == b.mode { mode = o.mode } else {
                var modeConflict = MergeConflict(path: path, kind: .mode, message: "both sides changed the executable bit of \(path)", hunks: [])
                switch resolution {
                case .refuse: return .conflict(modeConflict)
                case .theirs: mode = t.mode; modeConflict.resolution = .theirs
                case .ours, .markers: modeConflict.resolution = .ours
                }
                conflict = modeConflict
            }
        }
        let id: ObjectID
        if o.id == t.id || b?.id == t.id { id = o.id } else if b?.id == o.id { id = t.id } else {
            let baseBytes = try b.map { try repository.blob($0.id).bytes }
            let oursBytes = try repository.blob(o.id).bytes, theirsBytes = try repository.blob(t.id).bytes
            var options = labels
            options.style = .diff3
            let merged = try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options)
            if merged.isClean {
                id = try repository.writeBlob(merged.bytes)
            } else if merged.isBinary {
                return sided(.binary, "both sides changed the binary file \(path)")
            } else {
                options.markerSize = ConflictHunks.markerSize
                let hunks = ConflictHunks.parse(try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options).bytes)
                var content = MergeConflict(path: path, kind: .content, message: "both sides changed the same lines of \(path)", hunks: hunks)
                switch resolution {
                case .refuse: return .conflict(content)
                case .markers:
                    id = try repository.writeBlob(merged.bytes)
                case .ours, .theirs:
                    options.markerSize = 7
                    options.favor = resolution == .ours ? .ours : .theirs
                    id = try repository.writeBlob(try FileMerge.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, options: options).bytes)
                }
                content.resolution = resolution
                conflict = content
            }
        }
        let entry = TreeEntry(id: id, mode: mode)
        return entry == o ? (conflict.map { .put(o, $0) } ?? .keep) : .put(entry, conflict)
    }

    // MARK: Submodules

    enum SubmoduleStep {
        case keep
        /// Your submodule is not checked out (an empty folder): removing the folder is all a
        /// checkout does, and undo makes it again.
        case removeEmptyFolder
        case conflict(MergeConflict)
    }

    /// What to do where the lane's result or your working tree has a submodule (a gitlink).
    /// Submodules are compared by commit, as git does, and never written: spur does not check
    /// one out, move it to another commit or delete its files; the folder is yours.
    func submoduleStep(path: GitPath, to entry: TreeEntry?, ours: TreeEntry?, disk: DiskEntry) throws -> SubmoduleStep {
        if entry == ours { return .keep }
        func refuse(_ message: String) -> SubmoduleStep {
            .conflict(MergeConflict(path: path, kind: .submodule, message: message, hunks: []))
        }
        if entry == nil, ours?.mode == .commit {
            if disk == .absent { return .keep }
            if disk == .directory && Self.isEmptyFolder(path.under(workspace.root)) { return .removeEmptyFolder }
            return refuse("the lane removes the submodule \(path), which is checked out in your working tree; "
                          + "spur does not delete a submodule's files: remove it yourself ('git rm \(path)') and merge again")
        }
        if let entry, entry.mode == .commit {
            let verb = ours?.mode == .commit ? "moves the submodule \(path) to commit \(entry.id.short)"
                                             : "puts the submodule \(path) (commit \(entry.id.short)) where you have \(ours == nil ? "nothing" : "a file")"
            return refuse("the lane \(verb); spur does not write submodules: update it yourself and merge again")
        }
        return refuse("the lane replaces the submodule \(path) with a file; spur does not remove a submodule: "
                      + "remove it yourself ('git rm \(path)') and merge again")
    }

    // MARK: Helpers

    /// The entry at `path` when it is a file, link or submodule (folders count as nothing).
    func fileEntry(_ tree: Tree, _ path: GitPath) throws -> TreeEntry? {
        guard let entry = try tree.entry(path: path), entry.mode != .tree else { return nil }
        return entry
    }

    /// The bytes and permissions to write for `entry` at `path`.
    func diskContent(for entry: TreeEntry, path: GitPath, replacing current: DiskEntry, filtered: Bool) throws -> DiskContent {
        if entry.mode == .link { return .symlink(target: try repository.blob(entry.id).bytes) }
        if entry.mode == .commit { throw SpurError("cannot write the submodule \(path)") }
        let bytes = filtered ? try repository.workdirBytes(ofBlob: entry.id, path: path) : try repository.blob(entry.id).bytes
        let executable = entry.mode == .executable
        var permissions = WorkingTreeFiles.newFilePermissions(executable: executable)
        if case .file(_, let existing) = current {
            permissions = executable ? existing | ((existing & 0o444) >> 2) : existing & ~0o111
        }
        return .file(bytes: bytes, permissions: permissions)
    }

    /// True when a snapshot of the working tree would not record `path` even with a file there:
    /// an ignore rule matches it and your index does not track it.
    func isIgnoredAndUntracked(_ path: GitPath) throws -> Bool {
        guard try repository.isIgnored(path, asFolder: false) else { return false }
        return try repository.index().entry(path: path) == nil
    }

    /// Folders that will have to be made for `path`: missing ones and files being removed.
    func foldersToCreate(above path: GitPath, removals: Set<GitPath>) throws -> [GitPath] {
        var result: [GitPath] = []
        var prefix = GitPath.root
        for component in try WorkingTreeFiles.components(of: path).dropLast() {
            prefix = prefix.appending(component)
            var info = stat()
            if !result.isEmpty || removals.contains(prefix) || stat(prefix.under(workspace.root).cString, &info) != 0 {
                result.append(prefix)
            }
        }
        return result
    }

    /// True when `folder` (an absolute path) is a folder holding nothing.
    static func isEmptyFolder(_ folder: GitPath) -> Bool {
        guard let handle = opendir(folder.cString) else { return false }
        defer { closedir(handle) }
        return FolderEntries.read(handle).isEmpty
    }

    /// True when checkout filters (eol, smudge, ident) could apply to `paths`: a `.gitattributes`
    /// beside or above one of them, attribute files, or core.autocrlf. Looks only at the paths'
    /// folders, so the cost does not grow with the size of the repository.
    func filtersMayApply(paths: [GitPath], trees: [Tree]) throws -> Bool {
        let config = try repository.config()
        if let autocrlf = try? config.string("core.autocrlf"), autocrlf.lowercased() != "false" { return true }
        if try config.string("core.attributesFile") != nil { return true }
        if FileManager.default.fileExists(atPath: workspace.commonDir + "/info/attributes") { return true }
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["XDG_CONFIG_HOME"] ?? environment["HOME"].map({ $0 + "/.config" }),
           FileManager.default.fileExists(atPath: home + "/git/attributes") { return true }
        var folders: Set<GitPath> = [.root]
        for path in paths { folders.formUnion(path.ancestorFolders) }
        for folder in folders {
            let attributes = folder.appending(".gitattributes")
            for tree in trees where try tree.entry(path: attributes) != nil { return true }
            var info = stat()
            if stat(attributes.under(workspace.root).cString, &info) == 0 { return true }
        }
        return false
    }
}
