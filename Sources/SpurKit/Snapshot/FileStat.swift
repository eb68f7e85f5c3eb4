import Foundation
import SpurGit
import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

/// What `lstat` says about one path, reduced to what overlap detection compares.
struct FileStat: Sendable, Equatable {
    enum Kind: Sendable { case file, symlink, directory, other }
    let kind: Kind
    /// Any execute bit set (git records only the owner's, but libgit2 and git test this way).
    let executable: Bool
    let size: Int64
    let ctimeSeconds: Int
    let ctimeNanoseconds: Int
    let mtimeSeconds: Int
    let mtimeNanoseconds: Int
    let inode: UInt64
    let device: UInt64
    /// How many names the file has (hard links).
    let links: UInt64

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFLNK: kind = .symlink
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        executable = info.st_mode & 0o100 != 0
        size = Int64(info.st_size)
        ctimeSeconds = Int(info.st_ctim.tv_sec)
        ctimeNanoseconds = Int(info.st_ctim.tv_nsec)
        mtimeSeconds = Int(info.st_mtim.tv_sec)
        mtimeNanoseconds = Int(info.st_mtim.tv_nsec)
        inode = UInt64(info.st_ino)
        device = UInt64(info.st_dev)
        links = UInt64(info.st_nlink)
    }

    /// The mode a snapshot records for this file: a link, or the execute bit when
    /// `core.fileMode` is trusted; otherwise the file mode git knew before (`known`), or a
    /// plain file.
    func gitMode(trustFileMode: Bool, known: FileMode?) -> FileMode {
        if kind == .symlink { return .link }
        if trustFileMode { return executable ? .executable : .blob }
        return known.flatMap { $0.isFile ? $0 : nil } ?? .blob
    }

    /// The path's own data (a symlink is not followed); nil when nothing is there.
    static func of(_ path: String) -> FileStat? {
        PlainFile.linkStatus(path).map(FileStat.init)
    }

    /// The same for a path as bytes.
    static func of(_ path: GitPath) -> FileStat? {
        PlainFile.linkStatus(path.bytes).map(FileStat.init)
    }

    /// `name` (bytes) inside the open folder `directory` (a symlink is not followed).
    static func of(_ name: GitPath, in directory: Int32) -> FileStat? {
        var info = stat()
        return name.withCString { fstatat(directory, $0, &info, AT_SYMLINK_NOFOLLOW) } == 0 ? FileStat(info) : nil
    }

    /// `name` inside the open folder `directory` (a symlink is not followed).
    static func of(_ name: String, in directory: Int32) -> FileStat? {
        var info = stat()
        return fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? FileStat(info) : nil
    }
}

/// Whole files and link targets named by bytes (Foundation's path APIs take text, which a name
/// that is not UTF-8 cannot be).
enum FileBytes {
    /// The target of the symbolic link at `path`, or nil when it is none.
    static func linkTarget(_ path: GitPath) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let cPath = path.cString
        let count = buffer.withUnsafeMutableBytes { raw -> Int in
            guard let start = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return -1 }
            return readlink(cPath, start, raw.count)
        }
        return count >= 0 ? Array(buffer.prefix(count)) : nil
    }

    /// The bytes of the regular file at `path` (following a link), or nil when it cannot be read.
    static func contents(_ path: GitPath) -> [UInt8]? {
        let descriptor = open(path.cString, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return try? WorkingTreeFiles.readAll(descriptor, shownAs: path)
    }
}

/// A moment as file timestamps record it.
struct FileTime: Sendable, Comparable, Codable {
    let seconds: Int
    let nanoseconds: Int
    static func < (a: FileTime, b: FileTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }
}
