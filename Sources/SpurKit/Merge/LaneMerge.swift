import SpurGit

/// What merging one of a lane's files into the other side does: the file's names and, for each
/// path of the other side ("ours") the merge touches, the decision there.
struct FileOutcome {
    /// The path the lane changed (its base path, or the path it added).
    let path: GitPath
    /// Every name of the file: its base path and where each side put it, without repeats.
    let names: [GitPath]
    /// True when the other side changed the file too (the two sides overlap on it).
    let overlaps: Bool
    /// Where the other side has the file (the path conflict lines refer to), if it has it.
    let oursPath: GitPath?
    /// The decisions, by path of the other side.
    let steps: [(path: GitPath, decision: MergeRule.Decision)]
    /// Both sides hold the same thing.
    var isSameChange = false
    /// Paths removed only because the file moves to `movedTo`: when another file's conflict
    /// keeps the merge from writing there, they stay (their content is not written elsewhere).
    var movedAway: [GitPath] = []
    var movedTo: GitPath?

    /// The first conflict the merge could not settle, if any.
    var conflict: MergeConflict? { steps.lazy.compactMap { $0.decision.unresolved }.first }
}

/// Merges a lane's changes into another side (your working tree, or another lane) file by
/// file, following renames on both sides as git's merge (ort) does: a file one side moved and
/// the other edited is merged at its new name; moved on one side and deleted on the other, or
/// moved to two different names, is a conflict. This is the one decision behind both
/// `spur merge`'s plan and `spur status`'s verdicts.
struct LaneMerge {
    let rule: MergeRule

    /// One outcome per file the lane changed (`onlyOverlaps`: only files the other side changed
    /// too). `ancestorFromOther`: the ancestor is the other side's base (a lane spawned
    /// earlier than `lane`), not the lane's.
    func outcomes(lane: ChangedSide, other: OverlapSide, ancestorFromOther: Bool, onlyOverlaps: Bool) throws -> [FileOutcome] {
        func ancestor(_ path: GitPath, laneBase: FileVersion?) throws -> FileVersion? {
            ancestorFromOther ? try other.base.version(at: path) : laneBase
        }
        var result: [FileOutcome] = []
        var seen = Set<GitPath>()
        var yoursRelocated: [GitPath: GitPath] = [:]
        let relocated = try directoryRenames(lane: lane, other: other, into: &result, yoursRelocated: &yoursRelocated)
        for change in lane.changes {
            if change.before != nil {
                let path = change.oldPath
                var laneFate = try lane.fate(ofBasePath: path)
                let overlaps = try other.changed(path)
                let otherFate = overlaps ? try other.fate(ofBasePath: path) : try other.version(at: path).map { Fate(path: path, version: $0) }
                // The other side renamed it into a folder the lane moved: git moves it on; spur
                // writes none of it and lists each path git names.
                if let yours = otherFate, yours.path != path, let target = yoursRelocated[yours.path] {
                    let moved = try file(path, ancestor: ancestor(path, laneBase: change.before), ours: Fate(path: target, version: yours.version),
                                         theirs: laneFate, overlaps: true, other: other, lane: lane)
                    let steps: [(path: GitPath, decision: MergeRule.Decision)] = moved.steps.isEmpty
                        ? locationConflict(at: target, added: yours.path, oursPath: yours.path).steps
                        : moved.steps.map { step in
                            (step.path, .conflict(step.decision.unresolved ?? MergeConflict(
                                path: step.path, kind: .fileLocation,
                                message: "\(yours.path) was moved into a folder the lane moved; git would put it at \(target)", hunks: [])))
                        }
                    result.append(FileOutcome(path: path, names: [path, target, yours.path] + (laneFate.map { [$0.path] } ?? []),
                                              overlaps: true, oursPath: yours.path, steps: steps))
                    seen.insert(path)
                    continue
                }
                // Renamed into a folder the other side moved: merged there, and a conflict.
                if let renamed = laneFate, renamed.path != path, let target = relocated[renamed.path] {
                    laneFate = Fate(path: target, version: renamed.version)
                    let merged = try file(path, ancestor: ancestor(path, laneBase: change.before), ours: otherFate, theirs: laneFate,
                                          overlaps: true, other: other, lane: lane)
                    var outcome = merged.conflict != nil ? merged : locationConflict(at: target, added: renamed.path, oursPath: nil)
                    if merged.conflict == nil { outcome = FileOutcome(path: path, names: [path, target, renamed.path], overlaps: true,
                                                                      oursPath: nil, steps: outcome.steps) }
                    result.append(outcome)
                    seen.insert(path)
                    continue
                }
                if overlaps || !onlyOverlaps {
                    result.append(try file(path, ancestor: ancestor(path, laneBase: change.before), ours: otherFate, theirs: laneFate,
                                           overlaps: overlaps, other: other, lane: lane))
                    seen.insert(path)
                }
                // The lane renamed the file onto a path the other side also put something at.
                if let laneFate, laneFate.path != path, otherFate?.path != laneFate.path, try other.changed(laneFate.path) {
                    let target = laneFate.path
                    result.append(try file(target, ancestor: ancestor(target, laneBase: lane.base.version(at: target)),
                                           ours: other.version(at: target).map { Fate(path: target, version: $0) },
                                           theirs: laneFate, overlaps: true, other: other, lane: lane))
                    seen.insert(target)
                }
            } else {
                let path = change.newPath
                if seen.contains(path) { continue }
                // A rename target is merged with its source above.
                if try lane.renameSource(of: path) != nil { continue }
                if let target = relocated[path] {
                    result.append(locationConflict(at: target, added: path, oursPath: nil))
                    continue
                }
                let overlaps = try other.changed(path)
                guard overlaps || !onlyOverlaps else { continue }
                result.append(try file(path, ancestor: ancestor(path, laneBase: nil),
                                       ours: other.version(at: path).map { Fate(path: path, version: $0) },
                                       theirs: change.after.map { Fate(path: path, version: $0) },
                                       overlaps: overlaps, other: other, lane: lane))
            }
        }
        return result
    }

