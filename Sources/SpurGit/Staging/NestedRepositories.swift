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
        guard let workdir else { return [] }
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
        var folders: [(path: GitPath, tracked: Bool)] = [(.root, true)]
        let root = GitPath(workdir)
        while let (folder, tracked) = folders.popLast() {
            for name in Self.folderNames(in: folder.isEmpty ? root : root.appending(folder)) {
                if folder.isEmpty && name.bytes == Array(".git".utf8) { continue }
                let path = folder.appending(name)
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
        return found.sorted()
    }

    /// The names of the subfolders of `folder` (links not followed), as bytes.
    private static func folderNames(in folder: GitPath) -> [GitPath] {
        guard let handle = folder.withCString({ opendir($0) }) else { return [] }
        defer { closedir(handle) }
        var names: [GitPath] = []
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let item = readdir(handle) {
            let name = GitPath(cString: (UnsafeRawPointer(item) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name.bytes == [0x2E] || name.bytes == [0x2E, 0x2E] { continue }
            var type = Int32(item.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var info = stat()
                guard folder.appending(name).withCString({ lstat($0, &info) }) == 0 else { continue }
                type = (info.st_mode & S_IFMT) == S_IFDIR ? Int32(DT_DIR) : Int32(DT_REG)
            }
            if type == Int32(DT_DIR) { names.append(name) }
        }
        return names
    }
}
