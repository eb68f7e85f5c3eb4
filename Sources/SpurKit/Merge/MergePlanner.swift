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
    /// Only part of the lane is merged: the pathspecs left some of its files out, or
    /// conflicting files were skipped. The lane stays unmerged.
    var partial = false

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
    /// Only the lane's files these pathspecs match (nil: all).
    var pathspecs: [GitPath]? = nil
    /// Leave files that conflict as they are instead of refusing the merge.
    var skipConflicts = false

    var labels: MergeFileOptions {
        MergeFileOptions(baseLabel: "lane base", oursLabel: "working tree", theirsLabel: "lane \(lane.name)")
    }

    func plan() throws -> MergePlan {
        let baseTreeID = try repository.treeID(ofCommit: lane.base)
        let theirsTree = try repository.tree(repository.treeID(ofCommit: head))
        let base = try BaseTree(repository: repository, treeID: baseTreeID)
        let theirsSide = try TreeSide(base: base, tree: theirsTree.id)
        let paths = Set(theirsSide.changes.flatMap { [$0.oldPath, $0.newPath] }).sorted()

        // Disk first, snapshot second (see the type's comment).
        var disk: [GitPath: (entry: DiskEntry, bytes: [UInt8]?)] = [:]
        var unsafe: [GitPath: String] = [:]
        for path in paths {
            do { disk[path] = try files.read(path) } catch let error as UnsafePath { unsafe[path] = error.reason }
        }
        let ours = try Snapshot.take(workdir: workspace.root, message: "spur: your working tree before merging lane \(lane.name)\n")
        let oursTree = try repository.tree(ours.tree)

        // The decision status's verdicts come from too (`LaneMerge`), renames followed.
        let rule = MergeRule(repository: repository, resolution: resolution, labels: labels, store: { try repository.writeBlob($0) })
        let allOutcomes = try LaneMerge(rule: rule).outcomes(lane: theirsSide, other: TreeSide(base: base, tree: ours.tree),
                                                           ancestorFromOther: false, onlyOverlaps: false)
        var conflicts: [MergeConflict] = []
        var outcomes = try selected(allOutcomes, changes: theirsSide.changes)
        // Part of the lane stays to merge when the pathspecs leave a file out or a conflict is skipped.
        var partial = outcomes.count < allOutcomes.count
        if skipConflicts {
            partial = partial || outcomes.contains { $0.conflict != nil }
            // A conflicting file is left alone whole: none of its paths is written.
            for outcome in outcomes where outcome.conflict != nil {
                conflicts += outcome.steps.compactMap { $0.decision.unresolved }
            }
            outcomes.removeAll { $0.conflict != nil }
        }
        var decisions: [GitPath: MergeRule.Decision] = [:]
        for outcome in outcomes {
            for (path, decision) in outcome.steps {
                decisions[path] = try Self.combine(decisions[path], decision, path: path, ours: fileEntry(oursTree, path))
            }
        }
        // A file moving to a path that stays in conflict is not removed from where it is.
        for outcome in outcomes {
            guard let destination = outcome.movedTo, decisions[destination]?.unresolved != nil else { continue }
            for path in outcome.movedAway { decisions[path] = .keep }
        }
        // Paths the merge writes that the lane did not change (where you renamed a file it
        // changed): read now; the compare-and-swap at write time still guards them.
        for path in decisions.keys where disk[path] == nil && unsafe[path] == nil {
            do { disk[path] = try files.read(path) } catch let error as UnsafePath { unsafe[path] = error.reason }
        }
        let filtered = try filtersMayApply(paths: decisions.keys.sorted(), trees: [oursTree, theirsTree])

        var targets: [(path: GitPath, entry: TreeEntry?)] = []
        for path in decisions.keys.sorted() {
            guard let decision = decisions[path] else { continue }
            if let reason = unsafe[path] {
                if case .keep = decision { continue }
                conflicts.append(MergeConflict(path: path, kind: .symlinkInPath, message: reason, hunks: []))
                continue
            }
            switch decision {
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
                         createdFolders: created, stalePaths: stale, partial: partial)
    }

    /// The outcomes of files a pathspec matches (by any of their names); a pathspec matching
    /// none of the lane's files is a usage error, so a typo writes nothing.
    func selected(_ outcomes: [FileOutcome], changes: [SideChange]) throws -> [FileOutcome] {
        guard let paths = pathspecs else { return outcomes }
        var names = Set(changes.flatMap { [$0.oldPath, $0.newPath] })
        for outcome in outcomes { names.formUnion(outcome.names) }
        for pattern in paths {
            let spec = try Pathspec([pattern])
            if !names.contains(where: { spec.matches($0) }) {
                throw SpurError.usage("pathspec '\(pattern.display)' matches no file lane \(lane.name) changed; nothing was written")
            }
        }
        let spec = try Pathspec(paths)
        return outcomes.filter { $0.names.contains { spec.matches($0) } }
    }

    // MARK: Per-path decision

    /// Two files' decisions for one path (a file the lane renamed onto a path you also
    /// changed): a conflict wins; two different results are a conflict.
    static func combine(_ known: MergeRule.Decision?, _ new: MergeRule.Decision, path: GitPath, ours: TreeEntry?) -> MergeRule.Decision {
        guard let known else { return new }
        if known.unresolved != nil { return known }
        if new.unresolved != nil { return new }
        func result(_ decision: MergeRule.Decision) -> TreeEntry? {
            if case .put(let entry, _) = decision { return entry }
            return ours
        }
        if result(known) == result(new) {
            // The same result: keep the one that records a settled conflict, if one does.
            if case .put(_, let conflict?) = new, case .put(_, nil) = known { _ = conflict; return new }
            if case .put(_, _?) = new, case .keep = known { return new }
            return known
        }
        return .conflict(MergeConflict(path: path, kind: .content, message: "two of the lane's changes put different files at \(path)", hunks: []))
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
