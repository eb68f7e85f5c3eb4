import CGit2
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// Writes `tree` into this linked worktree's root, which must hold nothing but git's `.git`
    /// file, and writes its index from the tree with each file's stat data, so git and spur see
    /// the worktree as clean without reading a file.
    ///
    /// What libgit2's checkout does, for a tree landing in an empty folder, at less cost:
    /// files are created relative to an open descriptor of their folder (`openat`, `O_EXCL`:
    /// nothing that exists is ever replaced) and their stat data is taken from the open file,
    /// on several threads; the index keeps the tree's folder ids (git's cache tree). No content
    /// filter (eol, smudge, ident) is applied: callers use libgit2's checkout when an attribute
    /// file or autocrlf could apply.
    func checkOutIntoEmptyWorktree(tree treeID: ObjectID) throws {
        guard let root = workdir else { throw GitError(code: -1, errorClass: 0, message: "no working tree", operation: "checkout") }
        let index = try self.index()
        // Entry pointers below live inside the index: it stays alive to the end of this function.
        defer { withExtendedLifetime(index) {} }
        try index.read(tree: tree(treeID))
        let count = index.count
        let rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard rootDescriptor >= 0 else { throw checkoutError("open \(root)") }
        defer { close(rootDescriptor) }

        // Folders first, in path order (parents before children). Paths stay bytes: split at
        // "/" bytes, never by characters (a combining mark after "/" is a name of its own).
        var made = Set<GitPath>()
        for i in 0..<count {
            guard let entry = index.withPointer({ git_index_get_byindex($0, i) }) else { continue }
            let path = GitPath(cString: entry.pointee.path)
            var slash = path.bytes.startIndex
            while let next = path.bytes[slash...].firstIndex(of: 0x2F) {
                let folder = GitPath(bytes: path.bytes[..<next])
                slash = next + 1
                if made.insert(folder).inserted, folder.withCString({ mkdirat(rootDescriptor, $0, 0o777) }) != 0, errno != EEXIST {
                    throw checkoutError("mkdir \(folder.display)")
                }
            }
        }

        // Files, in contiguous runs of the index (so each run keeps few folders open).
        // Creating files is mostly kernel work, which runs in parallel across folders.
        let workers = count >= 4096 ? max(1, min(4, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) : 1
        let stats = UnsafeMutableBufferPointer<stat>.allocate(capacity: max(count, 1))
        defer { stats.deallocate() }
        let failures = UnsafeMutableBufferPointer<String?>.allocate(capacity: workers)
        failures.initialize(repeating: nil)
        defer { failures.deinitialize().deallocate() }
        var entries: [UnsafePointer<git_index_entry>] = []
        entries.reserveCapacity(count)
        for i in 0..<count { if let entry = index.withPointer({ git_index_get_byindex($0, i) }) { entries.append(entry) } }
        let objectsPath = commonDir
        try entries.withUnsafeBufferPointer { entryBuffer in
            let shared = CheckoutThreads(entries: entryBuffer, stats: stats, failures: failures)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = shared.entries.count * worker / workers, end = shared.entries.count * (worker + 1) / workers
                do {
                    let objects = try Repository(path: objectsPath)
                    var writer = FolderWriter(root: rootDescriptor)
                    defer { writer.close() }
                    for i in start..<end { shared.stats[i] = try writer.write(shared.entries[i].pointee, objects: objects) }
                } catch {
                    shared.failures[worker] = "\(error)"
                }
            }
            guard entryBuffer.count == count else { throw GitError(code: -1, errorClass: 0, message: "index changed", operation: "checkout") }
        }
        if let failure = failures.compactMap({ $0 }).first {
            throw GitError(code: -1, errorClass: 0, message: failure, operation: "checkout into \(root)")
        }

        for (i, entry) in entries.enumerated() {
            let mutable = UnsafeMutablePointer(mutating: entry)
            if mutable.pointee.mode == FileMode.commit.rawValue { continue }
            let info = stats[i]
            mutable.pointee.ctime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_ctim.tv_sec),
                                                   nanoseconds: UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec))
            mutable.pointee.mtime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_mtim.tv_sec),
                                                   nanoseconds: UInt32(truncatingIfNeeded: info.st_mtim.tv_nsec))
            mutable.pointee.dev = UInt32(truncatingIfNeeded: info.st_dev)
            mutable.pointee.ino = UInt32(truncatingIfNeeded: info.st_ino)
            mutable.pointee.uid = info.st_uid
            mutable.pointee.gid = info.st_gid
            mutable.pointee.file_size = UInt32(truncatingIfNeeded: info.st_size)
            // Just written and measured: not "racily clean", nothing to re-check on write.
            mutable.pointee.flags_extended |= UInt16(GIT_INDEX_ENTRY_UPTODATE.rawValue)
        }
        try index.write()
    }

    private func checkoutError(_ operation: String) -> GitError {
        GitError(code: -1, errorClass: 0, message: String(cString: strerror(errno)), operation: operation)
    }
}

