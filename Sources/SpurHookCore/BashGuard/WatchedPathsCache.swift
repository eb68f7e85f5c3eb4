#if canImport(Glibc)
import Glibc
#endif

/// The Bash guard's stat cache, as jj keeps one for its working copy: the files the live lanes
/// of one working tree changed, with a stamp of every file that list was read from. PreToolUse
/// runs before every Bash call; while no lane record, journal file or the repository's config
/// changed, every lane's worktree is there or not as it was, each journal's watcher still runs
/// and no journaled path became a folder, the list is the one computed before, and it is taken
/// from here without decoding records and journals or opening the repository.
///
/// `spur` makes it (SpurKit's `WatchedPathsCache.made`, which keeps no list read from a file
/// changed in the second before); `spur` and `spur-hook` both trust it only while `holds` says so.
///
/// A stamp is the file's `FileFingerprint` text ("" when absent). On disk,
/// `<common git dir>/spur/cache/bash-watched`: fields ended by NUL (paths are bytes), counts
/// in decimal.
public struct WatchedPathsCache: Sendable {
    /// The working tree watched (canonical).
    public var root: String
    /// Each input file's path and stamp, in the order `stampInputs` gives them.
    public var inputs: [Stamped]
    /// Every lane with a record, live or not.
    public var lanes: [CachedLane]
    /// Repository-relative path (bytes) and the lanes that changed it (sorted); sorted by path, each once.
    public var lanesByPath: [(path: [UInt8], lanes: [String])]

    public init(root: String, inputs: [Stamped], lanes: [CachedLane], lanesByPath: [(path: [UInt8], lanes: [String])]) {
        self.root = root
        self.inputs = inputs
        self.lanes = lanes
        self.lanesByPath = lanesByPath
    }

    public struct Stamped: Equatable, Sendable {
        public var path: String
        public var stamp: String
        public init(path: String, stamp: String) {
            self.path = path
            self.stamp = stamp
        }

        /// Byte for byte (paths are not compared as text: canonically equivalent names differ).
        public static func == (a: Stamped, b: Stamped) -> Bool {
            a.path.utf8.elementsEqual(b.path.utf8) && a.stamp.utf8.elementsEqual(b.stamp.utf8)
        }
    }

    public struct CachedLane: Sendable {
        public var name: String
        public var worktree: String
        /// Whether its worktree was a folder.
        public var worktreePresent: Bool
        /// For a lane whose changes came from its journal: the watcher and the journaled paths.
        public var watcher: ProcessIdentity?
        public var journaled: [[UInt8]]

        public init(name: String, worktree: String, worktreePresent: Bool, watcher: ProcessIdentity?, journaled: [[UInt8]]) {
            self.name = name
            self.worktree = worktree
            self.worktreePresent = worktreePresent
            self.watcher = watcher
            self.journaled = journaled
        }
    }

    static let formatLine = "spur bash watched 2"

    // MARK: - Inputs

    /// Every file the lane list and the lanes' changes are read from, stamped now: the lanes
    /// folder, the repository's config, and per record its journal's state and paths.
    public static func stampInputs(_ layout: StateLayout) -> [Stamped] {
        let names = (PlainFile.names(in: layout.lanesFolder) ?? []).sorted()
        var paths = [layout.lanesFolder, layout.repositoryConfig]
        for file in names where file.hasSuffix(".json") {
            let lane = String(file.dropLast(5))
            paths += [layout.laneRecord(lane), layout.journalState(lane), layout.journalPaths(lane)]
        }
        return paths.map { Stamped(path: $0, stamp: FileFingerprint.of(path: $0)?.text ?? "") }
    }

    // MARK: - Use

