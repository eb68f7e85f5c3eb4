import CSystem
import Foundation

/// Reads and writes lane records in `<common git dir>/spur/lanes/`.
///
/// Readers never lock: every record is replaced by an atomic rename, so a reader sees the old or
/// the new file whole. Writers that read-modify-write hold the repository-wide spur lock.
public struct LaneStore: Sendable {
    public let directory: String
    let lockPath: String

    public init(workspace: Workspace) {
        directory = workspace.stateDir + "/lanes"
        lockPath = workspace.stateDir + "/lock"
    }

    public func path(of name: String) -> String { directory + "/\(name).json" }

    /// The inotify events on `directory` that mean a lane record was written or removed.
    static let recordEvents = UInt32(SPUR_IN_MOVED_TO | SPUR_IN_CLOSE_WRITE | SPUR_IN_DELETE)

    /// Runs `body` holding the repository-wide spur lock (flock: blocks in the kernel, released
    /// automatically if the process dies).
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try FileLock(path: lockPath)
        defer { lock.unlock() }
        return try body()
    }

    /// The lane called `name`, nil when there is none; a usage error for a name no lane can
    /// have (so no name reaches outside the lanes folder).
    public func load(_ name: String) throws -> Lane? {
        _ = try LaneName(name)
        guard let data = FileManager.default.contents(atPath: path(of: name)) else { return nil }
        do {
            return try LaneStore.decoder.decode(Lane.self, from: data)
        } catch {
            throw SpurError("lane record \(path(of: name)) is damaged: \(error)")
        }
    }

    /// The lane called `name`, or a usage error naming it.
    public func require(_ name: String) throws -> Lane {
        guard let lane = try load(name) else { throw SpurError.usage("no lane named '\(name)' (see 'spur list')") }
        return lane
    }

    /// Every lane, oldest first.
    public func all() throws -> [Lane] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { try load(String($0.dropLast(5))) }
            .sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
    }

    /// Replaces the lane's record atomically (temp file, fsync, rename).
    public func save(_ lane: Lane) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = try LaneStore.encoder.encode(lane)
        try AtomicFile.write(data, to: path(of: lane.name))
    }

    /// Loads, changes and saves one lane under the lock.
    @discardableResult
    public func update(_ name: String, _ change: (inout Lane) throws -> Void) throws -> Lane {
        try withLock {
            var lane = try require(name)
            try change(&lane)
            try save(lane)
            return lane
        }
    }

    /// What a spawn in progress is about to create, written before its first ref so that a spawn
    /// killed halfway can be undone by the next one (see `Lanes.undoInterruptedSpawns`).
    struct SpawnIntent: Codable {
        var name: String
        var base: String
        var worktree: String
    }

    var intentDirectory: String { directory + "/.spawning" }

    func saveIntent(_ intent: SpawnIntent) throws {
        try FileManager.default.createDirectory(atPath: intentDirectory, withIntermediateDirectories: true)
        try AtomicFile.write(try LaneStore.encoder.encode(intent), to: intentDirectory + "/\(intent.name).json")
    }

    /// Intents left by spawns that did not finish. Only meaningful while holding the lock: then
    /// no spawn is running, so every intent belongs to a process that died.
    func leftoverIntents() -> [SpawnIntent] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: intentDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { file in
            FileManager.default.contents(atPath: intentDirectory + "/" + file)
                .flatMap { try? LaneStore.decoder.decode(SpawnIntent.self, from: $0) }
        }
    }

    func removeIntent(_ name: String) throws {
        let file = intentDirectory + "/\(name).json"
        if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
    }

    public func remove(_ name: String) throws {
        let file = path(of: name)
        if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
