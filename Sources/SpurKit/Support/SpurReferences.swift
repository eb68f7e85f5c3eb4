import SpurGit

/// The refs only spur writes: a lane's (`refs/heads/spur/NAME`, `refs/spur/lanes/NAME/…`),
/// written while holding the spur lock, and a merge's (`refs/spur/merges/N/…`), written while
/// holding the merge lock. Under that lock no other spur writes the ref, so a `<ref>.lock` file
/// found then was left by a spur killed mid-write: `write` removes it and writes once more.
/// The lock of any other ref (HEAD, your branches, `packed-refs`) is never touched.
enum SpurReferences {
    /// True for the refs spur owns and writes only under one of its locks.
    static func isOwned(_ name: String) -> Bool {
        name.hasPrefix("refs/heads/spur/") || name.hasPrefix("refs/spur/")
    }

    /// Runs `update` (one write or deletion of ref `name`); when a lock file left by a killed
    /// spur stops it, removes that file and runs it once more. Call only while holding the lock
    /// that covers `name` (the spur lock for lane refs, the merge lock for merge refs).
    static func write<T>(_ name: String, in repository: Repository, _ update: () throws -> T) throws -> T {
        do {
            return try update()
        } catch let error as GitError where error.isLocked && isOwned(name) {
            guard try repository.removeReferenceLock(name) else { throw error }
            return try update()
        }
    }

    /// Removes the lock files of `names` (refs spur owns) that a killed spur left; for clean-ups
    /// of spawns that died, run while holding the spur lock.
    static func removeStaleLocks(_ names: [String], in repository: Repository) throws {
        for name in names where isOwned(name) { try repository.removeReferenceLock(name) }
    }
}
