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
        func nanoseconds(_ time: timespec) -> String { "\(time.tv_sec).\(String(format: "%09ld", time.tv_nsec))" }
        return FileFingerprint(text: "dev \(info.st_dev) ino \(info.st_ino) size \(info.st_size) mtime \(nanoseconds(info.st_mtim)) "
            + "ctime \(nanoseconds(info.st_ctim)) mode \(String(info.st_mode, radix: 8))")
    }
}

/// The files a Bash command might touch that live lanes changed, fingerprinted before the
/// command ran (PreToolUse), for the PostToolUse of the same call to compare with.
struct BashWriteRecord: Codable {
    /// The working tree watched (absolute, canonical): where the paths are.
    var root: String
    var session: String
    var toolUseID: String
    var files: [Watched]

    struct Watched: Codable {
        /// Relative to `root` (JSON: `GitPath.exact`).
        var path: GitPath
        /// The lanes that changed it, sorted.
        var lanes: [String]
        /// Its fingerprint before the command; nil: it was absent.
        var before: String?
    }

    /// How long a record whose PostToolUse never came (the command failed, the session was
    /// killed) is kept before the next PreToolUse removes it.
    static let leftoverLifetime: TimeInterval = 24 * 60 * 60

    /// `<common git dir>/spur/bash`.
    static func folder(_ workspace: Workspace) -> String { workspace.stateDir + "/bash" }

    /// `<folder>/<session>-<tool use id>.json`, each part made safe as a file name.
    static func file(session: String, toolUseID: String, in workspace: Workspace) -> String {
        folder(workspace) + "/" + safeName(session) + "-" + safeName(toolUseID) + ".json"
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: path, sync: false)
    }

    /// Reads and removes the record at `path`: nil when there is none.
    static func take(from path: String) throws -> BashWriteRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        unlink(path)
        do {
            return try JSONDecoder().decode(BashWriteRecord.self, from: data)
        } catch {
            throw SpurError("the record of the files this Bash call might touch (\(path)) cannot be read")
        }
    }

    /// Removes records older than `leftoverLifetime`.
    static func prune(_ workspace: Workspace, now: Date) {
        let folder = folder(workspace)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasSuffix(".json") {
            let path = folder + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > leftoverLifetime else { continue }
            unlink(path)
        }
    }
}
