import Foundation
import SpurGit

/// `spur compare`: several lanes side by side, for choosing one approach.
public struct LaneComparison: Sendable, Encodable {
    /// One lane's column of facts.
    public struct Row: Sendable, Encodable {
        public let name: String
        public let state: String
        public let durationSeconds: Double?
        public let exitCode: Int32?
        public let check: CheckResult?
        public let changedFiles: [GitPath]
        public let linesAdded: Int
        public let linesRemoved: Int
        /// Paths both you and the lane changed, with verdicts.
        public let overlap: [OverlapPath]
        public var conflicts: Int { overlap.filter { $0.verdict == .conflict }.count }
    }

    /// Two compared lanes that changed the same files.
    public struct PairOverlap: Sendable, Encodable {
        public let lanes: [String]
        public let paths: [OverlapPath]
    }

    public let rows: [Row]
    public let lanesOverlap: [PairOverlap]

    /// Compares the lanes of `group`, or the named lanes.
    public static func make(workspace: Workspace, groupOrNames: [String]) throws -> LaneComparison {
        let store = LaneStore(workspace: workspace)
        let all = try Supervision(workspace: workspace).reconcile()
        var lanes: [Lane]
        if groupOrNames.count == 1, try store.load(groupOrNames[0]) == nil {
            lanes = all.filter { $0.group == groupOrNames[0] }
            guard !lanes.isEmpty else { throw SpurError.usage("no lane or group named '\(groupOrNames[0])' (see 'spur list')") }
        } else {
            lanes = try groupOrNames.map { try store.require($0) }
        }
        lanes.sort { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
        let names = Set(lanes.map(\.name))
        let analyzer = OverlapAnalyzer(workspace: workspace)
        let diff = LaneDiff(workspace: workspace)
        var rows: [Row] = []
        var pairs: [String: PairOverlap] = [:]
        for lane in lanes {
            let report = try analyzer.report(forLane: lane.name)
            let files = (try? diff.files(of: lane.name)) ?? []
            let duration = lane.startedAt.flatMap { start in lane.finishedAt.map { $0.timeIntervalSince(start) } }
            rows.append(Row(name: lane.name, state: RemovedWorktreeWording.shownState(of: lane, workspace: workspace), durationSeconds: duration, exitCode: lane.exitCode,
                            check: lane.check, changedFiles: report.changedFiles,
                            linesAdded: files.map(\.added).reduce(0, +), linesRemoved: files.map(\.removed).reduce(0, +),
                            overlap: report.withUser))
            for collision in report.withLanes where names.contains(collision.lane) {
                let key = [lane.name, collision.lane].sorted()
                pairs[key.joined(separator: "\u{0}")] = PairOverlap(lanes: key, paths: collision.paths)
            }
        }
        let overlaps = pairs.values.sorted { $0.lanes.joined() < $1.lanes.joined() }
        return LaneComparison(rows: rows, lanesOverlap: overlaps)
    }
}
