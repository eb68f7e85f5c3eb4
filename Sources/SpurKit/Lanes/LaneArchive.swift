import Foundation
import SpurGit

/// A lane kept after it was removed: `discard`, `pick`'s losers and the discard of a damaged
/// lane all archive the lane before deleting anything of it.
///
/// An archive is the ref `refs/spur/archive/NAME/TIME` (TIME is UTC, `yyyyMMdd-HHmmss`, with
/// `-2`, `-3`… when one second holds several) naming a commit whose tree holds `result/` (the
/// lane's final tree) and `spur-lane.json` (the lane's record, byte for byte as it was on disk,
/// damaged or not). Its first parent is the lane's final commit (its result commit when it
/// finished, else a snapshot of its worktree whose parent is the lane's branch), its second the
/// lane's base, so both stay reachable and `git gc` keeps them until `spur gc` drops the ref.
public struct ArchivedLane: Sendable, Encodable {
    public let name: String
    /// The ref's last component; `restore --at` and `gc` name an archive by it.
    public let time: String
    public let ref: String
    public let archivedAt: Date
    /// The lane's final commit; nil when nothing of the lane's history could be read.
    public let result: ObjectID?
    public let base: ObjectID?
    /// The record as it was, when it can still be read as this lane.
    public let lane: Lane?
    /// Paths that differ between `base` and `result`, sorted.
    public let changedFiles: [GitPath]

    enum CodingKeys: String, CodingKey {
        case name, time, ref, archivedAt, result, base, state, description, command, changedFiles
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(time, forKey: .time)
        try c.encode(ref, forKey: .ref)
        try c.encode(archivedAt, forKey: .archivedAt)
        try c.encode(result, forKey: .result)
        try c.encode(base, forKey: .base)
        try c.encode(lane?.state.rawValue ?? LaneReport.damaged, forKey: .state)
        try c.encode(lane?.description, forKey: .description)
        try c.encode(lane?.command, forKey: .command)
        try c.encode(changedFiles, forKey: .changedFiles)
    }
}

/// Writes, lists, restores and prunes archived lanes (`ArchivedLane`).
public struct LaneArchive: Sendable {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    static let prefix = "refs/spur/archive/"
    static let recordFile = "spur-lane.json"
    static let resultFolder = "result"

    static func ref(_ name: String, _ time: String) -> String { prefix + name + "/" + time }

    // MARK: Writing

    /// Archives lane `lane` (its record read) before it is removed: a snapshot of its worktree
    /// taken through `LaneWorktree` (its result commit itself when the worktree still holds
    /// just that, so a finished lane's later edits are not lost), else (worktree gone or
    /// tampered with) its branch, which holds its result once it finished. Called holding the
    /// spur lock. Returns the ref written.
    @discardableResult
    func keep(_ lane: Lane, record: Data?) throws -> String {
        let repository = try workspace.openRepository()
        let branch = try repository.referenceTarget(Lane.branchRef(lane.name))
        var final: ObjectID? = nil
        var note = ""
        let finished = lane.head != nil && !lane.state.isActive && lane.state != .created && branch == lane.head
        if FileManager.default.isDirectory(lane.worktree) {
            do {
                let worktree = try LaneWorktree.open(lane, workspace: workspace)
                let snapshot = try Snapshot.take(repository: worktree, message: "spur: worktree of lane \(lane.name) when it was archived\n",
                                                 updateIndex: false)
                // A worktree unchanged since the branch (the result, for a finished lane) needs no commit of its own.
                final = try branch.map { try repository.treeID(ofCommit: $0) } == snapshot.tree ? branch : snapshot.commit
                if finished, final != branch { note = "The worktree changed after the result; it is kept.\n" }
            } catch {
                final = branch
                note = "The worktree could not be read (\(LaneResults.describe(error))); its \(finished ? "result" : "branch") is kept.\n"
            }
        } else {
            note = "The worktree was gone; its \(finished ? "result" : "branch") is kept.\n"
        }
        let base = try repository.referenceTarget(Lane.baseRef(lane.name)) ?? lane.base
        return try write(name: lane.name, final: final ?? branch ?? lane.head, base: base, record: record ?? LaneStore.encoder.encode(lane),
                         note: note, in: repository)
    }

    /// Archives a lane whose record cannot be read, from what can be: the record's bytes, a
    /// snapshot of the worktree git registered for it when it opens, its branch, its base ref.
    /// Nothing that cannot be read stops it.
    @discardableResult
    func keepDamaged(_ name: String, recordPath: String) throws -> String {
        let repository = try workspace.openRepository()
        let branch = try? repository.referenceTarget(Lane.branchRef(name))
        let base = try? repository.referenceTarget(Lane.baseRef(name))
        var final = branch
        let folder = LaneWorktree(workspace: workspace, name: name)
        if let registered = try? folder.registeredPath(), let worktree = try? folder.open(expectedPath: registered),
           let snapshot = try? Snapshot.take(repository: worktree, message: "spur: worktree of lane \(name) when it was archived\n",
                                             updateIndex: false) {
            final = snapshot.commit
        }
        let record = FileManager.default.contents(atPath: recordPath) ?? Data()
        return try write(name: name, final: final, base: base,
                         record: record, note: "Its record could not be read.\n", in: repository)
    }

    /// Writes the archive; any failure is one line saying that nothing was removed (the caller
    /// removes nothing of the lane when this throws).
    private func write(name: String, final: ObjectID?, base: ObjectID?, record: Data, note: String,
                       in repository: Repository) throws -> String {
        do {
            return try writeArchive(name: name, final: final, base: base, record: record, note: note, in: repository)
        } catch {
            throw SpurError("cannot archive lane '\(name)' (\(LaneResults.describe(error))); nothing of it was removed")
        }
    }