    /// git's directory rename detection: files the lane added in a folder the other side
    /// moved (returned: where git puts them), and conflicts for files the other side added in
    /// a folder the lane moved (appended to `result`). Costs nothing unless the lane moved files
    /// between folders or added files in a folder the other side no longer has.
    func directoryRenames(lane: ChangedSide, other: OverlapSide, into result: inout [FileOutcome],
                          yoursRelocated: inout [GitPath: GitPath]) throws -> [GitPath: GitPath] {
        var added = lane.changes.filter { $0.before == nil && $0.after != nil }.map(\.newPath)
        var laneMoves = false
        for change in lane.changes where change.before != nil && change.after == nil {
            if let fate = try lane.fate(ofBasePath: change.oldPath), fate.path.parentAndName.parent != change.oldPath.parentAndName.parent {
                laneMoves = true
                break
            }
        }
        var otherMoves = false
        search: for path in added {
            var folder = path.parentAndName.parent
            while !folder.isEmpty {
                if try lane.base.entry(at: folder)?.mode == .tree, try !other.hasFolder(folder) { otherMoves = true; break search }
                folder = folder.parentAndName.parent
            }
        }
        guard laneMoves || otherMoves else { return [:] }
        if otherMoves { added += try lane.renamedFiles().map(\.to) }
        let laneFolders = laneMoves ? try DirectoryRenames(of: lane) : nil
        let otherFolders = otherMoves ? try DirectoryRenames(of: other) : nil
        var relocated: [GitPath: GitPath] = [:]
        if let otherFolders {
            let moved = laneFolders.map { otherFolders.excluding($0) } ?? otherFolders
            for path in added { if let target = moved.target(of: path) { relocated[path] = target } }
        }
        if let laneFolders {
            let moved = otherFolders.map { laneFolders.excluding($0) } ?? laneFolders
            for (_, to) in try other.renamedFiles() { if let target = moved.target(of: to) { yoursRelocated[to] = target } }
            for folder in moved.folders.keys.sorted() {
                for path in try other.addedFiles(under: folder) {
                    if let target = moved.target(of: path) { result.append(locationConflict(at: target, added: path, oursPath: path)) }
                }
            }
        }
        return relocated
    }

    /// A file added at `added` in a folder the other side moved: git puts it at `target` and
    /// reports a conflict there; spur writes nothing for it.
    func locationConflict(at target: GitPath, added: GitPath, oursPath: GitPath?) -> FileOutcome {
        let conflict = MergeConflict(path: target, kind: .fileLocation,
                                     message: "\(added) was added in a folder the other side moved; git would put it at \(target)", hunks: [])
        return FileOutcome(path: added, names: [target, added], overlaps: true, oursPath: oursPath, steps: [(target, .conflict(conflict))])
    }

