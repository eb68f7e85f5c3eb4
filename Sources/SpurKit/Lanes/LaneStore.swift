import CSystem
import Foundation
import SpurHookCore

/// A lane record that cannot be read: spur shows the lane as damaged, leaves it out of
/// everything else, and `discard --force` removes it by its name alone.
public struct DamagedLaneRecord: Error, Sendable, Equatable, Encodable {
    public let name: String
    /// What is wrong, e.g. "its record /repo/.git/spur/lanes/x.json is damaged (it is empty)".
    public let reason: String

    /// The line `list` and `status` show for it.
    public var problem: String { "\(reason); 'spur discard --force \(name)' removes the lane" }

    enum CodingKeys: String, CodingKey { case name, state, branch, problem }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode("damaged", forKey: .state)
        try container.encode("spur/" + name, forKey: .branch)
        try container.encode(problem, forKey: .problem)
    }
}

/// Reads and writes lane records in `<common git dir>/spur/lanes/`.
///
/// Readers never lock: every record is replaced by an atomic rename, so a reader sees the old or
/// the new file whole. Writers that read-modify-write hold the repository-wide spur lock.
public struct LaneStore: Sendable {
    let layout: StateLayout
    public var directory: String { layout.lanesFolder }
    var lockPath: String { layout.stateDir + "/lock" }

    public init(workspace: Workspace) {
        layout = workspace.layout
    }

    public func path(of name: String) -> String { layout.laneRecord(name) }

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
    /// have (so no name reaches outside the lanes folder). A record that cannot be read, or
    /// that names another lane, is an error naming the record and the way out.
    public func load(_ name: String) throws -> Lane? {
        _ = try LaneName(name)
        guard let data = FileManager.default.contents(atPath: path(of: name)) else { return nil }
        switch Self.decode(data, name: name, file: path(of: name)) {
        case .success(let lane): return lane
        case .failure(let damaged): throw SpurError("lane '\(name)' cannot be read: \(damaged.problem)")
        }
    }

    /// The lane called `name`, or a usage error naming it.
    public func require(_ name: String) throws -> Lane {
        guard let lane = try load(name) else { throw SpurError.usage("no lane named '\(name)' (see 'spur list')") }
        return lane
    }

    /// Every lane whose record can be read, oldest first. A damaged record is left out (so one
    /// bad file does not stop the others being listed, waited for or checked); `damaged()` names it.
    public func all() throws -> [Lane] {
        records().lanes
    }

    /// The records that cannot be read as lanes, by name.
    public func damaged() -> [DamagedLaneRecord] {
        records().damaged
    }

    /// The record of lane `name` when it exists but cannot be read as that lane.
    public func damagedRecord(_ name: String) -> DamagedLaneRecord? {
        guard LaneName.problem(with: name) == nil, let data = FileManager.default.contents(atPath: path(of: name)),
              case .failure(let damaged) = Self.decode(data, name: name, file: path(of: name)) else { return nil }
        return damaged
    }

    /// Every record in the lanes folder: the lanes, oldest first, and the damaged ones by name.
    /// Files whose name no lane can have are not lane records and are passed over.
    public func records() -> (lanes: [Lane], damaged: [DamagedLaneRecord]) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var lanes: [Lane] = []
        var damaged: [DamagedLaneRecord] = []
        for file in files where file.hasSuffix(".json") {
            let name = String(file.dropLast(5))
            guard LaneName.problem(with: name) == nil else { continue }
            // A record removed since the folder was listed is simply gone.
            guard let data = FileManager.default.contents(atPath: path(of: name)) else { continue }
            switch Self.decode(data, name: name, file: path(of: name)) {
            case .success(let lane): lanes.append(lane)
            case .failure(let problem): damaged.append(problem)
            }
        }
        return (lanes.sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }, damaged.sorted { $0.name < $1.name })
    }

    /// A record's lane, or what is wrong with it: not JSON, a field missing or of the wrong
    /// type, or the name of another lane (a record only ever speaks for its own file name).
    static func decode(_ data: Data, name: String, file: String) -> Result<Lane, DamagedLaneRecord> {
        let lane: Lane
        do {
            lane = try decoder.decode(Lane.self, from: data)
        } catch {
            return .failure(DamagedLaneRecord(name: name, reason: "its record \(file) is damaged (\(describe(error, empty: data.isEmpty)))"))
        }
        guard lane.name == name else {
            return .failure(DamagedLaneRecord(name: name, reason: "its record \(file) names another lane ('\(lane.name.escapingControlCharacters)')"))
        }
        return .success(lane)
    }

    /// A decoding error in a few words (JSONDecoder's own text spans lines and nests errors).
    static func describe(_ error: Error, empty: Bool) -> String {
        if empty { return "it is empty" }
        func field(_ path: [CodingKey], _ key: CodingKey? = nil) -> String {
            (path + (key.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "field '\(field(context.codingPath, key))' is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "field '\(field(context.codingPath))' has the wrong type"
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "not valid JSON" : "field '\(field(context.codingPath))' is not valid"
        default: return "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
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
    /// no spawn is running, so every intent belongs to a process that died. A file that is not
    /// an intent spur wrote (unreadable, or naming another lane or no valid one) is removed,
    /// never acted on.
    func leftoverIntents() -> [SpawnIntent] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: intentDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { file in
            let path = intentDirectory + "/" + file
            guard let intent = FileManager.default.contents(atPath: path)
                    .flatMap({ try? LaneStore.decoder.decode(SpawnIntent.self, from: $0) }),
                  LaneName.problem(with: intent.name) == nil, file == intent.name + ".json" else {
                try? FileManager.default.removeItem(atPath: path)
                return nil
            }
            return intent
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