/// Memory the checkout threads share: entries are only read, and each thread writes only the
/// `stats` slots of its own run and its own `failures` slot.
private struct CheckoutThreads: @unchecked Sendable {
    let entries: UnsafeBufferPointer<UnsafePointer<git_index_entry>>
    let stats: UnsafeMutableBufferPointer<stat>
    let failures: UnsafeMutableBufferPointer<String?>
}

/// Creates files of one thread's run, keeping its current folder open.
private struct FolderWriter {
    let root: Int32
    private var folder = GitPath.root
    private var descriptor: Int32 = -1

    init(root: Int32) { self.root = root }

    mutating func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Creates the file, link or (for a gitlink) empty folder of `entry`; returns its lstat data.
    mutating func write(_ entry: git_index_entry, objects: Repository) throws -> stat {
        // The index's NUL-terminated path, split at its last "/" byte without copying it:
        // the name after it is a C string already, the parent is compared in place.
        let path: UnsafePointer<CChar> = entry.path
        let bytes = UnsafeRawPointer(path).assumingMemoryBound(to: UInt8.self)
        var nameStart = strlen(path)
        while nameStart > 0 && bytes[nameStart - 1] != 0x2F { nameStart -= 1 }
        let parent = UnsafeBufferPointer(start: bytes, count: max(nameStart - 1, 0))
        if descriptor < 0 || !folder.bytes.elementsEqual(parent) {
            close()
            let root = self.root
            folder = GitPath(bytes: parent)
            descriptor = (folder.isEmpty ? GitPath(".") : folder).withCString { openat(root, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard descriptor >= 0 else { throw failure("open folder \(folder.display)") }
        }
        return try write(entry, path: GitPath(cString: path), name: path + nameStart, in: descriptor, objects: objects)
    }

    private func write(_ entry: git_index_entry, path: @autoclosure () -> GitPath, name: UnsafePointer<CChar>, in descriptor: Int32,
                       objects: Repository) throws -> stat {
        var info = stat()
        if entry.mode == FileMode.commit.rawValue {
            guard mkdirat(descriptor, name, 0o777) == 0 else { throw failure("mkdir \(path().display)") }
            return info
        }
        var oid = entry.id
        var blob: OpaquePointer?
        try check(objects.withPointer { git_blob_lookup(&blob, $0, &oid) }, "read \(path().display)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        let content = git_blob_rawcontent(blob)
        if entry.mode == FileMode.link.rawValue {
            var target = [CChar](repeating: 0, count: size + 1)
            if size > 0, let content { memcpy(&target, content, size) }
            guard symlinkat(target, descriptor, name) == 0 else { throw failure("link \(path().display)") }
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure("lstat \(path().display)") }
            return info
        }
        let permissions: mode_t = entry.mode == FileMode.executable.rawValue ? 0o777 : 0o666
        let file = openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard file >= 0 else { throw failure("create \(path().display)") }
        defer { Glibc.close(file) }
        var written = 0
        while written < size, let content {
            let result = Glibc.write(file, content + written, size - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write \(path().display)")
            }
            written += result
        }
        guard fstat(file, &info) == 0 else { throw failure("stat \(path().display)") }
        return info
    }

    private func failure(_ operation: String) -> GitError {
        GitError(code: -1, errorClass: 0, message: String(cString: strerror(errno)), operation: operation)
    }
}
