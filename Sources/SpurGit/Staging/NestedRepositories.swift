import CGit2
#if canImport(Glibc)
import Glibc
#endif

extension Repository {
    /// Every folder `git add -A` takes for a repository of its own: not tracked (no entry of
    /// `index` below it), not ignored itself nor inside an ignored folder, and holding a `.git`.
    /// Paths as bytes, without a trailing slash.
    ///
    /// libgit2's `add_all` misses one whose files are all ignored (it then takes the whole folder
    /// for ignored); git still looks at the repository: a gitlink to its HEAD, or a refusal
    /// without a commit. One `opendir` per folder that is tracked or untracked and not ignored.
    public func untrackedRepositories(besides index: Index, ignored: IgnoredPaths) throws -> [GitPath] {
        try untrackedWalk(besides: index, ignored: ignored).repositories
    }

    /// The same walk, also returning the untracked files and links (not ignored, not below a
    /// nested repository) that have no entry in `index`: after libgit2's `add_all`, the ones it
    /// passed over (it does not offer an untracked file inside a tracked folder that its own
    /// ignore rules, which follow a `.gitignore` link, take for ignored).
    public func untrackedWalk(besides index: Index, ignored: IgnoredPaths) throws -> (repositories: [GitPath], files: [GitPath]) {
        guard let workdir else { return ([], []) }
        var trackedFolders: Set<GitPath> = []
        var entries: Set<GitPath> = []
        index.withPointer { handle in
            for i in 0..<git_index_entrycount(handle) {
                guard let entry = git_index_get_byindex(handle, i) else { continue }
                var path = GitPath(cString: entry.pointee.path)
                entries.insert(path)
                while let slash = path.bytes.lastIndex(of: 0x2F) {
                    path = GitPath(bytes: path.bytes[..<slash])
                    guard trackedFolders.insert(path).inserted else { break }
                }
            }
        }
        var found: [GitPath] = []
        var files: [GitPath] = []
        var folders: [(path: GitPath, tracked: Bool)] = [(.root, true)]
        let root = GitPath(workdir)
        while let (folder, tracked) = folders.popLast() {
            for (name, isFolder) in Self.entryNames(in: folder.isEmpty ? root : root.appending(folder)) {
                if name.bytes == Array(".git".utf8) { continue }
                let path = folder.appending(name)
                if !isFolder {
                    if !entries.contains(path) && !ignored.isIgnored(path, isFolder: false) { files.append(path) }
                    continue
                }
                if tracked && trackedFolders.contains(path) {
                    folders.append((path, true))
                    continue
                }
                if entries.contains(path) { continue }  // a gitlink (or a tracked file become a folder: add_all's)
                if ignored.isIgnored(path, isFolder: true) { continue }
                var info = stat()
                let holdsGit = root.appending(path).appending(GitPath(".git")).withCString { lstat($0, &info) } == 0
                if holdsGit { found.append(path) } else { folders.append((path, false)) }
            }
        }
        return (found.sorted(), files.sorted())
    }

    /// The names in `folder` that are folders, regular files or links (links not followed), as bytes.
    private static func entryNames(in folder: GitPath) -> [(name: GitPath, isFolder: Bool)] {
        guard let handle = folder.withCString({ opendir($0) }) else { return [] }
        defer { closedir(handle) }
        var names: [(name: GitPath, isFolder: Bool)] = []
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let item = readdir(handle) {
            let name = GitPath(cString: (UnsafeRawPointer(item) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name.bytes == [0x2E] || name.bytes == [0x2E, 0x2E] { continue }
            var type = Int32(item.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var info = stat()
                guard folder.appending(name).withCString({ lstat($0, &info) }) == 0 else { continue }
                let kind = info.st_mode & S_IFMT
                type = kind == S_IFDIR ? Int32(DT_DIR) : kind == S_IFLNK ? Int32(DT_LNK) : kind == S_IFREG ? Int32(DT_REG) : Int32(DT_UNKNOWN)
            }
            if type == Int32(DT_DIR) { names.append((name, true)) }
            if type == Int32(DT_REG) || type == Int32(DT_LNK) { names.append((name, false)) }
        }
        return names
    }
}
