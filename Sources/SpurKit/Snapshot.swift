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
    public static func take(workdir: String, message: String = "spur snapshot") throws -> Snapshot {
        let repository = try Repository(path: workdir)
        let parent = try repository.headCommitID()
        let tree = try workingTreeID(of: repository)
        let commit = try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message)
        return Snapshot(commit: commit, tree: tree, parent: parent)
    }

    /// The tree id the working tree of `repository` would have as a snapshot, without a commit.
    ///
    /// Starts from the repository's index as it is on disk, so the stat cache recognises
    /// unchanged files without hashing them; the index is changed only in memory and never
    /// written back. The caller's `repository` handle must not be used for index work afterwards,
    /// so the public entry points open their own handle.
    static func workingTreeID(of repository: Repository) throws -> ObjectID {
        let index = try repository.index()
        for nested in try index.stageWorkingTree() {
            // Like git, record a repository inside the working tree as a gitlink to its HEAD
            // (git refuses one without a commit; the snapshot leaves it out).
            guard let workdir = repository.workdir,
                  let head = try? Repository(path: workdir + "/" + nested).headCommitID() else { continue }
            try index.add(path: nested, id: head, mode: .commit)
        }
        return try index.writeTree(to: repository)
    }

    /// The tree id of the working tree at `workdir`, as `take` would record it.
    public static func treeID(workdir: String) throws -> ObjectID {
        let repository = try Repository(path: workdir)
        return try workingTreeID(of: repository)
    }
}
