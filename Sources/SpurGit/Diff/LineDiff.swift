import CGit2

/// One run of changed lines between two versions of a text (1-based line numbers, as in a
/// unified diff header). A pure insertion has `oldLines == 0` and `oldStart` is the line it
/// follows; a pure deletion has `newLines == 0` and `newStart` is the line it follows.
public struct LineHunk: Sendable, Equatable {
    public let oldStart: Int
    public let oldLines: Int
    public let newStart: Int
    public let newLines: Int

    public init(oldStart: Int, oldLines: Int, newStart: Int, newLines: Int) {
        self.oldStart = oldStart
        self.oldLines = oldLines
        self.newStart = newStart
        self.newLines = newLines
    }
}

/// Line diffs of in-memory buffers, without context lines.
public enum LineDiff {
    /// The changed line runs from `old` to `new` (the same myers diff git's merge uses).
    public static func hunks(from old: [UInt8], to new: [UInt8]) throws -> [LineHunk] {
        Libgit2.ensureInitialised()
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.context_lines = 0
        options.interhunk_lines = 0
        options.flags |= GIT_DIFF_FORCE_TEXT.rawValue
        final class Collector { var hunks: [LineHunk] = [] }
        let collector = Collector()
        let result = withExtendedLifetime(collector) {
            old.withUnsafeBytes { o in
                new.withUnsafeBytes { n in
                    git_diff_buffers(o.baseAddress, o.count, nil, n.baseAddress, n.count, nil, &options, nil, nil, { _, hunk, payload in
                        guard let hunk, let payload else { return 0 }
                        let h = hunk.pointee
                        Unmanaged<Collector>.fromOpaque(payload).takeUnretainedValue().hunks.append(
                            LineHunk(oldStart: Int(h.old_start), oldLines: Int(h.old_lines),
                                     newStart: Int(h.new_start), newLines: Int(h.new_lines)))
                        return 0
                    }, nil, Unmanaged.passUnretained(collector).toOpaque())
                }
            }
        }
        try check(result, "git_diff_buffers")
        return collector.hunks
    }
}
