import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// A merge as recorded before its first write: enough to finish it after a crash or to take
/// it back. Kept as `<common git dir>/spur/merges/<id>.json`; the contents it refers to live in
/// commits kept alive by `refs/spur/merges/<id>/before` and `…/after`.
public struct MergeRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Recorded; files are being written (or the writer died: an interrupted merge).
        case writing
        case applied
        /// `spur undo` is restoring files (or died doing so).
        case undoing
        case undone
    }

    public let id: Int
    public let lane: String
    /// The lane's state before the merge; undo puts it back.
    public let laneStateBefore: LaneState
    /// Snapshot commit of your working tree the merge started from.
    public let ours: ObjectID
    /// Commit of the merged tree (parents: `ours` and the lane's head).
    public let result: ObjectID
    /// Commit whose tree holds the exact bytes of the written paths before the merge (parent: `ours`).
    public let before: ObjectID
    /// Commit whose tree holds the bytes the merge writes (parent: `result`).
    public let after: ObjectID
    /// Each written path with its exact state before and after.
    public let transitions: [FileTransition]
    /// Folders the merge creates; undo removes them again when empty.
    public let createdFolders: [GitPath]
    /// Conflicting paths left as they were (with --markers, --ours or --theirs).
    public let unresolved: [GitPath]
    public var status: Status
    public let createdAt: Date
    public var finishedAt: Date?
    /// After `undo --force`: a commit holding the versions undo replaced.
    public var displaced: ObjectID?
    /// The working tree the merge wrote into; nil (records made before spur recorded it)
    /// means the main working tree.
    public var workingTree: WorkingTree? = nil
    /// True when only part of the lane was merged (paths, or --skip-conflicts): finishing
    /// leaves the lane unmerged. nil in older records.
    public var partial: Bool? = nil

    public var paths: [GitPath] { transitions.map(\.path) }
    var temporaryTag: String { "merge-\(id)" }
}

/// The merge records of a repository, the marker of a merge in progress, and the merge lock.
public struct MergeLog: Sendable {
    public let directory: String
    let pendingPath: String
    let lockPath: String

    public init(workspace: Workspace) {
        directory = workspace.stateDir + "/merges"
        pendingPath = workspace.stateDir + "/merges/pending"
        lockPath = workspace.stateDir + "/merge.lock"
    }

    public static func beforeRef(_ id: Int) -> String { "refs/spur/merges/\(id)/before" }
    public static func afterRef(_ id: Int) -> String { "refs/spur/merges/\(id)/after" }
    public static func displacedRef(_ id: Int) -> String { "refs/spur/merges/\(id)/displaced" }

    func path(of id: Int) -> String { directory + "/" + String(format: "%06d", id) + ".json" }

    /// Every record, oldest first.
    public func all() throws -> [MergeRecord] {
        try ids().compactMap { try load($0) }
    }

    /// The ids of all records, ascending (read from the file names only).
    func ids() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in name.hasSuffix(".json") ? Int(name.dropLast(5)) : nil }.sorted()
    }

    /// The newest record that is not undone yet.
    func latestUndoable() throws -> MergeRecord? {
        for id in ids().reversed() {
            if let record = try load(id), record.status != .undone { return record }
        }
        return nil
    }

    public func load(_ id: Int) throws -> MergeRecord? {
        guard let data = FileManager.default.contents(atPath: path(of: id)) else { return nil }
        do { return try LaneStore.decoder.decode(MergeRecord.self, from: data) } catch {
            throw SpurError("merge record \(path(of: id)) is damaged: \(error)")
        }
    }

    /// Replaces the record atomically. Durability of its folder entry comes with `setPending`,
    /// which writes into the same folder and syncs it.
    func save(_ record: MergeRecord) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(try LaneStore.encoder.encode(record), to: path(of: record.id))
    }

    func nextID() -> Int { (ids().last ?? 0) + 1 }

    /// The record of the merge or undo that is under way or was interrupted, if any.
    public func pending() throws -> MergeRecord? {
        guard let text = try? String(contentsOfFile: pendingPath, encoding: .utf8),
              let id = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return try load(id)
    }

    func setPending(_ id: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data("\(id)\n".utf8), to: pendingPath)
        Self.syncFolder(directory)
    }

    func clearPending() { unlink(pendingPath) }

    /// Forgets a merge that wrote nothing in the end (its attempt was rolled back).
    func discard(_ record: MergeRecord, in repository: Repository) throws {
        clearPending()
        unlink(path(of: record.id))
        for ref in [Self.beforeRef(record.id), Self.afterRef(record.id)] {
            try SpurReferences.write(ref, in: repository) { try repository.deleteReference(ref) }
        }
    }

    /// Writes `entries`' bytes as blobs and a commit whose tree holds them, and returns it.
    /// Absent entries are left out of the tree.
    static func store(_ entries: [(path: GitPath, entry: DiskEntry, bytes: [UInt8]?)], parents: [ObjectID],
                      message: String, in repository: Repository) throws -> ObjectID {
        let index = try Index.inMemory()
        for (path, entry, bytes) in entries {
            guard let mode = entry.gitMode, let blob = entry.blob else { continue }
            guard let bytes, try repository.writeBlob(bytes) == blob else {
                throw SpurError("the content of \(path) changed while spur recorded it")
            }
            try index.add(path: path, id: blob, mode: mode)
        }
        return try repository.createCommit(tree: index.writeTree(to: repository), parents: parents, message: message)
    }

    /// fsync on a folder, so a rename into it survives a power cut.
    static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    // MARK: Lock

    /// Runs `body` holding the repository's merge lock (one merge or undo at a time). When
    /// another process holds it, calls `onWait` once and blocks in the kernel until it is free.
    public func withLock<T>(onWait: () -> Void = {}, _ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SpurError("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else { throw SpurError("cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
            onWait()
            while flock(descriptor, LOCK_EX) != 0 {
                if errno != EINTR { throw SpurError("cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// True when a live process holds the merge lock.
    func isLocked() -> Bool {
        let descriptor = open(lockPath, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
