import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// The content filters of a snapshot applied as `git add -A` applies them (issue #15), with
/// spur's own attribute lookup (`AttributeLookup`) instead of libgit2's:
/// - only the files git reads are filtered (`WorkdirReads`): a stat-clean file keeps its index
///   blob even when the attributes changed (re-cleaning it is `git add --renormalize`);
/// - git reads them in path order, tracked files first, then untracked ones; each folder's
///   `.gitattributes` is the working tree's regular file (a symbolic link is not followed),
///   else the index's as `git add` has updated it by the time it reads that folder: a staged
///   file deleted from the working tree applies only to paths sorting before it, a
///   skip-worktree or assume-unchanged one always;
/// - eol/text/crlf, `ident` (every `$Id…$`), clean drivers (`FilterDrivers`) and the refusal of
///   `working-tree-encoding`.
/// Paths that are not UTF-8 keep the blob staging gave them (tree edits take text paths).
enum CheckinFilters {
    /// `tree` with the blobs of the files in `reads` filtered as git filters them; the same id
    /// when nothing changes.
    static func correct(tree: ObjectID, of repository: Repository, reads: WorkdirReads) throws -> ObjectID {
        guard let workdir = repository.workdir else { return tree }
        let base = try repository.headCommitID().map { try repository.treeID(ofCommit: $0) } ?? repository.tree(nil, applying: [])
        try FilterDrivers.refuseLinkedGitmodules(repository.treeDifferences(from: base, to: tree))
        let reach = try ContentFilters(repository: repository)
        let staged = reads.indexBlobs.keys.contains { $0.parentAndName.name == attributesName }
        let all = reads.tracked.sorted().map { (1, $0) } + reads.untracked.sorted().map { (2, $0) }
        guard staged || all.contains(where: { reach.mayApply(to: $0.1) }) || reads.statClean.keys.contains(where: { reach.mayApply(to: $0) }) else {
            return tree
        }
        let config = try repository.config()
        let autocrlf = try config.string("core.autocrlf")
        let root = GitPath(workdir)
        var position = (phase: 1, path: GitPath.root)
        let lookup = try AttributeLookup(repository: repository) { folder in
            rules(of: folder, at: position, reads: reads, root: root, repository: repository)
        }
        let snapshot = try repository.tree(tree)
        var edits: [TreeEdit] = []
        for (phase, path) in all {
            position = (phase, path)
            let attributes = lookup.attributes(of: path)
            guard staged || reach.mayApply(to: path),
                  let entry = try snapshot.entry(path: path), entry.mode == .blob || entry.mode == .executable,
                  let bytes = AttributeLookup.readRegularFile(root.appending(path), followLinks: false) else { continue }
            let conversion = CheckinConversion(attributes: attributes, autocrlf: autocrlf)
            if let encoding = conversion.encoding, !encoding.isEmpty {
                throw SpurError("\(path.display): attribute working-tree-encoding=\(encoding) is set; spur does not convert encodings, so it cannot record the file as git would")
            }
            var input = bytes
            if let driver = conversion.driver { input = try FilterDrivers.clean(driver, path: path, input: bytes, workdir: workdir, config: config) }
            let output = try conversion.apply(to: input) { try reads.indexBlobs[path].map { try repository.blob($0).bytes } }
            let id = try repository.writeBlob(output)
            if id != entry.id { edits.append(TreeEdit(path: path, action: .upsert(id, entry.mode))) }
        }
        for (path, id) in reads.statClean where staged || reach.mayApply(to: path) {
            // git does not read these; libgit2 may have (and filtered them with other rules).
            guard let entry = try snapshot.entry(path: path),
                  entry.mode == .blob || entry.mode == .executable, entry.id != id else { continue }
            edits.append(TreeEdit(path: path, action: .upsert(id, entry.mode)))
        }
        return edits.isEmpty ? tree : try repository.tree(tree, applying: edits)
    }

    private static let attributesName = GitPath(".gitattributes")

