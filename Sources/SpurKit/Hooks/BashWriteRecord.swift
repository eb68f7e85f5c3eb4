import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// What one file looked like before a Bash command: device, inode, size, modification and
/// change times in nanoseconds and mode, as `lstat` gives them (a link is not followed). Any
/// write, rename onto it, removal, creation, `chmod` or `touch` changes at least one of them.
struct FileFingerprint: Equatable {
    let text: String

    /// The fingerprint of `path` now; nil when nothing is there.
    static func of(_ path: GitPath) -> FileFingerprint? {
        var info = stat()
        guard path.withCString({ lstat($0, &info) }) == 0 else { return nil }
        // dev:ino:size:mtime s:ns:ctime s:ns:mode, in decimal (cheap to make; compared, never parsed).
        return FileFingerprint(text: "\(Int64(bitPattern: UInt64(info.st_dev))):\(Int64(bitPattern: UInt64(info.st_ino))):"
            + "\(info.st_size):\(info.st_mtim.tv_sec):\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec):\(info.st_ctim.tv_nsec):\(info.st_mode)")
    }
}

/// The files a Bash command might touch that live lanes changed, fingerprinted before the
/// command ran (PreToolUse), for the PostToolUse of the same call to compare with.
///
/// On disk: fields ended by NUL (paths are bytes): a version line, the root, the session, the
/// tool use id, then per file its path, its lanes (one per line) and its fingerprint ("" when absent).
struct BashWriteRecord {
    /// The working tree watched (absolute, canonical): where the paths are.
    var root: String
    var session: String
    var toolUseID: String
    var files: [Watched]

    struct Watched {
        /// Relative to `root`.
        var path: GitPath
        /// The lanes that changed it, sorted.
        var lanes: [String]
        /// Its fingerprint before the command; nil: it was absent.
        var before: String?
    }

    static let formatLine = "spur bash record 1"

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        func field(_ text: some Collection<UInt8>) { bytes.append(contentsOf: text); bytes.append(0) }
        for text in [Self.formatLine, root, session, toolUseID] { field(text.utf8) }
        for file in files {
            field(file.path.bytes)
            field(file.lanes.joined(separator: "\n").utf8)
            field((file.before ?? "").utf8)
        }
        return bytes
    }

    static func decoded(_ data: Data) -> BashWriteRecord? {
        var fields = data.split(separator: 0, omittingEmptySubsequences: false).map { [UInt8]($0) }
        guard fields.last?.isEmpty == true else { return nil }
        fields.removeLast()
        guard fields.count >= 4, (fields.count - 4) % 3 == 0, String(decoding: fields[0], as: UTF8.self) == formatLine else { return nil }
        let text = { (index: Int) in String(decoding: fields[index], as: UTF8.self) }
        var record = BashWriteRecord(root: text(1), session: text(2), toolUseID: text(3), files: [])
        for start in stride(from: 4, to: fields.count, by: 3) {
            let lanes = text(start + 1).split(separator: "\n").map(String.init)
            let before = text(start + 2)
            record.files.append(Watched(path: GitPath(bytes: fields[start]), lanes: lanes, before: before.isEmpty ? nil : before))
        }
        return record
    }

    /// How long a record whose PostToolUse never came (the command failed, the session was
    /// killed) is kept before the next PreToolUse removes it.
    static let leftoverLifetime: TimeInterval = 24 * 60 * 60

    /// `<common git dir>/spur/bash`.
    static func folder(_ workspace: Workspace) -> String { workspace.stateDir + "/bash" }

    /// `<folder>/<session>-<tool use id>`, each part made safe as a file name.
    static func file(session: String, toolUseID: String, in workspace: Workspace) -> String {
        folder(workspace) + "/" + safeName(session) + "-" + safeName(toolUseID)
    }

    /// Letters, digits, `.`, `_` and `-` are kept, anything else becomes `_`; at most 100 bytes;
    /// never `.` or `..`.
    static func safeName(_ text: String) -> String {
        let kept = text.utf8.prefix(100).map { byte -> Character in
            let scalar = Unicode.Scalar(byte)
            return scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }
        let name = String(kept)
        return name.isEmpty || name.allSatisfy({ $0 == "." }) ? "_" + name : name
    }

    func write(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(Data(encoded()), to: path, sync: false)
    }

    /// Reads and removes the record at `path`: nil when there is none.
    static func take(from path: String) throws -> BashWriteRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        unlink(path)
        guard let record = decoded(data) else {
            throw SpurError("the record of the files this Bash call might touch (\(path)) cannot be read")
        }
        return record
    }

    /// Removes records older than `leftoverLifetime`.
    static func prune(_ workspace: Workspace, now: Date) {
        let folder = folder(workspace)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            // lstat, not FileManager's attributes: those look the owner's name up (passwd, group).
            guard let stat = FileStat.of(path),
                  now.timeIntervalSince1970 - Double(stat.mtimeSeconds) - Double(stat.mtimeNanoseconds) / 1e9 > leftoverLifetime
            else { continue }
            unlink(path)
        }
    }
}
