import SpurGit

/// What git's merge (ort, with its default `merge.directoryRenames=conflict`) calls a
/// directory rename on one side: a folder of the base that the side no longer has, whose
/// files it mostly renamed into one other folder. A file the other side adds inside such a
/// folder is a conflict ("file location") at the path it would have in the new folder.
struct DirectoryRenames {
    /// Old folder to new folder.
    let folders: [GitPath: GitPath]

    var isEmpty: Bool { folders.isEmpty }

    /// The folder renames of `side`, counted from its file renames as git counts them: each
    /// rename votes for its folder pair, and for the parent pairs as long as the folders keep
    /// the same trailing names and the old one is gone; the majority wins, a tie names none.
    init(of side: OverlapSide) throws {
        var counts: [GitPath: [GitPath: Int]] = [:]
        var removed: [GitPath: Bool] = [:]
        func isRemoved(_ folder: GitPath) throws -> Bool {
            if folder.isEmpty { return false }
            if let known = removed[folder] { return known }
            let answer = try side.base.entry(at: folder)?.mode == .tree && !side.hasFolder(folder)
            removed[folder] = answer
            return answer
        }
        for (from, to) in try side.renamedFiles() {
            var old = from.parentAndName.parent, new = to.parentAndName.parent
            while old != new, try isRemoved(old) {
                counts[old, default: [:]][new, default: 0] += 1
                if old.isEmpty || new.isEmpty { break }
                let (oldParent, oldName) = old.parentAndName, (newParent, newName) = new.parentAndName
                guard oldName == newName else { break }
                old = oldParent
                new = newParent
            }
        }
        var folders: [GitPath: GitPath] = [:]
        for (old, votes) in counts {
            let most = votes.values.max() ?? 0
            let winners = votes.filter { $0.value == most }
            if winners.count == 1, let winner = winners.first { folders[old] = winner.key }
        }
        self.folders = folders
    }

    private init(folders: [GitPath: GitPath]) { self.folders = folders }

    /// Folder renames made by both sides count for neither (git's rule).
    func excluding(_ other: DirectoryRenames) -> DirectoryRenames {
        DirectoryRenames(folders: folders.filter { other.folders[$0.key] == nil })
    }

    /// Where `path` goes when the folder holding it moved, or nil. Only the file's own folder
    /// counts: git leaves a file in a new subfolder of a moved folder where it is.
    func target(of path: GitPath) -> GitPath? {
        let (folder, name) = path.parentAndName
        return folders[folder].map { $0.appending(name) }
    }
}
