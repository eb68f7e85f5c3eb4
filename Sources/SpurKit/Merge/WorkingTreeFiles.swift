import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Reads and replaces single paths of a working tree without ever leaving it.
///
/// Every path is resolved one folder at a time from the root with `O_NOFOLLOW`, so a symbolic
/// link inside the tree (even one swapped in while spur runs) is never followed; `.git`, `.`
/// and `..` components are refused. A replacement is written to a temporary file beside the
/// target and renamed over it, so a reader or a crash sees the old file or the new one, whole.
///
/// Compare-and-swap: right before the rename the path is read again and must still hold the
/// expected entry. Where the kernel offers `renameat2`, a new file is moved in with
/// `RENAME_NOREPLACE` (fails if anything appeared) and an existing one with `RENAME_EXCHANGE`,
/// after which the displaced file is checked once more and swapped back if it is not the one
/// expected. What remains is a write through a file descriptor opened before the swap.
///
/// Why not libgit2's checkout (baseline tree, safe strategy, DONT_UPDATE_INDEX)? In libgit2
/// 1.5.1 (`src/libgit2/checkout.c`) it compares every file with the baseline in one pass and
/// writes in later passes, so the check is not right before each write; it writes files in
/// place (`open` with `O_TRUNC`, then streaming), so a kill mid-write leaves a partial file; and
/// it removes an old entry before creating its replacement, so a kill in between loses both.
struct WorkingTreeFiles {
    let root: String
    /// Names temporary files `.spur-<tag>-<n>.tmp`, so recovery can find and remove them.
    let tempTag: String

    init(root: String, tempTag: String = "io-\(getpid())") {
        self.root = root
        self.tempTag = tempTag
    }

    // MARK: Reading

    /// The entry at `path` and, for files and links, its bytes (a link's target).
    func read(_ path: GitPath) throws -> (entry: DiskEntry, bytes: [UInt8]?) {
        let components = try Self.components(of: path)
        guard let parent = try openParent(components, create: false) else { return (.absent, nil) }
        defer { close(parent) }
        return try read(in: parent, name: components[components.count - 1], shownAs: path)
    }

    /// The entry at `path` (see `read`).
    func entry(_ path: GitPath) throws -> DiskEntry { try read(path).entry }

