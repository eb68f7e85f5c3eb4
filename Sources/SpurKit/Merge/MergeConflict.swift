import Foundation
import SpurGit

/// What `spur merge` does with paths both you and the lane changed in ways that do not combine.
public enum ConflictResolution: String, Sendable, Codable, CaseIterable {
    /// Write nothing at all and list the conflicts (the default).
    case refuse
    /// Write conflict markers (diff3 style, with the base) into conflicting text files.
    case markers
    /// Take your side for conflicting hunks and files.
    case ours
    /// Take the lane's side for conflicting hunks and files.
    case theirs
}

/// One region of a text file both sides changed differently.
public struct ConflictHunk: Sendable, Codable, Equatable {
    /// The region's first line in your version of the file (1-based).
    public let line: Int
    public let ours: [String]
    public let base: [String]
    public let theirs: [String]

    public init(line: Int, ours: [String], base: [String], theirs: [String]) {
        self.line = line
        self.ours = ours
        self.base = base
        self.theirs = theirs
    }
}

/// A path the merge could not combine by itself.
public struct MergeConflict: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Both changed the same lines.
        case content
        /// Both changed a binary file.
        case binary
        /// Both changed the executable bit differently.
        case mode
        /// You changed the file, the lane deleted it.
        case modifyDelete = "modify/delete"
        /// You deleted the file, the lane changed it.
        case deleteModify = "delete/modify"
        /// One side has a file, the other a link (or two different link targets).
        case fileType = "file type"
        /// A file of one side is where the other has a folder.
        case directoryFile = "directory/file"
        /// An untracked (ignored) file of yours is where the lane puts a file.
        case untrackedInTheWay = "untracked file in the way"
        /// The path leads through a symbolic link in your working tree.
        case symlinkInPath = "symbolic link in path"
        /// Both changed a submodule commit.
        case submodule
        /// One side renamed the file, the other deleted it.
        case renameDelete = "rename/delete"
        /// The two sides renamed the file to different names.
        case renameRename = "rename/rename"
        /// One side added the file in a folder the other side moved elsewhere (git's directory
        /// rename detection puts it in the new folder and asks you to confirm).
        case fileLocation = "file location"
    }

    public let path: GitPath
    public let kind: Kind
    /// One line saying what happened to whom.
    public let message: String
    /// For `content`: the regions in conflict.
    public let hunks: [ConflictHunk]
    /// How it was settled: `markers`, `ours` or `theirs`; nil when it was not (the default
    /// refuses the whole merge; otherwise your version of the path is left as it is).
    public var resolution: ConflictResolution?

    /// Conflicts spur cannot settle by taking a side: writing would destroy a file or folder
    /// that is not part of the merge, or go through a link.
    public var isUnresolvable: Bool {
        [.directoryFile, .untrackedInTheWay, .symlinkInPath].contains(kind)
    }
}

enum ConflictHunks {
    /// Marker length used to find hunks; long enough not to occur in ordinary files.
    static let markerSize = 41

    /// The conflict regions of a diff3-style merge output made with `markerSize`.
    static func parse(_ bytes: [UInt8]) -> [ConflictHunk] {
        let open = String(repeating: "<", count: markerSize)
        let baseMarker = String(repeating: "|", count: markerSize)
        let middle = String(repeating: "=", count: markerSize)
        let close = String(repeating: ">", count: markerSize)
        enum Section { case common, ours, base, theirs }
        var section = Section.common
        var oursLine = 1, start = 1
        var ours: [String] = [], base: [String] = [], theirs: [String] = []
        var hunks: [ConflictHunk] = []
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            switch section {
            case .common where line.hasPrefix(open):
                section = .ours
                start = oursLine
                ours = []; base = []; theirs = []
            case .ours where line.hasPrefix(baseMarker):
                section = .base
            case .ours where line == middle, .base where line == middle:
                section = .theirs
            case .theirs where line.hasPrefix(close):
                hunks.append(ConflictHunk(line: start, ours: ours, base: base, theirs: theirs))
                section = .common
            case .common:
                oursLine += 1
            case .ours:
                ours.append(line)
                oursLine += 1
            case .base:
                base.append(line)
            case .theirs:
                theirs.append(line)
            }
        }
        return hunks
    }
}
