import Foundation
import SpurGit

/// Finds where lanes and your ongoing work collide: for each live lane, the paths both it and
/// you changed since its base (U ∩ T), and the paths it shares with every other live lane,
/// each with a verdict from a three-way merge of the file.
///
/// Cost: a lane with a result costs a tree diff; a live lane costs one look at each path its
/// change journal names, or, without a trustworthy journal, one `lstat` per file of its
/// worktree (nothing is hashed unless touched since checkout). Your working tree is
/// never scanned: only the paths lanes changed are looked at, unless you deleted one of them
/// (then one scan finds where you renamed it).
public struct OverlapAnalyzer: Sendable {
    public let workspace: Workspace
    /// Whether a live lane's change journal may stand in for a scan of its worktree (it is
    /// used only when provably complete). Off with SPUR_JOURNAL=off in the environment.
    public var useJournal: Bool
    public init(workspace: Workspace) {
        self.workspace = workspace
        useJournal = ProcessInfo.processInfo.environment["SPUR_JOURNAL"] != "off"
    }

    /// True when a lane counts for overlap: not merged yet, and its worktree exists.
    public static func isLive(_ lane: Lane) -> Bool {
        lane.state != .merged && FileManager.default.isDirectory(lane.worktree)
    }

    /// Reports for `selected` lanes (default: every lane), each against you and every live lane.
    /// A selected record replaces the stored one of the same name (it may be newer).
    /// `repository`, when given, is `workspace`'s open repository to read through (callers that
    /// read the same trees afterwards share its object cache).
    public func reports(for selected: [Lane]? = nil, repository given: Repository? = nil) throws -> [LaneOverlapReport] {
        var all = try LaneStore(workspace: workspace).all()
        for lane in selected ?? [] {
            if let position = all.firstIndex(where: { $0.name == lane.name }) { all[position] = lane } else { all.append(lane) }
        }
        // A lane whose base or result commit is gone cannot be compared: it is left out, and
        // `LaneInspector.report` shows it as damaged.
        let repository = try given ?? workspace.openRepository()
        let inspector = LaneInspector(workspace: workspace)
        var damaged: [String: String] = [:]
        for lane in all { damaged[lane.name] = try inspector.missingCommit(of: lane, in: repository) }
        let session = try OverlapSession(workspace: workspace, liveLanes: all.filter { Self.isLive($0) && damaged[$0.name] == nil },
                                         useJournal: useJournal, repository: repository)
        return try (selected ?? all).map { lane in
            if let problem = damaged[lane.name] {
                return LaneOverlapReport(lane: lane, isLive: false, changedFiles: [], withUser: [], withLanes: [], problem: problem)
            }
            return try session.report(for: lane)
        }
    }

    /// The report for lane `name` (a usage error when there is no such lane).
    public func report(forLane name: String) throws -> LaneOverlapReport {
        let lane = try LaneStore(workspace: workspace).require(name)
        guard let report = try reports(for: [lane]).first else { throw SpurError("no report for lane \(name)") }
        return report
    }

    /// The one-line verdict for a finish notification, e.g. "done; 4 files; ready to merge
    /// cleanly" or "done; 4 files; flagged: 1 conflict with your edits in src/a.swift".
    public func finishVerdict(forLane name: String) throws -> String {
        try report(forLane: name).finishVerdict
    }

    /// The same for a lane record the caller holds (for example one not saved yet).
    public func finishVerdict(for lane: Lane) throws -> String {
        guard let report = try reports(for: [lane]).first else { throw SpurError("no report for lane \(lane.name)") }
        return report.finishVerdict
    }
}

/// One analysis run: handles and caches shared by every lane's report.
final class OverlapSession {
    let workspace: Workspace
    let repository: Repository
    let probe: WorkingTreeProbe
    let judge: OverlapJudge
    let liveLanes: [Lane]
    let useJournal: Bool
    private var laneSides: [String: LaneSide] = [:]
    private var baseTrees: [ObjectID: BaseTree] = [:]
    /// Live worktrees' journals, read together before their lanes' sides.
    private var journals: [String: (paths: [GitPath]?, reason: String)] = [:]
    /// Lanes whose changes could not be read, and why.
    private var problems: [String: String] = [:]
    private var userSides: [String: UserSide] = [:]
    /// Probes of the working trees lanes were spawned from other than `workspace`'s.
    private var otherTreeProbes: [String: WorkingTreeProbe] = [:]
    private var pairs: [String: [OverlapPath]] = [:]

    init(workspace: Workspace, liveLanes: [Lane], useJournal: Bool, repository: Repository) throws {
        self.workspace = workspace
        self.liveLanes = liveLanes
        self.useJournal = useJournal
        self.repository = repository
        probe = try WorkingTreeProbe(workspace: workspace)
        judge = OverlapJudge(repository: repository)
        if useJournal {
            journals = ChangeJournal.trustedPaths(for: liveLanes.filter { LaneContent.of($0) == .worktree }, workspace: workspace)
        }
        var probes = 0
        for lane in liveLanes { probes += try laneSide(lane).names.count }
        // Loading the index costs about as much as hashing a few hundred small files.
        probe.useIndex = probes > 512
    }

