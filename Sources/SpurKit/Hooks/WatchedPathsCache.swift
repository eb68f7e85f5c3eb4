import Foundation
import SpurGit
import SpurHookCore

/// Making and keeping the Bash guard's stat cache (`SpurHookCore.WatchedPathsCache`, which
/// says what it holds and when it is trusted).
///
/// A list read from a file changed less than `settle` before it was stamped is not kept: a
/// further change in the same clock tick could leave the same stamp (as git's racily clean
/// index entries), so a busy lane is simply looked at anew each time. A lane whose changes
/// needed a look at its worktree (a scan, or a journal naming folders), a damaged record or
/// `SPUR_JOURNAL=off` make no cache either.
extension WatchedPathsCache {
    /// How old every input must be, when stamped, for the list read from it to be kept.
    static let settle: TimeInterval = 1

    static func stampInputs(_ workspace: Workspace) -> [Stamped] { stampInputs(workspace.layout) }

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

    /// `lane` as it is now, with no journal.
    static func cachedLane(_ lane: Lane) -> CachedLane {
        CachedLane(name: lane.name, worktree: lane.worktree, worktreePresent: PlainFile.isDirectory(lane.worktree),
                   watcher: nil, journaled: [])
    }

    /// The cache to keep for a list just computed, or nil when it cannot be kept.
    static func made(root: String, inputs: [Stamped], stampedAt: FileTime, lanes: [Lane], changed: LaneChangedPaths) -> WatchedPathsCache? {
        guard changed.unreadable.isEmpty, !anyUnsettled(inputs, stampedAt: stampedAt) else { return nil }
        var cached: [CachedLane] = []
        for lane in lanes {
            var entry = cachedLane(lane)
            switch changed.sources[lane.name] {
            case .scan?: return nil
            case .journal(let watcher, let paths)?:
                entry.watcher = watcher
                entry.journaled = paths.map(\.bytes)
            case .fixed?, nil: break
            }
            cached.append(entry)
        }
        return WatchedPathsCache(root: root, inputs: inputs, lanes: cached, lanesByPath: changed.sortedEntries)
    }

    static func load(_ workspace: Workspace) -> WatchedPathsCache? { load(workspace.layout) }

    /// Best effort: a cache that cannot be written is computed anew next time.
    func save(_ workspace: Workspace) {
        let path = workspace.layout.watchedPathsCache
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = PlainFile.writeAtomically(encoded(), to: path)
    }
}
