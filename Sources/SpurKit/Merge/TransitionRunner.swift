import Foundation
import SpurGit

/// Applies path transitions to a working tree in a safe order, each one compare-and-swap
/// (see `WorkingTreeFiles`), and remembers what it did so a failure can be rolled back.
///
/// Order: removals first, then folders emptied by them (merge) or listed folders (undo) are
/// removed when empty, then files and links are written in path order, so a file may turn
/// into a folder or back.
struct TransitionRunner {
    let files: WorkingTreeFiles
    let repository: Repository
    private(set) var done: [FileTransition] = []

    init(files: WorkingTreeFiles, repository: Repository) {
        self.files = files
        self.repository = repository
    }

    /// Applies `transitions`; contents come from `contents` or, when missing there, from the
    /// object database. Stops at the first failure (a `WriteRace` when a path changed).
    mutating func run(_ transitions: [FileTransition], contents: [GitPath: DiskContent] = [:],
                      removeEmptiedFolders: Bool, foldersToRemove: [GitPath] = []) throws {
        let removals = transitions.filter { $0.to == .absent }.sorted { $0.path > $1.path }
        let writes = transitions.filter { $0.to != .absent }.sorted { $0.path < $1.path }
        // Every content is at hand before the first path changes, so a missing one stops
        // the run with nothing half done.
        var loaded = contents
        for transition in writes where loaded[transition.path] == nil {
            loaded[transition.path] = try DiskContent.load(transition.to, from: repository)
        }
        for transition in removals {
            try files.apply(transition, content: .absent)
            done.append(transition)
        }
        if removeEmptiedFolders {
            for transition in removals { files.removeEmptyFolders(above: transition.path) }
        }
        for folder in foldersToRemove.sorted(by: >) { files.removeFolderIfEmpty(folder) }
        for transition in writes {
            let content = try loaded[transition.path] ?? DiskContent.load(transition.to, from: repository)
            try files.apply(transition, content: content)
            done.append(transition)
        }
    }

    /// Puts back what `run` did, newest first. Returns the paths it could not restore because
    /// they changed again meanwhile (those keep their current content).
    mutating func rollBack(foldersToRemove: [GitPath] = []) -> [GitPath] {
        var failed: [GitPath] = []
        for transition in done.reversed() {
            do {
                try files.apply(transition.reversed, content: DiskContent.load(transition.from, from: repository))
            } catch {
                failed.append(transition.path)
            }
        }
        for folder in foldersToRemove.sorted(by: >) { files.removeFolderIfEmpty(folder) }
        done = []
        return failed
    }
}

/// Where each path of a record stands now.
struct TransitionProgress {
    /// Paths still in their `from` state.
    var pending: [FileTransition] = []
    /// Paths already in their `to` state.
    var completed: [FileTransition] = []
    /// Paths in neither state, with what is there now.
    var changed: [(transition: FileTransition, current: DiskEntry, bytes: [UInt8]?)] = []

    /// `createdFolders`: folders the merge made; a path that became one of them counts as removed.
    init(_ transitions: [FileTransition], createdFolders: [GitPath], files: WorkingTreeFiles) throws {
        for transition in transitions {
            let current: (entry: DiskEntry, bytes: [UInt8]?)
            do { current = try files.read(transition.path) } catch let error as UnsafePath {
                throw SpurError(error.description)
            }
            let becameFolder = current.entry == .directory && transition.to == .absent && createdFolders.contains(transition.path)
            if current.entry == transition.to || becameFolder { completed.append(transition) }
            else if current.entry == transition.from { pending.append(transition) }
            else { changed.append((transition, current.entry, current.bytes)) }
        }
    }

    var changedPaths: [GitPath] { changed.map(\.transition.path) }
}

/// Names a list of paths in one line: the first few, then how many in all.
func describePaths(_ paths: [GitPath], limit: Int = 8) -> String {
    let shown = paths.prefix(limit).map(\.display).joined(separator: ", ")
    return paths.count > limit ? "\(shown), … (\(paths.count) files)" : shown
}
