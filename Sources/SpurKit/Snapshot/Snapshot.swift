import SpurGit

/// A commit recording a working tree exactly as `git add -A` would commit it: HEAD plus staged,
/// unstaged and untracked-but-not-ignored files, deletions, modes and symlinks.
///
/// Taking one changes nothing the user owns: not `.git/index` (not even its stat data), not the
/// working tree, HEAD, a branch or the stash. Its only writes are objects in the object database.
public struct Snapshot: Sendable, Equatable {
    /// The snapshot commit.
    public let commit: ObjectID
    /// Its tree: the working tree's content.
    public let tree: ObjectID
    /// HEAD when it was taken; nil on an unborn HEAD (the commit then has no parent).
    public let parent: ObjectID?

    /// Records the working tree whose root is `workdir` as a commit with `message`.
    ///
    /// The tree comes from a direct scan against the on-disk index when the repository allows
    /// it (`Repository.stagedWorkdirTree`), else from libgit2's index with the tree staged in it.
    ///
    /// `updateIndex` writes the staged result back to that worktree's own index, so it shows as
    /// clean afterwards; spur uses it only for a lane's worktree, never for the user's.
    public static func take(workdir: String, message: String = "spur snapshot", updateIndex: Bool = false) throws -> Snapshot {
        try take(repository: Repository(path: workdir), message: message, updateIndex: updateIndex)
    }

    /// The same for a repository the caller opened: a lane's worktree is opened through its
    /// registered admin folder (`LaneWorktree`), never by discovery from its folder.
    public static func take(repository: Repository, message: String, updateIndex: Bool) throws -> Snapshot {
        let parent = try repository.headCommitID()
        let tree: ObjectID
        if !updateIndex, let staged = repository.stagedWorkdirTreeAndReads() {
            tree = try CheckinFilters.correct(tree: staged.tree, of: repository, reads: staged.reads)
        } else {
            let original = repository.indexAsOnDisk()
            let index = try stagedIndex(of: repository)
            let reads = try CheckinFilters.fallbackReads(of: repository, original: original, staged: index)
            tree = try CheckinFilters.correct(tree: index.writeTree(to: repository), of: repository, reads: reads)
            if updateIndex { try index.write() }
        }
        let commit = try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message)
        return Snapshot(commit: commit, tree: tree, parent: parent)
    }

    /// The tree id of the working tree at `workdir`, as `take` would record it, without a commit.
    public static func treeID(workdir: String) throws -> ObjectID {
        try treeID(repository: Repository(path: workdir))
    }

    /// The same for a repository the caller opened.
    public static func treeID(repository: Repository) throws -> ObjectID {
        if let staged = repository.stagedWorkdirTreeAndReads() {
            return try CheckinFilters.correct(tree: staged.tree, of: repository, reads: staged.reads)
        }
        let original = repository.indexAsOnDisk()
        let index = try stagedIndex(of: repository)
        let reads = try CheckinFilters.fallbackReads(of: repository, original: original, staged: index)
        return try CheckinFilters.correct(tree: index.writeTree(to: repository), of: repository, reads: reads)
    }

    /// The repository's index as on disk, with the whole working tree staged in memory.
    ///
    /// Starting from the on-disk index lets its stat cache recognise unchanged files without
    /// hashing them. The index is changed only in memory; callers own a fresh repository handle,
    /// so the change dies with it.
    static func stagedIndex(of repository: Repository) throws -> Index {
        let index = try repository.index()  // a split index too (spur reads it for libgit2)
        // Racily clean entries are re-read, judged in whole seconds as git does.
        if let written = FileStat.of(repository.gitDir + "/index")?.mtimeSeconds {
            try index.forgetStatOfEntries(modifiedSince: written)
        }
        let sparse = try SparseCheckout.of(repository)
        if sparse != nil, try repository.config().bool("sparse.expectFilesOutsideOfPatterns") != true, let workdir = repository.workdir {
            // As git reads a sparse checkout's index: a skip-worktree file that is present is tracked as any other.
            try index.clearSkipWorktree { FileStat.of($0.under(workdir)) != nil }
        }
        let ignored = try IgnoreStaging.rules(of: repository, index: index)
        let plan = try IndexStaging.prepare(index, of: repository, ignored: ignored)
        let leftovers = try index.stageWorkingTree(skipping: plan.skipped, ignored: ignored, sparse: sparse)
        let nested = leftovers.nestedRepositories
        // libgit2 passes over a repository whose files are all ignored; git does not.
        let walk = try repository.untrackedWalk(besides: index, ignored: ignored)
        let missed = walk.repositories.filter { !nested.contains($0) && !plan.skipped.contains($0) }
        // Untracked files libgit2 passed over (see `untrackedWalk`); git adds them.
        let missedFiles = walk.files.filter { !plan.skipped.contains($0) && !leftovers.outsideSparseCheckout.contains($0) }
        let outside = leftovers.outsideSparseCheckout + (missed + missedFiles).filter { path in sparse.map { !$0.contains(path) } ?? false }
        if let first = outside.first {
            let more = outside.count > 1 ? " (and \(outside.count - 1) more)" : ""
            throw SpurError("\(first.display)\(more) is outside your sparse-checkout definition: git add -A refuses to stage it, so spur cannot record it; run 'git sparse-checkout add' for it, or move or remove it, and try again")
        }
        try IndexStaging.addUntracked(missedFiles, to: index, of: repository)
        try IndexStaging.finish(plan, index)
        // Like git, a repository inside the working tree becomes a gitlink to its HEAD.
        try IndexStaging.addNested(nested.filter { !plan.skipped.contains($0) }, to: index, of: repository, ignored: ignored)
        try IndexStaging.addNested(missed, to: index, of: repository, ignored: ignored)
        return index
    }
}