    private func read(in directory: Int32, name: GitPath, shownAs path: GitPath) throws -> (entry: DiskEntry, bytes: [UInt8]?) {
        var info = stat()
        if fstatat(directory, name.cString, &info, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return (.absent, nil) }
            throw SpurError("cannot read \(path): \(Self.lastError())")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            let descriptor = openat(directory, name.cString, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { return (.absent, nil) }
                throw SpurError("cannot read \(path): \(Self.lastError())")
            }
            defer { close(descriptor) }
            var opened = stat()
            guard fstat(descriptor, &opened) == 0 else { throw SpurError("cannot read \(path): \(Self.lastError())") }
            let bytes = try Self.readAll(descriptor, shownAs: path)
            return (.file(blob: try ObjectID.blobHash(of: bytes), permissions: UInt16(opened.st_mode & 0o7777)), bytes)
        case S_IFLNK:
            var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
            let cName = name.cString
            let count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let start = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return -1 }
                return readlinkat(directory, cName, start, raw.count)
            }
            guard count >= 0 else {
                if errno == ENOENT { return (.absent, nil) }
                throw SpurError("cannot read link \(path): \(Self.lastError())")
            }
            let target = Array(buffer.prefix(count))
            return (.symlink(blob: try ObjectID.blobHash(of: target)), target)
        case S_IFDIR:
            return (.directory, nil)
        default:
            return (.special, nil)
        }
    }

    /// Regular files and links under the folder `path` (relative to the root), not following links.
    func filesUnder(_ path: GitPath) throws -> [GitPath] {
        var result: [GitPath] = []
        func walk(_ relative: GitPath) throws {
            let full = relative.under(root)
            guard let handle = opendir(full.cString) else {
                throw SpurError("cannot read \(relative.display): \(Self.lastError())")
            }
            let names = FolderEntries.read(handle).map(\.name)
            closedir(handle)
            for name in names {
                let child = relative.appending(name)
                var info = stat()
                guard lstat(child.under(root).cString, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR { try walk(child) } else { result.append(child) }
            }
        }
        try walk(path)
        return result
    }

    /// What lies on disk along the folders leading to `path`: the first component that is not a
    /// folder (a file, a link, or something else), or nil when each one is a folder or missing.
    func firstNonFolderAncestor(of path: GitPath) throws -> (path: GitPath, entry: DiskEntry)? {
        let components = try Self.components(of: path)
        var prefix = GitPath.root
        for component in components.dropLast() {
            prefix = prefix.appending(component)
            var info = stat()
            if lstat(prefix.under(root).cString, &info) != 0 { return nil }
            if info.st_mode & S_IFMT != S_IFDIR { return (prefix, try entry(prefix)) }
        }
        return nil
    }

    // MARK: Writing

    /// Moves `path` from `transition.from` to `content` (whose entry is `transition.to`).
    /// Returns the folders it had to create. Throws `WriteRace` when the path no longer holds
    /// `from`; then nothing was changed.
    @discardableResult
    func apply(_ transition: FileTransition, content: DiskContent) throws -> [GitPath] {
        let components = try Self.components(of: transition.path)
        let name = components[components.count - 1]
        if transition.from == transition.to { return [] }
        var created: [GitPath] = []
        guard let parent = try openParent(components, create: content != .absent, created: &created) else {
            // A missing folder means the path is absent.
            if transition.from == .absent { return [] }
            throw WriteRace(path: transition.path, found: .absent)
        }
        defer { close(parent) }
        if content == .folder || transition.from == .directory {
            try applyFolder(transition, content: content, in: parent, name: name)
            return created
        }
        let temporary = try makeTemporary(in: parent, content: content, shownAs: transition.path)
        do {
            try FaultInjection.point("file-before-swap", detail: transition.path.display)
            let current = try read(in: parent, name: name, shownAs: transition.path).entry
            guard current == transition.from else { throw WriteRace(path: transition.path, found: current) }
            try swap(in: parent, temporary: temporary, name: name, transition: transition, content: content)
        } catch {
            if let temporary { unlinkat(parent, temporary.cString, 0) }
            throw error
        }
        try FaultInjection.point("file-after-swap", detail: transition.path.display)
        return created
    }

    /// Makes an empty folder where nothing is, or removes an empty folder: `mkdirat` fails when
    /// anything appeared at the path, `unlinkat(AT_REMOVEDIR)` when the folder is not empty, so
    /// each is compare-and-swap by itself.
    private func applyFolder(_ transition: FileTransition, content: DiskContent, in parent: Int32, name: GitPath) throws {
        let path = transition.path
        try FaultInjection.point("file-before-swap", detail: path.display)
        switch (transition.from, content) {
        case (.absent, .folder):
            guard mkdirat(parent, name.cString, 0o777) == 0 else {
                if errno == EEXIST { throw WriteRace(path: path, found: nil) }
                throw SpurError("cannot make the folder \(path): \(Self.lastError())")
            }
        case (.directory, .absent):
            guard unlinkat(parent, name.cString, AT_REMOVEDIR) == 0 else {
                switch errno {
                case ENOTEMPTY, EEXIST: throw WriteRace(path: path, found: .directory)
                case ENOENT: throw WriteRace(path: path, found: .absent)
                case ENOTDIR: throw WriteRace(path: path, found: nil)
                default: throw SpurError("cannot remove the folder \(path): \(Self.lastError())")
                }
            }
        default:
            throw SpurError("spur does not put \(transition.to) where \(path) is \(transition.from)")
        }
        try FaultInjection.point("file-after-swap", detail: path.display)
    }

    /// Removes the folders leading to `path` that are empty, innermost first, never the root.
    func removeEmptyFolders(above path: GitPath) {
        guard var components = try? Self.components(of: path) else { return }
        components.removeLast()
        while !components.isEmpty {
            guard let parent = try? openParent(components, create: false) else { return }
            let result = unlinkat(parent, components[components.count - 1].cString, AT_REMOVEDIR)
            close(parent)
            if result != 0 { return }
            components.removeLast()
        }
    }

    /// Removes the folder `path` if it is empty.
    func removeFolderIfEmpty(_ path: GitPath) {
        guard let components = try? Self.components(of: path),
              let parent = try? openParent(components, create: false) else { return }
        unlinkat(parent, components[components.count - 1].cString, AT_REMOVEDIR)
        close(parent)
    }

    /// Deletes temporary files this tag left in the folders of `paths` (after a crash).
    func removeTemporaries(near paths: [GitPath]) {
        let prefix = Array(".spur-\(tempTag)-".utf8), suffix = Array(".tmp".utf8)
        var folders = Set<GitPath>()
        for path in paths { folders.insert(path.parentAndName.parent) }
        for folder in folders {
            let descriptor: Int32
            if folder.isEmpty {
                descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            } else {
                guard let components = try? Self.components(of: folder.appending("x")),
                      let opened = try? openParent(components, create: false) else { continue }
                descriptor = opened
            }
            guard descriptor >= 0 else { continue }
            // The listing is read through its own descriptor: closedir closes that one only.
            let listing = dup(descriptor)
            guard listing >= 0, let handle = fdopendir(listing) else {
                if listing >= 0 { close(listing) }
                close(descriptor)
                continue
            }
            let names = FolderEntries.read(handle).map(\.name)
            closedir(handle)
            for name in names where name.bytes.starts(with: prefix) && name.bytes.reversed().starts(with: suffix.reversed()) {
                unlinkat(descriptor, name.cString, 0)
            }
            close(descriptor)
        }
    }

    private func swap(in parent: Int32, temporary: GitPath?, name: GitPath, transition: FileTransition, content: DiskContent) throws {
        let path = transition.path
        switch (transition.from, temporary) {
        case (.absent, let temporary?):
            // Nothing may appear at the target in the meantime: move in without replacing.
            if let renameat2 = Renameat2.function {
                if renameat2(parent, temporary.cString, parent, name.cString, Renameat2.noReplace) == 0 { return }
                if errno == EEXIST { throw WriteRace(path: path, found: nil) }
                if !Renameat2.unsupported(errno) { throw SpurError("cannot write \(path): \(Self.lastError())") }
            }
            // linkat fails when the target exists, also for links; the temporary is removed after.
            if linkat(parent, temporary.cString, parent, name.cString, 0) == 0 { unlinkat(parent, temporary.cString, 0); return }
            if errno == EEXIST { throw WriteRace(path: path, found: nil) }
            throw SpurError("cannot write \(path): \(Self.lastError())")
        case (_, let temporary?):
            if let renameat2 = Renameat2.function {
                if renameat2(parent, temporary.cString, parent, name.cString, Renameat2.exchange) == 0 {
                    let displaced = try read(in: parent, name: temporary, shownAs: path).entry
                    if displaced != transition.from {
                        // Written to between the check and the swap: put it back.
                        _ = renameat2(parent, temporary.cString, parent, name.cString, Renameat2.exchange)
                        throw WriteRace(path: path, found: displaced)
                    }
                    unlinkat(parent, temporary.cString, 0)
                    return
                }
                if !Renameat2.unsupported(errno) { throw SpurError("cannot write \(path): \(Self.lastError())") }
            }
            guard renameat(parent, temporary.cString, parent, name.cString) == 0 else { throw SpurError("cannot write \(path): \(Self.lastError())") }
        case (_, nil):
            // Removal: move the file aside (atomic), check it, then delete it.
            let aside = temporaryName()
            guard renameat(parent, name.cString, parent, aside.cString) == 0 else {
                if errno == ENOENT { throw WriteRace(path: path, found: .absent) }
                throw SpurError("cannot remove \(path): \(Self.lastError())")
            }
            let displaced = try read(in: parent, name: aside, shownAs: path).entry
            if displaced != transition.from {
                if linkat(parent, aside.cString, parent, name.cString, 0) == 0 {
                    unlinkat(parent, aside.cString, 0)
                    throw WriteRace(path: path, found: displaced)
                }
                // Not under a temporary's name: recovery deletes those.
                let kept = GitPath(bytes: name.bytes + Array(".spur-yours-\(UInt32.random(in: 0...UInt32.max))".utf8))
                let shown = renameat(parent, aside.cString, parent, kept.cString) == 0 ? kept : aside
                throw SpurError("\(path.display) changed while spur was removing it; your version is kept as \(shown.display) in its folder")
            }
            unlinkat(parent, aside.cString, 0)
        }
    }

    /// Writes `content` to a new temporary file (or link) in `parent`; nil for `.absent`.
    private func makeTemporary(in parent: Int32, content: DiskContent, shownAs path: GitPath) throws -> GitPath? {
        switch content {
        case .absent, .folder:
            return nil
        case .symlink(let target):
            let name = temporaryName()
            let result = (target + [0]).withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { symlinkat(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), parent, name.cString) } ?? -1
            }
            guard result == 0 else { throw SpurError("cannot write link \(path): \(Self.lastError())") }
            return name
        case .file(let bytes, let permissions):
            let name = temporaryName()
            let descriptor = openat(parent, name.cString, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw SpurError("cannot write \(path): \(Self.lastError())") }
            var failure: String?
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count, let start = buffer.baseAddress {
                    let written = write(descriptor, start + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        failure = Self.lastError()
                        return
                    }
                    offset += written
                }
            }
            if failure == nil, fchmod(descriptor, mode_t(permissions)) != 0 { failure = Self.lastError() }
            if failure == nil, fsync(descriptor) != 0 { failure = Self.lastError() }
            close(descriptor)
            if let failure {
                unlinkat(parent, name.cString, 0)
                throw SpurError("cannot write \(path.display): \(failure)")
            }
            return name
        }
    }

    private func temporaryName() -> GitPath {
        GitPath(".spur-\(tempTag)-\(UInt32.random(in: 0...UInt32.max)).tmp")
    }

    // MARK: Paths

    /// Opens the folder holding the last component, one component at a time without following
    /// links. Returns nil when a folder is missing (and `create` is false) or a file is in the way
    /// of a read; throws `UnsafePath` for a link in the way.
    private func openParent(_ components: [GitPath], create: Bool) throws -> Int32? {
        var created: [GitPath] = []
        return try openParent(components, create: create, created: &created)
    }

    private func openParent(_ components: [GitPath], create: Bool, created: inout [GitPath]) throws -> Int32? {
        var current = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw SpurError("cannot open \(root): \(Self.lastError())") }
        var prefix = GitPath.root
        for component in components.dropLast() {
            prefix = prefix.appending(component)
            var next = openat(current, component.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(current, component.cString, 0o777) == 0 { created.append(prefix) }
                next = openat(current, component.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let error = errno
                close(current)
                if error == ENOENT && !create { return nil }
                if error == ELOOP || error == ENOTDIR {
                    var info = stat()
                    let whole = GitPath(bytes: Array(components.map(\.bytes).joined(separator: [0x2F])))
                    if lstat(prefix.under(root).cString, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                        throw UnsafePath(path: whole, reason: "\(prefix.display) is a symbolic link; spur does not write through links")
                    }
                    if !create { return nil }
                    throw UnsafePath(path: whole, reason: "\(prefix.display) is not a folder")
                }
                throw SpurError("cannot open \(prefix.display): \(String(cString: strerror(error)))")
            }
            close(current)
            current = next
        }
        return current
    }

    /// The components of a repository-relative path; refuses empty, `.`, `..` and `.git` parts.
    static func components(of path: GitPath) throws -> [GitPath] {
        let components = path.bytes.split(separator: 0x2F, omittingEmptySubsequences: false).map { GitPath(bytes: $0) }
        for component in components {
            let lowered = component.bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
            if component.isEmpty || component == "." || component == ".." || lowered == Array(".git".utf8) || component.bytes.contains(0) {
                throw UnsafePath(path: path, reason: "not a path spur writes inside the working tree")
            }
        }
        return components
    }

    static func readAll(_ descriptor: Int32, shownAs path: GitPath) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SpurError("cannot read \(path.display): \(lastError())")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk.prefix(count))
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// The permission bits new files get (0o666 or 0o777 without the process umask).
    static func newFilePermissions(executable: Bool) -> UInt16 {
        (executable ? 0o777 : 0o666) & ~processUmask
    }

    private static let processUmask: UInt16 = {
        let mask = umask(0o022)
        umask(mask)
        return UInt16(mask)
    }()
}
