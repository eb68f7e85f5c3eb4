import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// The Bash guard's stat cache, as jj keeps one for its working copy: the files the live lanes
/// of one working tree changed (`LaneChangedPaths`), with a stamp of every file that list was
/// read from. PreToolUse runs before every Bash call; while no lane record or journal file
/// changed, every lane's worktree is there or not as it was, each journal's watcher still runs
/// and no journaled path became a folder, the list is the one computed before, and it is taken
/// from here without decoding records and journals or opening the repository.
///
/// A stamp is the file's `FileFingerprint` (what `lstat` says: device, inode, size, mtime and
/// ctime in ns, mode), taken before the file is read. A list read from a file changed less than `settle` before it was
/// stamped is not kept: a further change in the same clock tick could leave the same stamp (as
/// git's racily clean index entries), so a busy lane is simply looked at anew each time. A lane
/// whose changes needed a look at its worktree (a scan, or a journal naming folders), a damaged
/// record or `SPUR_JOURNAL=off` make no cache either.
///
/// On disk, `<common git dir>/spur/cache/bash-watched`: fields ended by NUL (paths are bytes),
/// counts in decimal.
struct WatchedPathsCache {
    /// The working tree watched (canonical).
    var root: String
    /// Each input file's path and stamp ("" when absent), in the order `stampInputs` gives them.
    var inputs: [Stamped]
    /// Every lane with a record, live or not.
    var lanes: [CachedLane]
    /// Repository-relative path → the lanes that changed it, sorted.
    var lanesByPath: [GitPath: [String]]

    struct Stamped: Equatable {
        var path: String
        var stamp: String
    }

    struct CachedLane {
        var name: String
        var worktree: String
        /// Whether its worktree was a folder (a live lane's, or any lane's for the guard's own checks).
        var worktreePresent: Bool
        /// For a lane whose changes came from its journal: the watcher and the journaled paths.
        var watcher: ProcessIdentity?
        var journaled: [GitPath]

        init(name: String, worktree: String, worktreePresent: Bool, watcher: ProcessIdentity?, journaled: [GitPath]) {
            self.name = name
            self.worktree = worktree
            self.worktreePresent = worktreePresent
            self.watcher = watcher
            self.journaled = journaled
        }

        /// `lane` as it is now, with no journal.
        init(_ lane: Lane) {
            self.init(name: lane.name, worktree: lane.worktree, worktreePresent: FileManager.default.isDirectory(lane.worktree),
                      watcher: nil, journaled: [])
        }
    }

    static let formatLine = "spur bash watched 1"
    /// How old every input must be, when stamped, for the list read from it to be kept.
    static let settle: TimeInterval = 1

    static func file(_ workspace: Workspace) -> String { workspace.stateDir + "/cache/bash-watched" }

    // MARK: - Inputs