    private func writeArchive(name: String, final: ObjectID?, base: ObjectID?, record: Data, note: String,
                              in repository: Repository) throws -> String {
        var edits = [TreeEdit(path: GitPath(Self.recordFile), action: .upsert(try repository.writeBlob(Array(record)), .blob))]
        if let final {
            edits.append(TreeEdit(path: GitPath(Self.resultFolder), action: .upsert(try repository.treeID(ofCommit: final), .tree)))
        }
        let tree = try repository.tree(nil, applying: edits)
        var parents: [ObjectID] = final.map { [$0] } ?? []
        if let base, base != final, (try? repository.commit(base)) != nil { parents.append(base) }
        let stamp = Self.stamp(Date())
        let message = "spur: archive of lane \(name)\n\nArchived: \(stamp)\n"
            + (final.map { "Result: \($0.hex)\n" } ?? "") + (base.map { "Base: \($0.hex)\n" } ?? "") + note
        let commit = try repository.createCommit(tree: tree, parents: parents, message: message)
        var suffix = 1
        while true {
            let time = suffix == 1 ? stamp : "\(stamp)-\(suffix)"
            let ref = Self.ref(name, time)
            if try repository.referenceTarget(ref) == nil {
                try SpurReferences.write(ref, in: repository) {
                    try repository.setReference(ref, to: commit, message: "spur: archive of lane \(name)", mustNotExist: true)
                }
                return ref
            }
            suffix += 1
        }
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }

    static func date(of time: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.date(from: String(time.prefix(15)))
    }

    // MARK: Reading

    /// Every archive, oldest first (then by name); of lane `name` only, when given. An archive
    /// whose commit cannot be read is listed with what its ref says.
    public func all(named name: String? = nil) throws -> [ArchivedLane] {
        if let name { _ = try LaneName(name) }
        let repository = try workspace.openRepository()
        let glob = Self.prefix + (name.map { $0 + "/" } ?? "") + "*"
        let archives = try repository.referenceNames(matching: glob).compactMap { ref -> ArchivedLane? in
            let parts = ref.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, LaneName.problem(with: String(parts[0])) == nil else { return nil }
            return read(ref: ref, name: String(parts[0]), time: String(parts[1]), in: repository)
        }
        return archives.sorted { ($0.time, $0.name) < ($1.time, $1.name) }
    }

    func read(ref: String, name: String, time: String, in repository: Repository) -> ArchivedLane {
        let archivedAt = Self.date(of: time) ?? Date(timeIntervalSince1970: 0)
        guard let id = try? repository.referenceTarget(ref), let commit = try? repository.commit(id) else {
            return ArchivedLane(name: name, time: time, ref: ref, archivedAt: archivedAt, result: nil, base: nil, lane: nil, changedFiles: [])
        }
        let parents = commit.parentIDs
        let result = parents.first
        let base = parents.count > 1 ? parents[1] : result
        var lane: Lane? = nil
        if let tree = try? repository.tree(commit.treeID), let entry = tree.entry(named: GitPath(Self.recordFile)),
           let blob = try? repository.blob(entry.id),
           case .success(let decoded) = LaneStore.decode(Data(blob.bytes), name: name, file: ref + ":" + Self.recordFile) {
            lane = decoded
        }
        var changed: [GitPath] = []
        if let result, let base, let old = try? repository.treeID(ofCommit: base), let new = try? repository.treeID(ofCommit: result) {
            changed = (try? LaneInspector(workspace: workspace).changedPaths(in: repository, from: old, to: new)) ?? []
        }
        return ArchivedLane(name: name, time: time, ref: ref, archivedAt: archivedAt, result: result, base: base,
                            lane: lane, changedFiles: changed)
    }

    /// The archive of lane `name` taken at `time` (the exact stamp or its unique beginning), or
    /// the latest without one. A usage error when there is none.
    public func find(_ name: String, at time: String?) throws -> ArchivedLane {
        let archives = try all(named: name)
        guard !archives.isEmpty else {
            throw SpurError.usage("no archived lane named '\(name)' (see 'spur list --archived')")
        }
        guard let time else { return archives[archives.count - 1] }
        if let exact = archives.first(where: { $0.time == time }) { return exact }
        let matching = archives.filter { $0.time.hasPrefix(time) }
        guard matching.count == 1 else {
            let known = archives.map(\.time).joined(separator: ", ")
            throw SpurError.usage(matching.isEmpty
                ? "lane '\(name)' has no archive taken at '\(time)' (its archives: \(known))"
                : "'\(time)' names \(matching.count) archives of lane '\(name)'; give more of the time (its archives: \(known))")
        }
        return matching[0]
    }

    // MARK: Pruning

    /// Deletes the archives taken before `cutoff` (with `dryRun`, only names them). Returns them.
    public func prune(before cutoff: Date, dryRun: Bool) throws -> [ArchivedLane] {
        try LaneStore(workspace: workspace).withLock {
            let repository = try workspace.openRepository()
            // An archive whose time spur cannot read was not written by spur: it is left alone.
            let old = try all().filter { Self.date(of: $0.time) != nil && $0.archivedAt < cutoff }
            if !dryRun {
                for archive in old {
                    try SpurReferences.write(archive.ref, in: repository) { try repository.deleteReference(archive.ref) }
                }
            }
            return old
        }
    }
}
