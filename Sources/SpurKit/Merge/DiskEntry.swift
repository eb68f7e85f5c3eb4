import Foundation
import SpurGit

/// What one path of the working tree holds, as spur compares it before and after a write.
/// Files and links are identified by the blob id of their exact bytes (no filters applied).
public enum DiskEntry: Codable, Sendable, Equatable, CustomStringConvertible {
    case absent
    /// A regular file: the blob id of its bytes and its permission bits (e.g. 0o644).
    case file(blob: ObjectID, permissions: UInt16)
    /// A symbolic link: the blob id of its target.
    case symlink(blob: ObjectID)
    /// A folder.
    case directory
    /// Anything else (fifo, socket, device): never written over.
    case special

    /// The git mode this entry would be recorded with; nil for absent, folders and specials.
    public var gitMode: FileMode? {
        switch self {
        case .file(_, let permissions): permissions & 0o100 != 0 ? .executable : .blob
        case .symlink: .link
        default: nil
        }
    }

    /// The blob of a file or link.
    public var blob: ObjectID? {
        switch self {
        case .file(let blob, _), .symlink(let blob): blob
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .absent: "absent"
        case .file(let blob, let permissions): "file \(blob.short) \(String(permissions, radix: 8))"
        case .symlink(let blob): "link \(blob.short)"
        case .directory: "folder"
        case .special: "special file"
        }
    }
}

/// The content to put at a path: what a transition writes.
enum DiskContent: Equatable {
    case absent
    case file(bytes: [UInt8], permissions: UInt16)
    case symlink(target: [UInt8])
    /// An empty folder: what a merge removes where a submodule that is not checked out was,
    /// and what undo makes again.
    case folder

    /// The content `entry` describes, read back from the object database (see `MergeLog.store`).
    static func load(_ entry: DiskEntry, from repository: Repository) throws -> DiskContent {
        switch entry {
        case .absent: return .absent
        case .file(let blob, let permissions): return .file(bytes: try repository.blob(blob).bytes, permissions: permissions)
        case .symlink(let blob): return .symlink(target: try repository.blob(blob).bytes)
        case .directory: return .folder
        case .special: throw SpurError("spur never writes a special file")
        }
    }

    /// The entry this content leaves on disk.
    func entry() throws -> DiskEntry {
        switch self {
        case .absent: .absent
        case .file(let bytes, let permissions): .file(blob: try ObjectID.blobHash(of: bytes), permissions: permissions)
        case .symlink(let target): .symlink(blob: try ObjectID.blobHash(of: target))
        case .folder: .directory
        }
    }
}

/// One path going from an expected entry to a new one. Applying it is compare-and-swap: when the
/// path no longer holds `from`, nothing is written and `WriteRace` is thrown.
public struct FileTransition: Codable, Sendable, Equatable {
    /// Encoded as `GitPath.exact`: records written when paths were strings still read.
    public let path: GitPath
    public let from: DiskEntry
    public let to: DiskEntry

    /// The same path going back.
    var reversed: FileTransition { FileTransition(path: path, from: to, to: from) }
}

/// Thrown when a path changed between the moment spur read it and the moment it would replace it.
struct WriteRace: Error, CustomStringConvertible {
    let path: GitPath
    let found: DiskEntry?
    var description: String { "\(path) changed while spur was writing it" }
}

/// Thrown when a path cannot be written safely: it goes through a symbolic link or a file, or
/// names something inside `.git`.
struct UnsafePath: Error, CustomStringConvertible {
    let path: GitPath
    let reason: String
    var description: String { "\(path): \(reason)" }
}