    /// Every file the lane list and the lanes' changes are read from: each record in the lanes
    /// folder and, per record, its journal's state and paths.
    static func stampInputs(_ workspace: Workspace) -> [Stamped] {
        let store = LaneStore(workspace: workspace)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []).sorted()
        var stamped = [Stamped(path: store.directory, stamp: stamp(store.directory))]
        for file in files where file.hasSuffix(".json") {
            let name = String(file.dropLast(5))
            let journal = ChangeJournal(lane: name, workspace: workspace)
            for path in [store.path(of: name), journal.stateFile, journal.pathsFile] {
                stamped.append(Stamped(path: path, stamp: stamp(path)))
            }
        }
        return stamped
    }

    /// The file's `FileFingerprint`, "" when nothing is there.
    static func stamp(_ path: String) -> String {
        FileFingerprint.of(GitPath(path))?.text ?? ""
    }

    /// True when a file of `inputs` changed less than `settle` before `stampedAt`.
    static func anyUnsettled(_ inputs: [Stamped], stampedAt: FileTime) -> Bool {
        let limit = Double(stampedAt.seconds) + Double(stampedAt.nanoseconds) / 1e9 - settle
        return inputs.contains { input in
            guard let info = FileStat.of(input.path) else { return false }
            let modified = Double(info.mtimeSeconds) + Double(info.mtimeNanoseconds) / 1e9
            let changed = Double(info.ctimeSeconds) + Double(info.ctimeNanoseconds) / 1e9
            return max(modified, changed) > limit
        }
    }

    // MARK: - Use

    /// The cached list for `root` when it still holds: same inputs, each lane's worktree there or
    /// not as before, journals' watchers running, no journaled path a folder now.
    func holds(root: String, inputs current: [Stamped]) -> Bool {
        guard root == self.root, current == inputs else { return false }
        for lane in lanes {
            guard FileManager.default.isDirectory(lane.worktree) == lane.worktreePresent else { return false }
            guard let watcher = lane.watcher else { continue }
            guard watcher.isAlive, !lane.journaled.contains(where: { LaneChangedPaths.isFolder($0, inWorktree: lane.worktree) }) else {
                return false
            }
        }
        return true
    }

    /// The cache to keep for a list just computed, or nil when it cannot be kept.
    static func made(root: String, inputs: [Stamped], stampedAt: FileTime, lanes: [Lane], changed: LaneChangedPaths) -> WatchedPathsCache? {
        guard changed.unreadable.isEmpty, !anyUnsettled(inputs, stampedAt: stampedAt) else { return nil }
        var cached: [CachedLane] = []
        for lane in lanes {
            var entry = CachedLane(lane)
            switch changed.sources[lane.name] {
            case .scan?: return nil
            case .journal(let watcher, let paths)?:
                entry.watcher = watcher
                entry.journaled = paths
            case .fixed?, nil: break
            }
            cached.append(entry)
        }
        return WatchedPathsCache(root: root, inputs: inputs, lanes: cached, lanesByPath: changed.lanesByPath)
    }

    // MARK: - On disk

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        func field(_ text: some Collection<UInt8>) { bytes.append(contentsOf: text); bytes.append(0) }
        func field(_ text: String) { field(text.utf8) }
        field(Self.formatLine)
        field(root)
        field(String(inputs.count))
        for input in inputs { field(input.path); field(input.stamp) }
        field(String(lanes.count))
        for lane in lanes {
            field(lane.name)
            field(lane.worktree)
            field(lane.worktreePresent ? "1" : "0")
            field(lane.watcher.map { "\($0.pid):\($0.startTicks)" } ?? "")
            field(String(lane.journaled.count))
            for path in lane.journaled { field(path.bytes) }
        }
        field(String(lanesByPath.count))
        for (path, names) in lanesByPath.sorted(by: { $0.key < $1.key }) {
            field(path.bytes)
            field(names.joined(separator: "\n"))
        }
        return bytes
    }

    static func decoded(_ data: Data) -> WatchedPathsCache? {
        var reader = FieldReader(data: data)
        guard reader.text() == formatLine, let root = reader.text(), let inputCount = reader.count() else { return nil }
        var inputs: [Stamped] = []
        for _ in 0..<inputCount {
            guard let path = reader.text(), let stamp = reader.text() else { return nil }
            inputs.append(Stamped(path: path, stamp: stamp))
        }
        guard let laneCount = reader.count() else { return nil }
        var lanes: [CachedLane] = []
        for _ in 0..<laneCount {
            guard let name = reader.text(), let worktree = reader.text(), let present = reader.text(),
                  let watcherText = reader.text(), let journaledCount = reader.count() else { return nil }
            var watcher: ProcessIdentity?
            if !watcherText.isEmpty {
                let parts = watcherText.split(separator: ":")
                guard parts.count == 2, let pid = Int32(parts[0]), let ticks = UInt64(parts[1]) else { return nil }
                watcher = ProcessIdentity(pid: pid, startTicks: ticks)
            }
            var journaled: [GitPath] = []
            for _ in 0..<journaledCount {
                guard let path = reader.bytes() else { return nil }
                journaled.append(GitPath(bytes: path))
            }
            lanes.append(CachedLane(name: name, worktree: worktree, worktreePresent: present == "1", watcher: watcher, journaled: journaled))
        }
        guard let pathCount = reader.count() else { return nil }
        var lanesByPath: [GitPath: [String]] = [:]
        for _ in 0..<pathCount {
            guard let path = reader.bytes(), let names = reader.text() else { return nil }
            lanesByPath[GitPath(bytes: path)] = names.split(separator: "\n").map(String.init)
        }
        guard reader.atEnd else { return nil }
        return WatchedPathsCache(root: root, inputs: inputs, lanes: lanes, lanesByPath: lanesByPath)
    }

    static func load(_ workspace: Workspace) -> WatchedPathsCache? {
        FileManager.default.contents(atPath: file(workspace)).flatMap(decoded)
    }

    /// Best effort: a cache that cannot be written is computed anew next time.
    func save(_ workspace: Workspace) {
        let path = Self.file(workspace)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? AtomicFile.write(Data(encoded()), to: path, sync: false)
    }
}

/// Reads NUL-ended fields in order.
private struct FieldReader {
    let data: Data
    var position: Data.Index

    init(data: Data) {
        self.data = data
        position = data.startIndex
    }

    var atEnd: Bool { position == data.endIndex }

    mutating func bytes() -> [UInt8]? {
        guard let end = data[position...].firstIndex(of: 0) else { return nil }
        defer { position = end + 1 }
        return [UInt8](data[position..<end])
    }

    mutating func text() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }

    mutating func count() -> Int? { text().flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil } }
}
