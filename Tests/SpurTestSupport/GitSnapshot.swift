import Foundation

/// The tree git records for a working tree (`git add -A` into a temporary index, `git write-tree`),
/// and the check every merge test makes with it: the working tree holds the reported result.
public enum GitSnapshot {
    /// The tree id git writes for the working tree at `workdir` as `git add -A` would stage it,
    /// using a temporary index in `scratch` so the real one is untouched (the independent oracle
    /// for snapshots). The temporary index starts as a copy of the real one, so what only the
    /// index knows (skip-worktree and assume-unchanged bits, intent-to-add entries, conflicts)
    /// counts as it does for `git add -A`; without an index it starts from HEAD.
    public static func tree(of workdir: String, environment: [String: String], scratch: String) throws -> String {
        let index = scratch + "/oracle-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: index) }
        func git(_ arguments: String..., env: [String: String] = [:]) throws -> String {
            let result = try ProcessRunner.run("/usr/bin/git", arguments, cwd: workdir, environment: environment.merging(env) { $1 })
            guard result.status == 0 else {
                throw TestFailure("git \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
            }
            return result.stdout
        }
        let env = ["GIT_INDEX_FILE": index]
        let realIndex = try git("rev-parse", "--path-format=absolute", "--git-path", "index").trimmingCharacters(in: .whitespacesAndNewlines)
        if FileManager.default.fileExists(atPath: realIndex) {
            try FileManager.default.copyItem(atPath: realIndex, toPath: index)
            // Keep the index's time: git trusts an entry's stat data (to the second) only when
            // the entry is older than the index; a copy dated now would hide a file rewritten
            // in the same second with the same size.
            _ = try ProcessRunner.run("/usr/bin/touch", ["-r", realIndex, index], cwd: workdir, environment: environment)
        } else if (try? git("rev-parse", "--verify", "-q", "HEAD")) != nil {
            _ = try git("read-tree", "HEAD", env: env)
        }
        _ = try git("add", "-A", env: env)
        return try git("write-tree", env: env).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Throws, naming the paths that differ, unless git's snapshot of the working tree at
    /// `workdir` is exactly `expected` (a merge's reported result tree): after a merge the
    /// working tree must hold, byte for byte as git records it, what the merge reported.
    public static func requireWorkingTree(_ workdir: String, equals expected: String, environment: [String: String],
                                          scratch: String, _ context: String = "") throws {
        let actual = try tree(of: workdir, environment: environment, scratch: scratch)
        guard actual != expected else { return }
        let differences = try ProcessRunner.run("/usr/bin/git", ["diff-tree", "-r", "--no-renames", "--raw", expected, actual],
                                                cwd: workdir, environment: environment).stdout
        throw TestFailure("\(context.isEmpty ? "" : context + ": ")the working tree (\(actual)) is not the merge's result tree (\(expected)):\n\(differences)")
    }
}

extension TestRepository {
    /// Throws unless the working tree holds exactly `resultTree` (see `GitSnapshot.requireWorkingTree`).
    public func requireWorkingTree(equals resultTree: String, _ context: String = "") throws {
        try GitSnapshot.requireWorkingTree(root, equals: resultTree, environment: environment, scratch: scratch, context)
    }

    /// Throws unless the working tree holds exactly the result tree of the newest merge spur
    /// recorded (the first parent of `refs/spur/merges/N/after` is the commit of that tree).
    public func requireWorkingTreeHoldsLastMerge(_ context: String = "") throws {
        let refs = try git("for-each-ref", "--format=%(refname)", "refs/spur/merges/").split(separator: "\n")
        let ids = refs.compactMap { ref -> Int? in
            let parts = ref.split(separator: "/")
            return parts.count == 5 && parts[4] == "after" ? Int(parts[3]) : nil
        }
        guard let newest = ids.max() else { throw TestFailure("no merge recorded") }
        let tree = try git("rev-parse", "refs/spur/merges/\(newest)/after^1^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
        try requireWorkingTree(equals: tree, context)
    }
}
