import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// The work around libgit2's `add_all` that makes the in-memory staging of a snapshot agree with
/// `git add -A` (issue #15): refusals where git refuses, intent-to-add entries resolved by spur
/// (libgit2 1.5.1 aborts on some of them, upstream #6475), and untracked folders holding a
/// `.git` that is not a repository walked as git walks them.
enum IndexStaging {
    /// What spur stages itself instead of libgit2's `add_all`.
    struct Plan {
        /// Paths `add_all` must leave alone.
        var skipped: Set<GitPath> = []
        /// Entries to add after `add_all`.
        var entries: [(path: GitPath, id: ObjectID, mode: FileMode)] = []
    }

    /// Before `add_all`: refuses a tracked path that is now neither a file, a link nor a folder
    /// (as git does); stages each tracked file truncated to 0 bytes itself (libgit2 1.5.1 aborts
    /// hashing one through an eol filter, "free(): invalid pointer", fixed upstream in #6475);
    /// and replaces each intent-to-add entry by what `git add -A` stages for it (its content;
    /// nothing when the file is gone or the entry is marked assume-unchanged or skip-worktree,
    /// since git then never looks at the file and writes no tree entry for it).
    static func prepare(_ index: Index, of repository: Repository, ignored: IgnoredPaths) throws -> Plan {
        var plan = Plan()
        guard let workdir = repository.workdir else { return plan }
        let trustFileMode = try repository.config().bool("core.filemode") ?? true
        for entry in index.entries() where entry.mode != .commit && !entry.isSkipWorktree && !entry.isAssumeUnchanged {
            guard let info = FileStat.of(entry.path.under(workdir)) else { continue }
            if info.kind == .other {
                throw SpurError("\(entry.path.display): can only add regular files, symbolic links or git-directories (git add -A refuses it too)")
            }
            if info.kind == .file && info.size == 0 {
                // Every built-in filter (eol, ident) turns no bytes into no bytes: staged here
                // with its stat data, so libgit2 sees it unchanged and makes no patch of it.
                let mode = info.gitMode(trustFileMode: trustFileMode, known: entry.mode)
                try index.add(path: entry.path, id: repository.writeBlob([]), mode: mode, statOf: entry.path.under(workdir))
            }
        }
        // A skip-worktree or assume-unchanged entry below a name that is now a file or a link:
        // git adds that file (when not ignored) and drops the entries it replaces; libgit2
        // keeps the flagged entry and leaves the user's file out.
        var replaced: [GitPath: Bool] = [:]
        for entry in index.entries() where (entry.isSkipWorktree || entry.isAssumeUnchanged) && !entry.isIntentToAdd {
            for folder in entry.path.ancestorFolders {
                let isReplaced: Bool
                if let known = replaced[folder] {
                    isReplaced = known
                } else {
                    let kind = FileStat.of(folder.under(workdir))?.kind
                    isReplaced = (kind == .file || kind == .symlink) && !ignored.isIgnored(folder, isFolder: false)
                    replaced[folder] = isReplaced
                }
                if isReplaced {
                    try index.remove(path: entry.path)
                    break
                }
            }
        }
        // Gitlinks are resolved here: libgit2 parses .gitmodules for them and fails on a
        // malformed one, which git does not even read for `git add -A`.
        for entry in index.entries() where entry.mode == .commit && !entry.isSkipWorktree && !entry.isAssumeUnchanged {
            try index.remove(path: entry.path)
            plan.skipped.insert(entry.path)
            let full = entry.path.under(workdir)
            guard let info = FileStat.of(full) else { continue }  // gone: git stages the deletion
            if info.kind == .directory, let inner = try? Repository(path: full), let head = try inner.headCommitID() {
                plan.entries.append((entry.path, head, .commit))
            } else if info.kind == .directory {
                plan.entries.append((entry.path, entry.id, .commit))  // not checked out: git keeps it
            } else {
                plan.skipped.remove(entry.path)  // a file or link now: staged by add_all
            }
        }
        for entry in index.entries() where entry.isIntentToAdd {
            try index.remove(path: entry.path)
            plan.skipped.insert(entry.path)
            if entry.isAssumeUnchanged || entry.isSkipWorktree { continue }
            let full = entry.path.under(workdir)
            guard let info = FileStat.of(full) else { continue }
            switch info.kind {
            case .symlink:
                guard let target = FileBytes.linkTarget(full) else { throw SpurError("cannot read the link \(entry.path.display)") }
                plan.entries.append((entry.path, try repository.writeBlob(target), .link))
            case .file:
                let mode = info.gitMode(trustFileMode: trustFileMode, known: nil)
                let id = info.size == 0 ? try repository.writeBlob([]) : try repository.writeBlob(fromWorkdirFile: entry.path)
                plan.entries.append((entry.path, id, mode))
            case .directory, .other:
                plan.skipped.remove(entry.path)  // staged by add_all as untracked content, as git does
            }
        }
        return plan
    }

