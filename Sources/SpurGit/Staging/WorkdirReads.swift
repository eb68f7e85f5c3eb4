import CGit2

/// The regular files `git add -A` reads from the working tree (tracked ones whose stat data
/// does not prove them unchanged, and untracked ones not ignored), which it runs through the
/// content filters; every other file keeps the blob the index records.
public struct WorkdirReads: Sendable {
    /// Tracked files read (in any order; git reads them in path order, before the untracked).
    public var tracked: [GitPath] = []
    /// Untracked files read.
    public var untracked: [GitPath] = []
    /// The blobs the index on disk holds for the tracked files read and for every `.gitattributes`.
    public var indexBlobs: [GitPath: ObjectID] = [:]
    /// `.gitattributes` entries git add never touches (skip-worktree, assume-unchanged): their
    /// staged rules apply wherever the working tree has no file.
    public var untouchedAttributeFiles: Set<GitPath> = []
    /// Tracked files git does not read (stat data matches) that libgit2 may have re-read: their
    /// index blobs stand.
    public var statClean: [GitPath: ObjectID] = [:]

    public init() {}
}

extension WorkdirStager {
    /// The regular files this scan read (see `WorkdirReads`).
    func reads() -> WorkdirReads {
        var reads = WorkdirReads()
        for file in pending where !file.isLink {
            let path = file.folder.appending(file.name)
            if let entry = file.entry {
                reads.tracked.append(path)
                reads.indexBlobs[path] = ObjectID(index.entries[entry].id)
            } else {
                reads.untracked.append(path)
            }
        }
        for i in index.entries.indices {
            let entry = index.entries[i]
            guard entry.pathLength >= 14,
                  index.paths[(entry.pathStart + entry.pathLength - 14)..<(entry.pathStart + entry.pathLength)].elementsEqual(Self.attributesName),
                  entry.pathLength == 14 || index.paths[entry.pathStart + entry.pathLength - 15] == 0x2F else { continue }
            reads.indexBlobs[index.path(i)] = ObjectID(entry.id)
        }
        return reads
    }
}
