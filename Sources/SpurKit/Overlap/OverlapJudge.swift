import SpurGit

/// Where a side put a base file and what it holds there now.
struct Fate: Sendable, Equatable {
    let path: GitPath
    let version: FileVersion
}

/// One side of an overlap (your working tree, or a lane) as seen against a base tree.
protocol OverlapSide: AnyObject {
    var base: BaseTree { get }
    /// True when the side holds something else at `path` than its base does.
    func changed(_ path: GitPath) throws -> Bool
    /// What became of the file the base had at `path`: where it is now (renames followed) and
    /// what it holds; nil when the side deleted it.
    func fate(ofBasePath path: GitPath) throws -> Fate?
    /// What the side holds at `path` now.
    func version(at path: GitPath) throws -> FileVersion?
    /// The content of `version`, which the side holds at `path`.
    func bytes(of version: FileVersion, at path: GitPath) throws -> [UInt8]
    /// True when the side still holds a file somewhere under `folder`.
    func hasFolder(_ folder: GitPath) throws -> Bool
    /// Every file the side renamed, as git's merge pairs renames.
    func renamedFiles() throws -> [(from: GitPath, to: GitPath)]
    /// Files the side created under `folder` (not renamed there).
    func addedFiles(under folder: GitPath) throws -> [GitPath]
}

extension ChangedSide {
    func hasFolder(_ folder: GitPath) throws -> Bool {
        _ = try renameSource(of: folder)  // pairs renames
        var gone = Set<GitPath>()
        for change in changes {
            if change.after != nil && change.newPath.isInside(folder) { return true }
            if change.before != nil && change.oldPath.isInside(folder) { gone.insert(change.oldPath) }
        }
        return try base.containsFile(under: folder, excluding: gone)
    }

    func renamedFiles() throws -> [(from: GitPath, to: GitPath)] {
        _ = try renameSource(of: GitPath.root)  // pairs renames
        return changes.filter(\.isRename).map { ($0.oldPath, $0.newPath) }
    }

    func addedFiles(under folder: GitPath) throws -> [GitPath] {
        _ = try renameSource(of: GitPath.root)
        return changes.filter { $0.before == nil && $0.after != nil && $0.newPath.isInside(folder) }.map(\.newPath)
    }
}

/// The verdict on one file both sides changed, and why.
struct Judgement: Sendable, Equatable {
    let verdict: OverlapVerdict
    let reason: String
    /// Colliding lines in "ours", for content conflicts.
    var lines: [LineRange] = []

    static func clean(_ reason: String) -> Judgement { Judgement(verdict: .clean, reason: reason) }
    static func conflict(_ reason: String, lines: [LineRange] = []) -> Judgement {
        Judgement(verdict: .conflict, reason: reason, lines: lines)
    }
}

/// Turns the merge's decision on one file (`LaneMerge`, the rule `spur merge` writes by) into
/// an overlap verdict: clean exactly when the merge would write the file without a conflict.
struct OverlapJudge {
    let repository: Repository
    let merge: LaneMerge

    init(repository: Repository) {
        self.repository = repository
        // A verdict writes nothing: merged content is only hashed.
        merge = LaneMerge(rule: MergeRule(repository: repository, resolution: .refuse, store: { try ObjectID.blobHash(of: $0) }))
    }

    /// The verdict on `outcome`, with the colliding lines of the other side's file for a
    /// content conflict, in words that hold for you against a lane and a lane against a lane.
    func judgement(of outcome: FileOutcome) -> Judgement {
        guard let conflict = outcome.conflict else {
            return .clean(outcome.isSameChange ? "same change on both sides" : "changes merge")
        }
        switch conflict.kind {
        case .content:
            return .conflict("same lines changed", lines: conflict.hunks.map { LineRange(start: $0.line, end: max($0.line, $0.line + $0.ours.count - 1)) })
        case .binary:
            return .conflict(conflict.message.contains("binary file") ? "binary file changed on both sides"
                                                                      : "changed on both sides, and its attributes say not to merge it line by line")
        case .mode: return .conflict("mode clash")
        case .modifyDelete, .deleteModify: return .conflict("deleted on one side, changed on the other")
        case .fileType: return .conflict("type clash: a file on one side, a link on the other, or links changed differently")
        case .submodule: return .conflict("submodule changed differently on both sides")
        case .renameDelete: return .conflict("renamed on one side, deleted on the other")
        case .renameRename:
            let others = outcome.names.filter { $0 != outcome.path }
            return .conflict("renamed to \(others.map(\.display).joined(separator: " and to ")) on the two sides")
        case .fileLocation: return .conflict("added in a folder the other side moved")
        case .directoryFile, .untrackedInTheWay, .symlinkInPath: return .conflict(conflict.message)
        }
    }
}