    /// One file: the base had `ancestor` at `basePath` (nil: both added it there); each side's
    /// fate says where it is now and what it holds (nil: deleted).
    func file(_ basePath: GitPath, ancestor a: FileVersion?, ours: Fate?, theirs: Fate?, overlaps: Bool,
              other: OverlapSide, lane: OverlapSide) throws -> FileOutcome {
        var names: [GitPath] = []
        for case let name? in [basePath, theirs?.path, ours?.path] where !names.contains(name) { names.append(name) }
        func outcome(_ steps: [(GitPath, MergeRule.Decision)], same: Bool = false) -> FileOutcome {
            var outcome = FileOutcome(path: basePath, names: names, overlaps: overlaps, oursPath: ours?.path, steps: steps)
            outcome.isSameChange = same
            return outcome
        }
        if ours == theirs { return outcome([], same: true) }
        let entry = { (fate: Fate?) in fate.map { TreeEntry(id: $0.version.id, mode: $0.version.mode) } }
        func contents(_ path: GitPath) -> MergeRule.Contents {
            MergeRule.Contents(base: { try a.map { try self.rule.repository.blob($0.id).bytes } },
                               ours: { guard let ours else { return [] }; return try other.bytes(of: ours.version, at: ours.path) },
                               theirs: { guard let theirs else { return [] }; return try lane.bytes(of: theirs.version, at: theirs.path) })
        }
        /// A conflict of where the file goes, at each of `paths` (git names each); a resolution
        /// takes one side's state of every one of them.
        func placement(_ kind: MergeConflict.Kind, _ message: String, at paths: [GitPath]) -> FileOutcome {
            func conflict(_ path: GitPath, _ resolution: ConflictResolution?) -> MergeConflict {
                var conflict = MergeConflict(path: path, kind: kind, message: message, hunks: [])
                conflict.resolution = resolution
                return conflict
            }
            switch rule.resolution {
            case .refuse, .markers:
                return outcome(paths.map { ($0, .conflict(conflict($0, nil))) })
            case .ours:
                return outcome(paths.map { ($0, .put(ours?.path == $0 ? entry(ours) : nil, conflict($0, .ours))) })
            case .theirs:
                var result = outcome(paths.map { ($0, .put(theirs?.path == $0 ? entry(theirs) : nil, conflict($0, .theirs))) })
                // Your name goes only if the lane's comes (nothing of yours is dropped otherwise).
                if let theirs, let ours, ours.path != theirs.path {
                    result.movedTo = theirs.path
                    result.movedAway = [ours.path]
                }
                return result
            }
        }
        guard let ours, let theirs else {
            let survivor = ours ?? theirs
            if let survivor, survivor.path != basePath {
                let who = ours == nil ? "the lane renamed \(basePath) to \(survivor.path), you deleted it"
                                      : "you renamed \(basePath) to \(survivor.path), the lane deleted it"
                return placement(.renameDelete, who, at: [survivor.path])
            }
            let decision = try rule.decide(path: basePath, base: entry(a.map { Fate(path: basePath, version: $0) }),
                                           ours: entry(ours), theirs: entry(theirs), contents: contents(basePath))
            return outcome([(basePath, decision)])
        }
        if ours.path != theirs.path && ours.path != basePath && theirs.path != basePath {
            return placement(.renameRename, "you renamed \(basePath) to \(ours.path), the lane to \(theirs.path)",
                             at: [ours.path, basePath, theirs.path])
        }
        let destination = ours.path != basePath ? ours.path : theirs.path
        let base = a.map { TreeEntry(id: $0.id, mode: $0.mode) }
        let decision = try rule.decide(path: destination, base: base, ours: entry(ours), theirs: entry(theirs), contents: contents(destination))
        guard ours.path == basePath, destination != basePath else { return outcome([(destination, decision)]) }
        // The lane moved the file you have at its old name: it goes to the new name, merged.
        var moved: FileOutcome
        switch decision {
        case .keep: moved = outcome([(destination, .put(entry(ours), nil)), (basePath, .put(nil, nil))])
        case .put(let merged, let conflict): moved = outcome([(destination, .put(merged, conflict)), (basePath, .put(nil, nil))])
        case .conflict: return outcome([(destination, decision)])
        }
        moved.movedAway = [basePath]
        moved.movedTo = destination
        return moved
    }
}
