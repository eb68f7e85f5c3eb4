import Foundation
import SpurGit

/// What a lane that ended means for the working tree it came from: its merge outlook, or the
/// outcome of merging it automatically (only when the merge is clean, never partially).
/// Shared by the supervisor (`spawn --on-finish merge`) and Claude Code's lanes
/// (`spur.claudeOnFinish merge`).
public struct LaneVerdict: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    /// The merge outlook of a lane that ended done ("ready to merge cleanly", …); nil when it
    /// cannot be told.
    public func outlook(for lane: Lane) -> String? {
        guard lane.state == .done else { return nil }
        return (try? OverlapAnalyzer(workspace: workspace).reports(for: [lane]).first?.mergeOutlook) ?? nil
    }

    /// Merges a lane that ended done when the merge is clean; otherwise the lane keeps its
    /// state and records why it was flagged. Returns the verdict in words.
    public func mergeAutomatically(_ lane: Lane) -> String {
        let store = LaneStore(workspace: workspace)
        switch Merger(workspace: workspace).mergeIfClean(laneName: lane.name) {
        case .merged(let report):
            return "merged into your working tree (\(report.changes.count) files written; 'spur undo' reverts)"
        case .conflicted(let report):
            let paths = report.conflicts.map(\.path)
            let reason = "not merged: \(paths.count) conflict\(paths.count == 1 ? "" : "s") with your edits in \(paths.prefix(5).map(\.display).joined(separator: ", "))"
            _ = try? store.update(lane.name) { $0.reason = reason }
            return "flagged: " + reason
        case .refused(let why):
            _ = try? store.update(lane.name) { $0.reason = "not merged: \(why)" }
            return "flagged: not merged: \(why)"
        }
    }
}
