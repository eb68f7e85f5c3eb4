import SpurGit

/// A lane as `status` shows it: what `list` shows plus where it overlaps your edits and other
/// live lanes. As JSON: every field of `list --json`, plus `overlap: [{path, verdict, reason,
/// lines, otherName}]`, `laneOverlaps: [{lane, paths, conflicts}]`, `verdict` (the
/// one-line finish verdict), `changesFrom` (result, journal or scan) for a live lane, and
/// `outsideLinks` (links the lane puts outside the repository).
public struct LaneStatus: Sendable, Encodable {
    public let report: LaneReport
    public let overlap: LaneOverlapReport
    /// Links the lane puts outside the repository (`outsideLinks: [{path, target, typeChange}]`).
    public var outsideLinks: [OutsideLink] = []

    struct LaneOverlapEntry: Encodable {
        let lane: String
        let paths: [GitPath]
        let conflicts: [GitPath]
    }

    enum Keys: String, CodingKey { case overlap, laneOverlaps, verdict, changesFrom, outsideLinks }

    public func encode(to encoder: Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(overlap.withUser, forKey: .overlap)
        try container.encode(overlap.withLanes.map {
            LaneOverlapEntry(lane: $0.lane, paths: $0.paths.map(\.path), conflicts: $0.conflicts.map(\.path))
        }, forKey: .laneOverlaps)
        try container.encode(overlap.isLive ? overlap.finishVerdict : nil, forKey: .verdict)
        try container.encodeIfPresent(overlap.changesFrom, forKey: .changesFrom)
        try container.encode(outsideLinks, forKey: .outsideLinks)
    }
}

extension OverlapAnalyzer {
    /// `status` for every lane, or only lane `name`.
    public func statuses(only name: String? = nil) throws -> [LaneStatus] {
        try statuses(of: name.map { [try LaneStore(workspace: workspace).require($0)] })
    }

    /// `status` for `lanes` (default: every lane).
    public func statuses(of lanes: [Lane]?) throws -> [LaneStatus] {
        let inspector = LaneInspector(workspace: workspace)
        // One repository for the overlaps and the links: they read the same trees.
        let repository = try workspace.openRepository()
        return try reports(for: lanes, repository: repository).map { overlap in
            let report = try inspector.report(for: overlap.lane, changedFiles: overlap.isLive ? overlap.changedFiles : nil,
                                              problem: overlap.problem, repository: repository)
            var status = LaneStatus(report: report, overlap: overlap)
            status.outsideLinks = (try? inspector.outsideLinks(of: overlap.lane, changedFiles: overlap.changedFiles,
                                                               repository: repository)) ?? []
            return status
        }
    }
}
