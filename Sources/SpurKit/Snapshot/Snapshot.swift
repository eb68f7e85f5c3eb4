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
        if !updateIndex, let staged = repository.stagedWorkdirTree() {
            tree = try FilterDrivers.correct(tree: staged, of: repository)
        } else {
            let index = try stagedIndex(of: repository)
            tree = try FilterDrivers.correct(tree: index.writeTree(to: repository), of: repository)
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
        if let staged = repository.stagedWorkdirTree() { return try FilterDrivers.correct(tree: staged, of: repository) }
        return try FilterDrivers.correct(tree: stagedIndex(of: repository).writeTree(to: repository), of: repository)
    }

    /// The repository's index as on disk, with the whole working tree staged in memory.
    ///
    /// Starting from the on-disk index lets its stat cache recognise unchanged files without
    /// hashing them. The index is changed only in memory; callers own a fresh repository handle,
    /// so the change dies with it.
    static func stagedIndex(of repository: Repository) throws -> Index {
        let index: Index
        do {
            index = try repository.index()
        } catch let error as GitError where error.message.contains("'link'") {
            // The fast path reads a split index; libgit2 (needed here for a gitlink, a sparse
            // or conflicted index...) cannot.
            throw SpurError("the index is split (core.splitIndex), which spur reads only when it needs no libgit2 index here; run 'git update-index --no-split-index' and try again")
        }
        let plan = try IndexStaging.prepare(index, of: repository)
        let nested = try index.stageWorkingTree(skipping: plan.skipped)
        try IndexStaging.finish(plan, index)
        // Like git, a repository inside the working tree becomes a gitlink to its HEAD.
        try IndexStaging.addNested(nested.filter { !plan.skipped.contains($0) }, to: index, of: repository)
        return index
    }
}
