import CGit2
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// Adds a linked worktree called `name` (its admin folder is `<common dir>/worktrees/<name>`)
    /// at `path`, with HEAD on the existing branch `branch` (a full ref name), and checks it out.
    ///
    /// `applyFilters: false` skips attribute lookups and content filters during checkout, which
    /// is only correct when the repository has no filter, eol or text attributes and no autocrlf;
    /// spur then writes the files itself (`checkOutIntoEmptyWorktree`), libgit2 only creates the
    /// worktree's records. With filters, libgit2's checkout writes them.
    public func addWorktree(name: String, path: String, branch: String, applyFilters: Bool) throws {
        var reference: OpaquePointer?
        try check(withPointer { git_reference_lookup(&reference, $0, branch) }, "git_reference_lookup(\(branch))")
        defer { git_reference_free(reference) }
        var options = git_worktree_add_options()
        try check(git_worktree_add_options_init(&options, UInt32(GIT_WORKTREE_ADD_OPTIONS_VERSION)), "git_worktree_add_options_init")
        options.ref = reference
        var worktree: OpaquePointer?
        // A dry run limited to a path no tree can hold: libgit2 writes the records, no file.
        options.checkout_options.checkout_strategy = GIT_CHECKOUT_NONE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
            | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        try withStrarray([".git/spur-no-such-path"]) { paths in
            options.checkout_options.paths = paths.pointee
            try check(withPointer { git_worktree_add(&worktree, $0, name, path, &options) }, "git worktree add \(path)")
        }
        git_worktree_free(worktree)
        let added = try Repository(path: path)
        let tree = try added.treeID(ofCommit: added.commitID(forRevision: "HEAD"))
        if applyFilters {
            try added.checkOutWithFilters(tree: tree)
        } else {
            try added.checkOutIntoEmptyWorktree(tree: tree)
        }
        try added.inheritSparseCheckout(from: self)
    }

    /// libgit2's checkout of `tree` with content filters, as `git worktree add` gives it: the
    /// index is written first, so the attributes of every file come from the tree's
    /// `.gitattributes` (an empty index made libgit2 read them from the half-written working
    /// tree: files written before `.gitattributes` missed its rules).
    func checkOutWithFilters(tree treeID: ObjectID) throws {
        let index = try self.index()
        try index.read(tree: tree(treeID))
        try index.write()
        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_RECREATE_MISSING.rawValue
        try index.withPointer { index in
            try check(withPointer { git_checkout_index($0, index, &options) }, "checkout")
        }
        try expandIdentAfterCheckout(index)
    }

    /// Names of the linked worktrees git knows about.
    public func worktreeNames() throws -> [String] {
        var list = git_strarray()
        try check(withPointer { git_worktree_list(&list, $0) }, "git_worktree_list")
        defer { git_strarray_dispose(&list) }
        return (0..<list.count).compactMap { list.strings[$0].map { String(cString: $0) } }
    }

    /// Removes git's record of the linked worktree `name` (and its folder, when `removeFolder`),
    /// even when locked or still present. A worktree git does not know is not an error.
    public func pruneWorktree(name: String, removeFolder: Bool) throws {
        var worktree: OpaquePointer?
        let result = withPointer { git_worktree_lookup(&worktree, $0, name) }
        // libgit2 1.5 answers a missing worktree with a generic -1 (no message), not ENOTFOUND.
        let record = commonDir + "/worktrees/" + name
        if result == GIT_ENOTFOUND.rawValue || (result < 0 && access(record, F_OK) != 0) { return }
        if result < 0 {
            // A damaged record (its gitdir or HEAD file gone) that libgit2 cannot open: remove it,
            // as `git worktree prune` does. The caller removes the working tree itself.
            do { try FileManager.default.removeItem(atPath: record) } catch { try check(result, "git_worktree_lookup(\(name))") }
            return
        }
        defer { git_worktree_free(worktree) }
        var options = git_worktree_prune_options()
        try check(git_worktree_prune_options_init(&options, UInt32(GIT_WORKTREE_PRUNE_OPTIONS_VERSION)), "git_worktree_prune_options_init")
        var flags = GIT_WORKTREE_PRUNE_VALID.rawValue | GIT_WORKTREE_PRUNE_LOCKED.rawValue
        if removeFolder { flags |= GIT_WORKTREE_PRUNE_WORKING_TREE.rawValue }
        options.flags = flags
        try check(git_worktree_prune(worktree, &options), "git worktree prune \(name)")
    }
}
