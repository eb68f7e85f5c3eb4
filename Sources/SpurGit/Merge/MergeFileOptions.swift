import CGit2

/// How `FileMerge` writes a region both sides changed differently.
public enum ConflictStyle: Sendable, Equatable {
    /// `<<<<<<<` ours `=======` theirs `>>>>>>>`.
    case merge
    /// Like `merge`, with the base between `|||||||` and `=======` (git's `--diff3`).
    case diff3
}

/// Which side a three-way file merge takes for regions both sides changed differently.
public enum ConflictFavor: Sendable, Equatable {
    /// Leave such regions as conflicts.
    case none
    case ours
    case theirs
    /// Both sides' lines, ours first.
    case union
}

/// The line diff a three-way file merge aligns each side with the base by.
public enum MergeDiffAlgorithm: Sendable, Equatable {
    /// libgit2's default (Myers): aligns repeated lines (braces, blank lines) where it finds
    /// them first, so changes near them can collide where git's merge sees none.
    case myers
    /// Aligns on lines that occur once in both versions first. git's merge uses histogram
    /// diff, which libgit2 lacks; patience is its closest relative and agrees with it far
    /// more often than Myers (the default here).
    case patience
}

/// Options of a three-way file merge. Labels appear after the conflict markers.
public struct MergeFileOptions: Sendable, Equatable {
    public var baseLabel: String?
    public var oursLabel: String?
    public var theirsLabel: String?
    public var style: ConflictStyle
    public var favor: ConflictFavor
    /// Length of the marker runs (`<<<<<<<` is 7, git's default).
    public var markerSize: Int
    public var diffAlgorithm: MergeDiffAlgorithm

    public init(baseLabel: String? = nil, oursLabel: String? = nil, theirsLabel: String? = nil,
                style: ConflictStyle = .merge, favor: ConflictFavor = .none, markerSize: Int = 7,
                diffAlgorithm: MergeDiffAlgorithm = .patience) {
        self.baseLabel = baseLabel
        self.oursLabel = oursLabel
        self.theirsLabel = theirsLabel
        self.style = style
        self.favor = favor
        self.markerSize = markerSize
        self.diffAlgorithm = diffAlgorithm
    }
}

/// The outcome of a three-way file merge.
public struct MergeFileResult: Sendable, Equatable {
    /// True when the merge resolved every region (by itself or through `favor`).
    public let isClean: Bool
    /// True when an input looked binary (a NUL byte in its first 8000 bytes): binary files are
    /// never merged line by line; without a favour the result is a conflict with empty `bytes`.
    public let isBinary: Bool
    /// The merged content, with conflict markers where `isClean` is false (empty for a binary conflict).
    public let bytes: [UInt8]
}
