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

/// Decides whether two sides' changes to one file combine, the way a three-way merge would:
/// per-file rules for deletions, renames, types and modes, then git's line merge for text.
struct OverlapJudge {
    let repository: Repository

    func judge(ancestor: FileVersion?, basePath: GitPath, ours: Fate?, theirs: Fate?,
               oursSide: OverlapSide, theirsSide: OverlapSide) throws -> Judgement {
        if ours == theirs { return .clean("same change on both sides") }
        guard let ours, let theirs else {
            let survivor = ours ?? theirs
            if survivor?.path != basePath { return .conflict("renamed on one side, deleted on the other") }
            if ancestor == nil { return .conflict("added on one side, deleted on the other") }
            return .conflict("deleted on one side, changed on the other")
        }
        if ours.path != theirs.path && ours.path != basePath && theirs.path != basePath {
            return .conflict("renamed to \(ours.path) on one side and to \(theirs.path) on the other")
        }
        let o = ours.version, t = theirs.version
        if o == t { return .clean("same change on both sides") }
        guard let a = ancestor else { return try judgeAdded(ours: ours, theirs: theirs, oursSide: oursSide, theirsSide: theirsSide) }
        if o == a || t == a { return .clean("only one side changed the content") }
        if o.kind != t.kind { return .conflict("type clash: \(o.kind.word) on one side, \(t.kind.word) on the other") }
        if o.mode != t.mode && o.mode != a.mode && t.mode != a.mode { return .conflict("mode clash") }
        if o.id == t.id || o.id == a.id || t.id == a.id { return .clean("changes merge") }
        if o.kind != .file { return .conflict("\(o.kind.word) changed differently on both sides") }
        let base = try repository.blob(a.id).bytes
        let mine = try oursSide.bytes(of: o, at: ours.path)
        let other = try theirsSide.bytes(of: t, at: theirs.path)
        if [base, mine, other].contains(where: Self.isBinary) { return .conflict("binary file changed on both sides") }
        if try FileMerge.merge(base: base, ours: mine, theirs: other).isClean { return .clean("changes merge") }
        return .conflict("same lines changed", lines: try Self.collidingLines(base: base, ours: mine, theirs: other))
    }

    /// Both sides created a file where the base had none.
    private func judgeAdded(ours: Fate, theirs: Fate, oursSide: OverlapSide, theirsSide: OverlapSide) throws -> Judgement {
        let o = ours.version, t = theirs.version
        if o.kind != t.kind { return .conflict("added on both sides as different types") }
        if o.id == t.id { return .conflict("added on both sides with different modes") }
        if o.kind != .file { return .conflict("added on both sides with different content") }
        let mine = try oursSide.bytes(of: o, at: ours.path)
        let other = try theirsSide.bytes(of: t, at: theirs.path)
        if Self.isBinary(mine) || Self.isBinary(other) { return .conflict("binary file added on both sides with different content") }
        if try FileMerge.merge(base: nil, ours: mine, theirs: other).isClean && o.mode == t.mode { return .clean("changes merge") }
        return .conflict("added on both sides with different content",
                         lines: try Self.collidingLines(base: [], ours: mine, theirs: other))
    }

    /// git's rule: a NUL byte in the first 8000 bytes makes content binary.
    static func isBinary(_ bytes: [UInt8]) -> Bool { bytes.prefix(8000).contains(0) }

    /// Lines of `ours` whose changes touch or overlap changes of `theirs` in the base (the
    /// pairs a line merge reports as conflicts, less identical changes), merged into runs.
    static func collidingLines(base: [UInt8], ours: [UInt8], theirs: [UInt8]) throws -> [LineRange] {
        let mine = try LineDiff.hunks(from: base, to: ours), other = try LineDiff.hunks(from: base, to: theirs)
        let ourLines = lines(of: ours), theirLines = lines(of: theirs)
        var ranges: [LineRange] = []
        for m in mine {
            let (ms, me) = baseSpan(m)
            for t in other {
                let (ts, te) = baseSpan(t)
                guard me >= ts && te >= ms else { continue }
                let ourText = text(ourLines, m)
                if ms == ts && me == te && ourText != nil && ourText == text(theirLines, t) { continue }
                let start = max(1, m.newStart)
                ranges.append(LineRange(start: start, end: m.newLines > 0 ? m.newStart + m.newLines - 1 : start))
            }
        }
        return merge(ranges)
    }

    /// A hunk's span in the base as 0-based [start, end); an insertion is empty at its position.
    private static func baseSpan(_ hunk: LineHunk) -> (Int, Int) {
        hunk.oldLines == 0 ? (hunk.oldStart, hunk.oldStart) : (hunk.oldStart - 1, hunk.oldStart - 1 + hunk.oldLines)
    }

    /// The lines a hunk puts in the new version (nil when out of range, which never matches).
    private static func text(_ lines: [ArraySlice<UInt8>], _ hunk: LineHunk) -> [ArraySlice<UInt8>]? {
        guard hunk.newLines > 0 else { return [] }
        let start = hunk.newStart - 1, end = start + hunk.newLines
        guard start >= 0, end <= lines.count else { return nil }
        return Array(lines[start..<end])
    }

    private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result = bytes.split(separator: 10, omittingEmptySubsequences: false)
        if bytes.last == 10 { result.removeLast() }
        return result
    }

    private static func merge(_ ranges: [LineRange]) -> [LineRange] {
        var result: [LineRange] = []
        for range in ranges.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let last = result.last, range.start <= last.end + 1 {
                result[result.count - 1] = LineRange(start: last.start, end: max(last.end, range.end))
            } else {
                result.append(range)
            }
        }
        return result
    }
}

extension FileVersion.Kind {
    var word: String {
        switch self {
        case .file: "file"
        case .symlink: "symlink"
        case .submodule: "submodule"
        case .folder: "folder"
        }
    }
}
