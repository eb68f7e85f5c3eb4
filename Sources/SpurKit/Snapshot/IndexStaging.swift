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
    static func prepare(_ index: Index, of repository: Repository) throws -> Plan {
        var plan = Plan()
        guard let workdir = repository.workdir else { return plan }
        let trustFileMode = try repository.config().bool("core.filemode") ?? true
        for entry in index.entries() where entry.isSkipWorktree && entry.path.hasLastName(".gitignore") {
            // git reads such a file's rules from the index; libgit2 only from the working tree.
            if FileStat.of(entry.path.under(workdir)) == nil {
                throw SpurError("\(entry.path) is skip-worktree and missing from the working tree: git still applies its rules, spur cannot; check it out (git sparse-checkout add, or git update-index --no-skip-worktree and git checkout) and try again")
            }
        }
        for entry in index.entries() where entry.mode != .commit && !entry.isSkipWorktree && !entry.isAssumeUnchanged {
            guard let info = FileStat.of(entry.path.under(workdir)) else { continue }
            if info.kind == .other {
                throw SpurError("\(entry.path): can only add regular files, symbolic links or git-directories (git add -A refuses it too)")
            }
            if info.kind == .file && info.size == 0 {
                // Every built-in filter (eol, ident) turns no bytes into no bytes: staged here
                // with its stat data, so libgit2 sees it unchanged and makes no patch of it.
                let mode = info.gitMode(trustFileMode: trustFileMode, known: entry.mode)
                try index.add(path: entry.path, id: repository.writeBlob([]), mode: mode, statOf: entry.path.under(workdir))
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

    /// After `add_all`: records each untracked folder libgit2 took for a repository as git does:
    /// a gitlink to its HEAD when it is one with a commit, a refusal (git's reason) when it has
    /// none, and its files when its `.git` is not a repository at all.
    static func addNested(_ nested: [GitPath], to index: Index, of repository: Repository) throws {
        guard let workdir = repository.workdir else { return }
        for path in nested {
            guard let inner = try? Repository(path: path.under(workdir)) else {
                try addFolder(path, to: index, of: repository, workdir: workdir)
                continue
            }
            guard let head = try inner.headCommitID() else {
                throw SpurError("'\(path.display)/' does not have a commit checked out (git add -A refuses it too)")
            }
            try index.add(path: path, id: head, mode: .commit)
        }
    }

    /// Stages the not-ignored files below untracked folder `path` (its `.git` is not a repository).
    private static func addFolder(_ path: GitPath, to index: Index, of repository: Repository, workdir: String) throws {
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
                if try name == ".git" || repository.isIgnored(child, asFolder: true) { continue }
                if FileStat.of(child.appending(".git").under(workdir)) != nil {
                    try addNested([child], to: index, of: repository)
                } else {
                    try addFolder(child, to: index, of: repository, workdir: workdir)
                }
            case .file, .symlink:
                if try name == ".git" || repository.isIgnored(child, asFolder: false) { continue }
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
