import Foundation

/// `spur pick`: keeps one approach of an explore group. Merges the chosen lane (all the merge
/// rules apply) and only when that merge succeeded, discards the other lanes of its group.
public struct LanePicker: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public struct Outcome: Sendable {
        public let merge: MergeReport
        /// The group's other lanes that were discarded (none when the merge conflicted).
        public let discarded: [String]
    }

    public func pick(_ name: String) throws -> Outcome {
        let store = LaneStore(workspace: workspace)
        let lane = try store.require(name)
        let report = try Merger(workspace: workspace).merge(laneName: name, options: MergeOptions())
        guard report.status == .merged else { return Outcome(merge: report, discarded: []) }
        guard let group = lane.group else { return Outcome(merge: report, discarded: []) }
        var discarded: [String] = []
        for other in try store.all() where other.group == group && other.name != name {
            if other.state.isActive { _ = try? Supervision(workspace: workspace).stop(other.name) }
            try Lanes(workspace: workspace).discard(other.name, force: true)
            discarded.append(other.name)
        }
        return Outcome(merge: report, discarded: discarded)
    }
}