    func laneSide(_ lane: Lane) throws -> LaneSide {
        if let side = laneSides[lane.name] { return side }
        let treeID = try repository.treeID(ofCommit: lane.base)
        let base = try baseTrees[treeID] ?? BaseTree(repository: repository, treeID: treeID)
        baseTrees[treeID] = base
        let side: LaneSide
        do {
            let journal = journals[lane.name] ?? (nil, useJournal ? "no journal was read" : "the journal was not asked for")
            side = try LaneSide(lane: lane, repository: repository, workspace: workspace, sharedBase: base, journal: journal)
        } catch {
            // One damaged lane must not hide every other lane's report.
            // No deleting command is suggested: the files there may be the lane's only copy.
            problems[lane.name] = "its worktree \(lane.worktree) cannot be read (\(LaneResults.describe(error))); its files are kept there"
            side = LaneSide(unreadable: lane, base: base)
        }
        laneSides[lane.name] = side
        return side
    }

    /// The side of the working tree `lane` was spawned from (its overlap refers to that tree);
    /// nil, with the problem recorded, when that tree is gone.
    func userSide(_ base: BaseTree, of lane: Lane) throws -> UserSide? {
        let tree = workspace.workingTree(of: lane)
        let key = CanonicalPath.of(tree.gitDir, relativeTo: "/")
        if let side = userSides[key + "\n" + base.id.hex] { return side }
        let treeProbe: WorkingTreeProbe
        if workspace.isCurrent(lane) {
            treeProbe = probe
        } else if let known = otherTreeProbes[key] {
            treeProbe = known
        } else {
            do { treeProbe = try WorkingTreeProbe(workspace: workspace.forLane(lane)) } catch let error as SpurError {
                problems[lane.name] = problems[lane.name] ?? error.message
                return nil
            }
            otherTreeProbes[key] = treeProbe
        }
        let side = UserSide(base: base, probe: treeProbe)
        userSides[key + "\n" + base.id.hex] = side
        return side
    }

    func report(for lane: Lane) throws -> LaneOverlapReport {
        guard OverlapAnalyzer.isLive(lane) else {
            return LaneOverlapReport(lane: lane, isLive: false, changedFiles: [], withUser: [], withLanes: [])
        }
        let side = try laneSide(lane)
        let withUser = try userSide(side.base, of: lane).map { try collide(lane: side, other: $0, ancestorFromOther: false) } ?? []
        var withLanes: [LaneCollision] = []
        // Lanes of another working tree merge elsewhere: they cannot collide with this one.
        let tree = workspace.workingTree(of: lane)
        for other in liveLanes where other.name != lane.name && workspace.workingTree(of: other).isSame(as: tree) {
            let paths = try pair(lane, other)
            if !paths.isEmpty { withLanes.append(LaneCollision(lane: other.name, paths: paths)) }
        }
        return LaneOverlapReport(lane: lane, isLive: true, changedFiles: side.changedFiles, withUser: withUser, withLanes: withLanes,
                                 changesFrom: side.source, problem: problems[lane.name])
    }

    /// Paths two lanes both changed. The ancestor is the older lane's base: the newer lane
    /// carries whatever you changed between the two spawns.
    private func pair(_ a: Lane, _ b: Lane) throws -> [OverlapPath] {
        let (first, second) = a.name < b.name ? (a, b) : (b, a)
        let key = first.name + "\n" + second.name
        if let known = pairs[key] { return known }
        let firstIsOlder = (first.createdAt, first.name) < (second.createdAt, second.name)
        let paths = try collide(lane: laneSide(second), other: laneSide(first), ancestorFromOther: firstIsOlder)
            .map { OverlapPath(path: $0.path, verdict: $0.verdict, reason: $0.reason, otherName: $0.otherName) }
        pairs[key] = paths
        return paths
    }

    /// Every path `lane` changed that `other` changed too, judged. Lines refer to `other`'s file.
    func collide(lane: LaneSide, other: OverlapSide, ancestorFromOther: Bool) throws -> [OverlapPath] {
        var found: [GitPath: OverlapPath] = [:]
        func add(_ names: [GitPath?], _ judgement: Judgement, oursPath: GitPath?) {
            var unique: [GitPath] = []
            for case let name? in names where !unique.contains(name) { unique.append(name) }
            for name in unique {
                if let existing = found[name], existing.verdict == .conflict, judgement.verdict == .clean { continue }
                found[name] = OverlapPath(path: name, verdict: judgement.verdict, reason: judgement.reason,
                                          lines: name == oursPath ? judgement.lines : [],
                                          otherName: unique.first { $0 != name })
            }
        }
        for outcome in try judge.merge.outcomes(lane: lane, other: other, ancestorFromOther: ancestorFromOther, onlyOverlaps: true) {
            add(outcome.names, judge.judgement(of: outcome), oursPath: outcome.oursPath)
        }
        return found.values.sorted { $0.path < $1.path }
    }
}