    /// After `add_all`: the entries `prepare` staged itself.
    static func finish(_ plan: Plan, _ index: Index) throws {
        for entry in plan.entries where !entry.path.isEmpty {
            try index.add(path: entry.path, id: entry.id, mode: entry.mode)
        }
    }

    /// Stages untracked files and links `add_all` passed over, as git stages them (no filters
    /// here: the checkin filters apply them to every new file afterwards).
    static func addUntracked(_ paths: [GitPath], to index: Index, of repository: Repository) throws {
        guard let workdir = repository.workdir, !paths.isEmpty else { return }
        let trustFileMode = try repository.config().bool("core.filemode") ?? true
        for path in paths {
            guard let info = FileStat.of(path.under(workdir)) else { continue }
            switch info.kind {
            case .symlink:
                guard let target = FileBytes.linkTarget(path.under(workdir)) else { throw SpurError("cannot read the link \(path.display)") }
                try index.add(path: path, id: repository.writeBlob(target), mode: .link)
            case .file:
                let id = info.size == 0 ? try repository.writeBlob([]) : try repository.writeBlob(fromWorkdirFile: path)
                try index.add(path: path, id: id, mode: info.gitMode(trustFileMode: trustFileMode, known: nil))
            case .directory, .other:
                continue
            }
        }
    }

    /// After `add_all`: records each untracked folder libgit2 took for a repository as git does:
    /// a gitlink to its HEAD when it is one with a commit, a refusal (git's reason) when it has
    /// none, and its files when its `.git` is not a repository at all.
    static func addNested(_ nested: [GitPath], to index: Index, of repository: Repository, ignored: IgnoredPaths) throws {
        guard let workdir = repository.workdir else { return }
        for path in nested {
            guard let inner = try? Repository(path: path.under(workdir)) else {
                try addFolder(path, to: index, of: repository, workdir: workdir, ignored: ignored)
                continue
            }
            guard let head = try inner.headCommitID() else {
                throw SpurError("'\(path.display)/' does not have a commit checked out (git add -A refuses it too)")
            }
            try index.add(path: path, id: head, mode: .commit)
        }
    }

    /// Stages the not-ignored files below untracked folder `path` (its `.git` is not a repository).
    private static func addFolder(_ path: GitPath, to index: Index, of repository: Repository, workdir: String, ignored: IgnoredPaths) throws {
        guard let handle = opendir(path.under(workdir).cString) else {
            throw SpurError("cannot read \(path.display): \(String(cString: strerror(errno)))")
        }
        let names = FolderEntries.read(handle).map(\.name).sorted()
        closedir(handle)
        for name in names {
            let child = path.appending(name)
            guard let info = FileStat.of(child.under(workdir)) else { continue }
            switch info.kind {
            case .directory:
                if name == ".git" || ignored.isIgnored(child, isFolder: true) { continue }
                if FileStat.of(child.appending(".git").under(workdir)) != nil {
                    try addNested([child], to: index, of: repository, ignored: ignored)
                } else {
                    try addFolder(child, to: index, of: repository, workdir: workdir, ignored: ignored)
                }
            case .file, .symlink:
                if name == ".git" || ignored.isIgnored(child, isFolder: false) { continue }
                if info.kind == .symlink {
                    guard let target = FileBytes.linkTarget(child.under(workdir)) else { throw SpurError("cannot read the link \(child.display)") }
                    try index.add(path: child, id: repository.writeBlob(target), mode: .link)
                } else {
                    try index.add(path: child, id: repository.writeBlob(fromWorkdirFile: child), mode: info.gitMode(trustFileMode: true, known: nil))
                }
            case .other:
                continue
            }
        }
    }
}

/// The ignore rules of a snapshot staged through libgit2's index: git's rules (spur's matcher),
/// with each skip-worktree `.gitignore` missing from the working tree read from the index, as
/// git reads it.
enum IgnoreStaging {
    static func rules(of repository: Repository, index: Index) throws -> IgnoredPaths {
        var fromIndex: [GitPath: ObjectID] = [:]
        for entry in index.entries() where entry.isSkipWorktree && entry.mode != .commit
            && entry.path.hasLastName(".gitignore") {
            fromIndex[entry.path] = entry.id
        }
        return IgnoredPaths(try IgnoreRules(repository: repository, skipWorktreeRuleFiles: fromIndex))
    }
}
