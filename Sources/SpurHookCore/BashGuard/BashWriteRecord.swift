#if canImport(Glibc)
import Glibc
#endif

/// The files a Bash command might touch that live lanes changed, fingerprinted before the
/// command ran (PreToolUse), for the PostToolUse of the same call to compare with.
///
/// On disk, `<common git dir>/spur/bash/<session>-<tool use id>`: fields ended by NUL (paths
/// are bytes): a version line, the root, the session, the tool use id, then per file its path,
/// its lanes (one per line) and its fingerprint ("" when absent).
public struct BashWriteRecord: Sendable {
    /// The working tree watched (absolute, canonical): where the paths are.
    public var root: String
    public var session: String
    public var toolUseID: String
    public var files: [Watched]

    public init(root: String, session: String, toolUseID: String, files: [Watched]) {
        self.root = root
        self.session = session
        self.toolUseID = toolUseID
        self.files = files
    }

    public struct Watched: Sendable {
        /// Relative to `root`, as bytes.
        public var path: [UInt8]
        /// The lanes that changed it, sorted.
        public var lanes: [String]
        /// Its fingerprint before the command; nil: it was absent.
        public var before: String?

        public init(path: [UInt8], lanes: [String], before: String?) {
            self.path = path
            self.lanes = lanes
            self.before = before
        }

        /// True when the file is no longer as it was before the command.
        public func changed(under root: String) -> Bool {
            FileFingerprint.of(path: PlainFile.path(path, under: root))?.text != before
        }
    }

    static let formatLine = "spur bash record 1"

    /// The record of files watched under `root`, each fingerprinted now.
    public static func fingerprinting(_ lanesByPath: [(path: [UInt8], lanes: [String])], root: String, session: String,
                                      toolUseID: String) -> BashWriteRecord {
        let files = lanesByPath.map { entry in
            Watched(path: entry.path, lanes: entry.lanes, before: FileFingerprint.of(path: PlainFile.path(entry.path, under: root))?.text)
        }
        return BashWriteRecord(root: root, session: session, toolUseID: toolUseID, files: files)
    }

    public func encoded() -> [UInt8] {
        var writer = FieldWriter()
        for text in [Self.formatLine, root, session, toolUseID] { writer.text(text) }
        for file in files {
            writer.bytes(file.path)
            writer.text(file.lanes.joined(separator: "\n"))
            writer.text(file.before ?? "")
        }
        return writer.output
    }

    /// The record in `bytes`; nil when it is not one, whole.
    public static func decoded(_ bytes: [UInt8]) -> BashWriteRecord? {
        var reader = FieldReader(bytes)
        guard reader.text() == formatLine, let root = reader.text(), let session = reader.text(),
              let toolUseID = reader.text() else { return nil }
        var record = BashWriteRecord(root: root, session: session, toolUseID: toolUseID, files: [])
        while !reader.atEnd {
            guard let path = reader.bytes(), let lanes = reader.text(), let before = reader.text() else { return nil }
            record.files.append(Watched(path: path, lanes: lanes.split(separator: "\n").map(String.init),
                                        before: before.isEmpty ? nil : before))
        }
        return record
    }

    // MARK: - Files

    /// How long a record whose PostToolUse never came (the session was killed) is kept before
    /// a later PreToolUse removes it, in seconds.
    public static let leftoverLifetime = 24 * 60 * 60

    /// `<folder>/<session>-<tool use id>`, each part made safe as a file name.
    public static func file(session: String, toolUseID: String, in layout: StateLayout) -> String {
        layout.bashRecordsFolder + "/" + safeName(session) + "-" + safeName(toolUseID)
    }

    /// ASCII letters, digits, `.`, `_` and `-` are kept, any other byte becomes `_`; at most
    /// 100 bytes; never `.` or `..`.
    public static func safeName(_ text: String) -> String {
        let kept = text.utf8.prefix(100).map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): return byte
            default: return UInt8(ascii: "_")
            }
        }
        let name = String(decoding: kept, as: UTF8.self)
        return name.isEmpty || name.utf8.allSatisfy({ $0 == UInt8(ascii: ".") }) ? "_" + name : name
    }

    /// Writes the record at `path` atomically, making its folder (one level) if needed.
    /// False when it could not be written.
    public func save(at path: String) -> Bool {
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
            let folder = String(decoding: path.utf8[..<slash], as: UTF8.self)
            if mkdir(folder, 0o777) != 0 && errno != EEXIST { return false }
        }
        return PlainFile.writeAtomically(encoded(), to: path)
    }

    /// Removes the records in `folder` older than `leftoverLifetime` at `now` (seconds since 1970).
    public static func prune(_ layout: StateLayout, now: Int) {
        let folder = layout.bashRecordsFolder
        guard let names = PlainFile.names(in: folder) else { return }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            guard let info = PlainFile.linkStatus(path), now - Int(info.st_mtim.tv_sec) > leftoverLifetime else { continue }
            unlink(path)
        }
    }
}
