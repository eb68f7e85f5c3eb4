import SpurGit

/// How overlap reads to a person: `status` lines, the finish verdict and `list`'s column.
extension LaneOverlapReport {
    /// "3 files overlap your edits, 1 conflicts: src/a.swift lines 10-14"; nil without overlap.
    public var userSummary: String? {
        guard !withUser.isEmpty else { return nil }
        return Self.sentence(Self.distinct(withUser), with: "your edits")
    }

    /// One sentence per other live lane this lane collides with.
    public var laneSummaries: [String] {
        withLanes.map { Self.sentence(Self.distinct($0.paths), with: "lane \($0.lane)") }
    }

    /// The finish notification's verdict: "done; 4 files; ready to merge cleanly", or
    /// "done; 4 files; flagged: 1 conflict with your edits in src/a.swift".
    public var finishVerdict: String {
        let head = lane.state.rawValue
        guard let outlook = mergeOutlook else { return "\(head); no changes" }
        return "\(head); \(Self.count(changedFiles.count, "file")); \(outlook)"
    }

    /// What merging the lane now would meet: "ready to merge cleanly", or "flagged: 1 conflict
    /// with your edits in src/a.swift"; nil when the lane changed nothing.
    public var mergeOutlook: String? {
        guard !changedFiles.isEmpty else { return nil }
        var flags: [String] = []
        let mine = Self.distinct(userConflicts)
        if !mine.isEmpty {
            flags.append("\(Self.count(mine.count, "conflict")) with your edits in \(mine.map(\.located).joined(separator: ", "))")
        }
        for collision in withLanes {
            let theirs = Self.distinct(collision.conflicts)
            if !theirs.isEmpty {
                flags.append("\(Self.count(theirs.count, "conflict")) with lane \(collision.lane) in \(theirs.map(\.path.display).joined(separator: ", "))")
            }
        }
        if !flags.isEmpty { return "flagged: " + flags.joined(separator: "; ") }
        let overlapping = Self.distinct(withUser).count
        guard overlapping > 0 else { return "ready to merge cleanly" }
        let note = overlapping == 1 ? "1 file overlaps your edits and merges" : "\(overlapping) files overlap your edits, all merge"
        return "ready to merge cleanly (\(note))"
    }

    /// `list`'s OVERLAP column: "-", "you 3 (1 conflict)", "you 2; lane docs 1 (1 conflict)".
    public var columnText: String {
        guard isLive else { return "-" }
        var parts: [String] = []
        if !withUser.isEmpty { parts.append("you " + Self.tally(withUser)) }
        for collision in withLanes { parts.append("lane \(collision.lane) " + Self.tally(collision.paths)) }
        return parts.isEmpty ? "-" : parts.joined(separator: "; ")
    }

    static func tally(_ paths: [OverlapPath]) -> String {
        let files = distinct(paths)
        let conflicts = files.filter { $0.verdict == .conflict }.count
        return "\(files.count)" + (conflicts > 0 ? " (\(count(conflicts, "conflict")))" : "")
    }

    static func sentence(_ files: [OverlapPath], with whom: String) -> String {
        let conflicts = files.filter { $0.verdict == .conflict }
        let verb = files.count == 1 ? "overlaps" : "overlap"
        let opening = "\(count(files.count, "file")) \(verb) \(whom)"
        if conflicts.isEmpty {
            return opening + ", " + (files.count == 1 ? "merges cleanly" : "all merge cleanly") + ": " + files.map(\.path.display).joined(separator: ", ")
        }
        let described = conflicts.map { file in
            file.located + (file.reason == "same lines changed" ? "" : " (\(file.reason))")
        }
        return opening + ", \(conflicts.count) \(conflicts.count == 1 ? "conflicts" : "conflict"): " + described.joined(separator: ", ")
    }

    /// One entry per file: a renamed file appears under both names but counts once (the
    /// entry carrying line numbers, or the first name, stands for it).
    static func distinct(_ paths: [OverlapPath]) -> [OverlapPath] {
        var seen = Set<GitPath>()
        var result: [OverlapPath] = []
        for path in paths.sorted(by: { ($0.lines.isEmpty ? 1 : 0, $0.path) < ($1.lines.isEmpty ? 1 : 0, $1.path) }) {
            if seen.contains(path.path) { continue }
            seen.insert(path.path)
            if let other = path.otherName { seen.insert(other) }
            result.append(path)
        }
        return result.sorted { $0.path < $1.path }
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