    /// True when the list still holds for `root`: the same inputs, each lane's worktree there or
    /// not as before, journals' watchers running, no journaled path a folder now.
    public func holds(root: String, inputs current: [Stamped]) -> Bool {
        guard root.utf8.elementsEqual(self.root.utf8), current == inputs else { return false }
        for lane in lanes {
            guard PlainFile.isDirectory(lane.worktree) == lane.worktreePresent else { return false }
            guard let watcher = lane.watcher else { continue }
            guard watcher.isAlive, !lane.journaled.contains(where: { Self.isFolder($0, inWorktree: lane.worktree) }) else {
                return false
            }
        }
        return true
    }

    /// True when the repository's config is as it was when spur made this cache (so spur found
    /// the repository with it, not bare, not broken).
    public func holdsConfig(_ layout: StateLayout) -> Bool {
        guard let seen = inputs.first(where: { $0.path.utf8.elementsEqual(layout.repositoryConfig.utf8) }) else { return false }
        return seen.stamp.utf8.elementsEqual((FileFingerprint.of(path: layout.repositoryConfig)?.text ?? "").utf8)
    }

    /// True when `path` in `worktree` is a folder (a link is not followed).
    public static func isFolder(_ path: [UInt8], inWorktree worktree: String) -> Bool {
        guard let info = PlainFile.linkStatus(PlainFile.path(path, under: worktree)) else { return false }
        return info.st_mode & S_IFMT == S_IFDIR
    }

    // MARK: - On disk

    public func encoded() -> [UInt8] {
        var writer = FieldWriter()
        writer.text(Self.formatLine)
        writer.text(root)
        writer.text(String(inputs.count))
        for input in inputs { writer.text(input.path); writer.text(input.stamp) }
        writer.text(String(lanes.count))
        for lane in lanes {
            writer.text(lane.name)
            writer.text(lane.worktree)
            writer.text(lane.worktreePresent ? "1" : "0")
            writer.text(lane.watcher.map { "\($0.pid):\($0.startTicks)" } ?? "")
            writer.text(String(lane.journaled.count))
            for path in lane.journaled { writer.bytes(path) }
        }
        writer.text(String(lanesByPath.count))
        for entry in lanesByPath {
            writer.bytes(entry.path)
            writer.text(entry.lanes.joined(separator: "\n"))
        }
        return writer.output
    }

    /// The cache in `bytes`; nil when it is not one, whole. Paths come out sorted, each once.
    public static func decoded(_ bytes: [UInt8]) -> WatchedPathsCache? {
        var reader = FieldReader(bytes)
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
            var journaled: [[UInt8]] = []
            for _ in 0..<journaledCount {
                guard let path = reader.bytes() else { return nil }
                journaled.append(path)
            }
            lanes.append(CachedLane(name: name, worktree: worktree, worktreePresent: present == "1", watcher: watcher, journaled: journaled))
        }
        guard let pathCount = reader.count() else { return nil }
        var entries: [(path: [UInt8], lanes: [String])] = []
        for _ in 0..<pathCount {
            guard let path = reader.bytes(), let names = reader.text() else { return nil }
            entries.append((path, names.split(separator: "\n").map(String.init)))
        }
        guard reader.atEnd else { return nil }
        return WatchedPathsCache(root: root, inputs: inputs, lanes: lanes, lanesByPath: sortedOnce(entries))
    }

    /// Sorted by path bytes; of two entries for one path the later one is kept.
    public static func sortedOnce(_ entries: [(path: [UInt8], lanes: [String])]) -> [(path: [UInt8], lanes: [String])] {
        let ordered = entries.enumerated().sorted { a, b in
            a.element.path == b.element.path ? a.offset < b.offset : a.element.path.lexicographicallyPrecedes(b.element.path)
        }.map(\.element)
        var result: [(path: [UInt8], lanes: [String])] = []
        for entry in ordered {
            if result.last?.path == entry.path { result[result.count - 1] = entry } else { result.append(entry) }
        }
        return result
    }

    /// The cache of the repository laid out as `layout`, nil when there is none or it is damaged.
    public static func load(_ layout: StateLayout) -> WatchedPathsCache? {
        PlainFile.read(layout.watchedPathsCache).flatMap(decoded)
    }
}
