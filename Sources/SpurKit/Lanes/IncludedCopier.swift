import Foundation
import CSystem
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Copies folders, files and links from the user's tree into a lane, on several threads. It
/// copies, never links: `FICLONE` where the filesystem shares blocks copy-on-write, else
/// `copy_file_range`, else read and write; so nothing a task writes in the lane reaches the
/// user's files. Modes, modification times, links (as links, never followed) and empty
/// folders are kept; hard links become separate files. Every name is opened by its bytes,
/// relative to an open folder, without following a link on the lane's side. A source that
/// vanishes is skipped and reported; a failure to write (a full disk) stops the copy and throws.
final class IncludedCopier: @unchecked Sendable {
    /// What one copy did.
    struct Outcome {
        var files = 0
        var bytes: Int64 = 0
        /// Paths that disappeared from the user's tree while they were copied.
        var vanished: [GitPath] = []
        /// Paths that could not be read (permissions) and were left out.
        var unreadable: [GitPath] = []
    }

    /// The failure that stopped the copy.
    struct Failure: Error, CustomStringConvertible {
        let path: GitPath
        let code: Int32
        var description: String { "\(path.display): \(String(cString: strerror(code)))" }
    }

    private let sourceRoot: SharedFolder
    private let laneRoot: SharedFolder
    private let threadCount: Int
    /// A folder of the source never copied (the lanes' folder, when it lies inside the tree).
    private let skipped: GitPath?
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var busy = 0
    private var outcome = Outcome()
    private var failure: Failure?
    /// Folders whose mode and times are set once everything inside them is written.
    private var finishedFolders: [(path: GitPath, mode: mode_t, times: (timespec, timespec))] = []
    private let cloneUnsupported = AtomicFlag()
    private let rangeUnsupported = AtomicFlag()
    private let umaskBits: mode_t

    private enum Job {
        case folder(GitPath)
        case files(SharedFolder, SharedFolder, GitPath, [GitPath])
    }