    /// The rules of `folder`'s `.gitattributes` when git reads them while adding `position`.
    private static func rules(of folder: GitPath, at position: (phase: Int, path: GitPath), reads: WorkdirReads,
                              root: GitPath, repository: Repository) -> AttributeRules {
        let file = folder.appending(attributesName)
        let macros = folder.isEmpty
        if let bytes = AttributeLookup.readRegularFile(root.appending(file), followLinks: false) {
            return AttributeRules(parsing: bytes, macrosAllowed: macros, fromFile: true)
        }
        // Not a regular file in the working tree: the index's, as git add has left it so far.
        let passed = position.phase == 2 || file < position.path
        let link = linkTarget(root.appending(file))
        if let id = reads.indexBlobs[file], reads.untouchedAttributeFiles.contains(file) || !passed {
            guard let bytes = try? repository.blob(id).bytes else { return .empty }
            return AttributeRules(parsing: bytes, macrosAllowed: macros, fromFile: false)
        }
        // git add has replaced it by the link (or removed it, or not added it yet).
        if let link, passed, reads.indexBlobs[file] != nil || position.phase == 2 {
            return AttributeRules(parsing: link, macrosAllowed: macros, fromFile: false)
        }
        return .empty
    }

    private static func linkTarget(_ path: GitPath) -> [UInt8]? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = path.withCString { readlink($0, &buffer, buffer.count - 1) }
        return count >= 0 ? buffer[0..<count].map { UInt8(bitPattern: $0) } : nil
    }

    /// What `git add -A` reads when libgit2's index staged the tree: `original` is the index
    /// as on disk, `staged` the index after staging.
    static func fallbackReads(of repository: Repository, original: Index?, staged: Index) throws -> WorkdirReads {
        var reads = WorkdirReads()
        guard let workdir = repository.workdir, let original else { return reads }
        let root = GitPath(workdir)
        let trustFileMode = try repository.config().bool("core.filemode") ?? true
        let trustCtime = try repository.config().bool("core.trustctime") ?? true
        var indexInfo = stat()
        let indexSeconds = stat(repository.gitDir + "/index", &indexInfo) == 0 ? Int(indexInfo.st_mtim.tv_sec) : 0
        var known = Set<GitPath>()
        // git add -A keeps a tracked path outside the sparse definition as it is in the index.
        let sparse = try SparseCheckout.of(repository)
        let presentClearsSkipWorktree = try sparse != nil && repository.config().bool("sparse.expectFilesOutsideOfPatterns") != true
        for entry in original.entries() where entry.mode != .commit {
            let path = entry.path
            known.insert(path)
            let outsideSparse = sparse.map { !$0.contains(path) } ?? false
            // git clears skip-worktree from a present file of a sparse checkout (see `Index.clearSkipWorktree`).
            let skipWorktree = entry.isSkipWorktree && !(presentClearsSkipWorktree && FileStat.of(path.under(workdir)) != nil)
            if path.parentAndName.name == attributesName {
                reads.indexBlobs[path] = entry.id
                if skipWorktree || entry.isAssumeUnchanged || outsideSparse { reads.untouchedAttributeFiles.insert(path) }
            }
            if skipWorktree || entry.isAssumeUnchanged || outsideSparse { continue }
            var info = stat()
            guard root.appending(path).withCString({ lstat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if !entry.isIntentToAdd && entry.mode != .link
                && statMatches(entry, info, trustFileMode: trustFileMode, trustCtime: trustCtime) && Int(entry.mtimeSeconds) < indexSeconds {
                reads.statClean[path] = entry.id
                continue
            }
            reads.tracked.append(path)
            reads.indexBlobs[path] = entry.id
        }
        for entry in staged.entries() where entry.mode == .blob || entry.mode == .executable {
            let path = entry.path
            guard !known.contains(path) else { continue }
            var info = stat()
            if root.appending(path).withCString({ lstat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG { reads.untracked.append(path) }
        }
        return reads
    }

    /// git's stat check: size, mtime and ctime (unless core.trustctime is false) to the
    /// nanosecond, inode, and the executable bit when core.filemode is trusted.
    private static func statMatches(_ entry: IndexEntry, _ info: stat, trustFileMode: Bool, trustCtime: Bool) -> Bool {
        if trustFileMode && ((info.st_mode & S_IXUSR) != 0) != (entry.mode == .executable) { return false }
        guard entry.fileSize == UInt32(truncatingIfNeeded: info.st_size),
              entry.mtimeSeconds == Int32(truncatingIfNeeded: info.st_mtim.tv_sec),
              entry.mtimeNanoseconds == UInt32(truncatingIfNeeded: info.st_mtim.tv_nsec),
              entry.inode == UInt32(truncatingIfNeeded: info.st_ino) else { return false }
        if trustCtime {
            guard entry.ctimeSeconds == Int32(truncatingIfNeeded: info.st_ctim.tv_sec),
                  entry.ctimeNanoseconds == UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec) else { return false }
        }
        return true
    }
}