    init(sourceRoot: String, laneRoot: String, skipped: GitPath? = nil, threads: Int = 4) throws {
        guard let source = SharedFolder(open(sourceRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)),
              let lane = SharedFolder(open(laneRoot, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) else {
            throw SpurError("cannot open \(sourceRoot) or \(laneRoot): \(String(cString: strerror(errno)))")
        }
        self.sourceRoot = source
        self.laneRoot = lane
        self.threadCount = max(1, threads)
        self.skipped = skipped
        let current = umask(0o022)
        umask(current)
        umaskBits = current
    }

    /// Copies `entries` (folders whole); `linked` are folders given as a link to the user's folder.
    func copy(_ entries: [IncludedEntry], linking linked: Set<GitPath>, sourceText: String) throws -> Outcome {
        var singles: [GitPath: [GitPath]] = [:]
        for entry in entries {
            let (parent, name) = entry.path.parentAndName
            if entry.kind == .folder && linked.contains(entry.path) {
                try makeLink(entry.path, to: sourceText + "/" + entry.path.text)
            } else if entry.kind == .folder {
                guard let destination = try laneFolder(parent) else { continue }
                try destination.withRaw { folder in
                    try createFolder(name, in: folder, path: entry.path)
                }
                jobs.append(.folder(entry.path))
            } else {
                singles[parent, default: []].append(name)
            }
        }
        for (parent, names) in singles.sorted(by: { $0.key < $1.key }) {
            guard let destination = try laneFolder(parent), let source = sourceFolder(parent) else { continue }
            jobs.append(.files(source, destination, parent, names))
        }
        let done = DispatchGroup()
        for _ in 0..<threadCount {
            done.enter()
            let thread = Thread { [self] in
                work()
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        if let failure { throw failure }
        for folder in finishedFolders.reversed() {
            var times = [folder.times.0, folder.times.1]
            laneRoot.withRaw { root in
                _ = folder.path.withCString { fchmodat(root, $0, folder.mode & 0o7777, 0) }
                _ = folder.path.withCString { utimensat(root, $0, &times, AT_SYMLINK_NOFOLLOW) }
            }
        }
        return outcome
    }

    // MARK: the workers

    private func work() {
        var local = Outcome()
        while let job = nextJob() {
            do {
                switch job {
                case .folder(let path): try copyFolder(path, into: &local)
                case .files(let source, let destination, let parent, let names):
                    for name in names { try copyEntry(name, in: parent, source: source, destination: destination, into: &local) }
                }
            } catch let failed as Failure {
                condition.lock()
                if failure == nil { failure = failed }
                condition.unlock()
            } catch {
                condition.lock()
                if failure == nil { failure = Failure(path: .root, code: EIO) }
                condition.unlock()
            }
            condition.lock()
            busy -= 1
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        outcome.files += local.files
        outcome.bytes += local.bytes
        outcome.vanished += local.vanished
        outcome.unreadable += local.unreadable
        condition.unlock()
    }

    /// The next job, waiting while others may still add some; nil when all is done or failed.
    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && busy > 0 && failure == nil { condition.wait() }
        guard failure == nil, let job = jobs.popLast() else { return nil }
        busy += 1
        return job
    }

    private func add(_ more: [Job]) {
        guard !more.isEmpty else { return }
        condition.lock()
        jobs += more
        condition.broadcast()
        condition.unlock()
    }

    /// Lists one source folder: subfolders are created in the lane and queued, files and links
    /// copied here (in batches other threads can take when the folder is large).
    private func copyFolder(_ path: GitPath, into local: inout Outcome) throws {
        guard let source = sourceFolder(path) else { local.vanished.append(path); return }
        guard let destination = SharedFolder(laneRoot.withRaw { root in path.withCString { openat(root, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) } }) else {
            throw Failure(path: path, code: errno)
        }
        var info = stat()
        if source.withRaw({ fstat($0, &info) }) == 0 {
            condition.lock()
            finishedFolders.append((path, info.st_mode, (info.st_atim, info.st_mtim)))
            condition.unlock()
        }
        guard let handle = source.withRaw({ fdopendir(dup($0)) }) else { local.vanished.append(path); return }
        let entries = FolderEntries.read(handle)
        closedir(handle)
        var names: [GitPath] = [], more: [Job] = []
        for (name, type) in entries {
            if type == Int(DT_DIR) {
                let child = path.appending(name)
                if child == skipped { continue }
                try destination.withRaw { try createFolder(name, in: $0, path: child) }
                more.append(.folder(child))
            } else {
                names.append(name)
            }
        }
        let batch = 64
        var start = batch
        while start < names.count {
            more.append(.files(source, destination, path, Array(names[start..<min(start + batch, names.count)])))
            start += batch
        }
        add(more)
        for name in names.prefix(batch) { try copyEntry(name, in: path, source: source, destination: destination, into: &local) }
    }

    /// Copies one file, link or (when `readdir` could not tell) folder named `name`.
    private func copyEntry(_ name: GitPath, in parent: GitPath, source: SharedFolder, destination: SharedFolder,
                           into local: inout Outcome) throws {
        let path = parent.appending(name)
        // Test-only: `SPUR_FAULT=include-copy@N` makes the N-th file meet a full disk.
        do { try FaultInjection.point("include-copy", detail: path.display) } catch { throw Failure(path: path, code: ENOSPC) }
        var info = stat()
        guard source.withRaw({ folder in name.withCString { fstatat(folder, $0, &info, AT_SYMLINK_NOFOLLOW) } }) == 0 else {
            return sourceProblem(path, into: &local)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: try copyFile(name, path: path, info: info, source: source, destination: destination, into: &local)
        case S_IFLNK: try copyLink(name, path: path, info: info, source: source, destination: destination, into: &local)
        case S_IFDIR:
            if path == skipped { return }
            try destination.withRaw { try createFolder(name, in: $0, path: path) }
            add([.folder(path)])
        default: return  // sockets, pipes, devices: nothing a task can use from a copy
        }
    }

    private func copyFile(_ name: GitPath, path: GitPath, info: stat, source: SharedFolder, destination: SharedFolder,
                          into local: inout Outcome) throws {
        let input = source.withRaw { folder in name.withCString { openat(folder, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) } }
        guard input >= 0 else { return sourceProblem(path, into: &local) }
        defer { close(input) }
        let mode = info.st_mode & 0o7777
        let output = destination.withRaw { folder in
            name.withCString { openat(folder, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode) }
        }
        if output < 0 && errno == EEXIST { return }  // the lane has it already (the snapshot's)
        guard output >= 0 else { throw Failure(path: path, code: errno) }
        defer { close(output) }
        if let code = copyBytes(from: input, to: output, size: Int(info.st_size)) { throw Failure(path: path, code: code) }
        if mode & umaskBits != 0 { _ = fchmod(output, mode) }
        var times = [info.st_atim, info.st_mtim]
        _ = futimens(output, &times)
        local.files += 1
        local.bytes += Int64(info.st_size)
    }

    private func copyLink(_ name: GitPath, path: GitPath, info: stat, source: SharedFolder, destination: SharedFolder,
                          into local: inout Outcome) throws {
        var target = [CChar](repeating: 0, count: Int(info.st_size) + 2)
        let length = source.withRaw { folder in name.withCString { readlinkat(folder, $0, &target, target.count - 1) } }
        guard length >= 0 else { return sourceProblem(path, into: &local) }
        target[length] = 0
        let made = destination.withRaw { folder in name.withCString { symlinkat(target, folder, $0) } }
        if made != 0 && errno == EEXIST { return }
        guard made == 0 else { throw Failure(path: path, code: errno) }
        var times = [info.st_atim, info.st_mtim]
        _ = destination.withRaw { folder in name.withCString { utimensat(folder, $0, &times, AT_SYMLINK_NOFOLLOW) } }
        local.files += 1
    }

    /// Copies `size` bytes (more if the file grew): a clone, else `copy_file_range`, else read and
    /// write. Returns the failing errno, nil when done.
    private func copyBytes(from input: Int32, to output: Int32, size: Int) -> Int32? {
        if size == 0 { return nil }
        if !cloneUnsupported.isSet {
            if spur_clone_file(output, input) == 0 { return nil }
            if errno == ENOSPC || errno == EDQUOT || errno == EIO { return errno }
            cloneUnsupported.set()
        }
        if !rangeUnsupported.isSet {
            var copied = 0
            while true {
                let count = spur_copy_range(input, output, max(size - copied, 1 << 20))
                if count > 0 { copied += count; if copied >= size { return nil } else { continue } }
                if count == 0 { return nil }
                if errno == EINTR { continue }
                if copied == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
                    rangeUnsupported.set()
                    break
                }
                return errno
            }
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return errno }
            if count == 0 { return nil }
            var written = 0
            while written < count {
                let wrote = buffer.withUnsafeBytes { bytes in
                    bytes.baseAddress.map { write(output, $0 + written, count - written) } ?? -1
                }
                if wrote < 0 && errno == EINTR { continue }
                if wrote < 0 { return errno }
                written += wrote
            }
        }
    }

    /// A source that cannot be read: gone (skipped, reported) or not readable (left out, reported).
    private func sourceProblem(_ path: GitPath, into local: inout Outcome) {
        if errno == ENOENT || errno == ENOTDIR { local.vanished.append(path) } else { local.unreadable.append(path) }
    }

    // MARK: folders

    /// Creates folder `name` in the lane (writable by its owner until the copy ends).
    private func createFolder(_ name: GitPath, in folder: Int32, path: GitPath) throws {
        let made = name.withCString { mkdirat(folder, $0, 0o700) }
        if made != 0 && errno != EEXIST { throw Failure(path: path, code: errno) }
    }

    /// The user's folder at `path`, nil when it vanished.
    private func sourceFolder(_ path: GitPath) -> SharedFolder? {
        if path.isEmpty { return sourceRoot }
        return SharedFolder(sourceRoot.withRaw { root in path.withCString { openat(root, $0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } })
    }

    /// The lane's folder at `path`, made name by name (with the user's folder's mode) where
    /// missing and never through a link; nil when a link or file is in the way.
    private func laneFolder(_ path: GitPath) throws -> SharedFolder? {
        var current = laneRoot
        var walked = GitPath.root
        for name in path.components {
            walked = walked.appending(name)
            var opened = current.withRaw { folder in name.withCString { openat(folder, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) } }
            if opened < 0 && errno == ENOENT {
                var info = stat()
                let mode = sourceRoot.withRaw { root in walked.withCString { stat_at(root, $0, &info) } } == 0 ? (info.st_mode & 0o7777) | 0o700 : 0o755
                let made = current.withRaw { folder in name.withCString { mkdirat(folder, $0, mode) } }
                if made != 0 && errno != EEXIST { throw Failure(path: walked, code: errno) }
                opened = current.withRaw { folder in name.withCString { openat(folder, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) } }
            }
            guard let next = SharedFolder(opened) else { return nil }
            current = next
        }
        return current
    }

    private func makeLink(_ path: GitPath, to target: String) throws {
        let (parent, name) = path.parentAndName
        guard let folder = try laneFolder(parent) else { return }
        let made = folder.withRaw { descriptor in name.withCString { symlinkat(target, descriptor, $0) } }
        if made != 0 && errno != EEXIST { throw Failure(path: path, code: errno) }
    }
}

private func stat_at(_ folder: Int32, _ name: UnsafePointer<CChar>, _ info: UnsafeMutablePointer<stat>) -> Int32 {
    fstatat(folder, name, info, AT_SYMLINK_NOFOLLOW)
}

/// An open folder shared by the copy's threads, closed when the last one lets go.
final class SharedFolder: @unchecked Sendable {
    private let raw: Int32
    init?(_ raw: Int32) {
        guard raw >= 0 else { return nil }
        self.raw = raw
    }
    deinit { close(raw) }
    func withRaw<R>(_ body: (Int32) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(raw) }
    }
}

/// A flag set once, read by several threads.
final class AtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
