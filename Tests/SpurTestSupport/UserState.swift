import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything of a repository's that belongs to the user and that spur must leave alone: the
/// index file (bytes and stat data), HEAD, every ref outside spur's own namespaces, the stash
/// and its log, and a byte-for-byte fingerprint of the working tree.
public struct UserState: Equatable, CustomStringConvertible {
    public let indexBytes: Data?
    /// mtime, ctime (seconds.nanoseconds), inode and size of `.git/index`; empty when absent.
    public let indexStat: String
    public let headFile: String
    public let head: String
    /// `refname objectname` lines, without `refs/spur/` and `refs/heads/spur/`.
    public let refs: [String]
    public let stashLog: Data?
    public let workingTree: [String: String]

    public var description: String {
        "UserState(index \(indexBytes?.count ?? -1) bytes, stat \(indexStat), HEAD \(headFile.trimmingCharacters(in: .whitespacesAndNewlines)) = \(head), \(refs.count) refs, \(workingTree.count) paths)"
    }

    /// Lists what differs from `other`, for readable failures.
    public func differences(from other: UserState) -> [String] {
        var result: [String] = []
        if indexBytes != other.indexBytes { result.append(".git/index bytes") }
        if indexStat != other.indexStat { result.append(".git/index stat \(other.indexStat) -> \(indexStat)") }
        if headFile != other.headFile || head != other.head { result.append("HEAD \(other.head) -> \(head)") }
        if refs != other.refs { result.append("refs \(other.refs) -> \(refs)") }
        if stashLog != other.stashLog { result.append("stash log") }
        for key in Set(workingTree.keys).union(other.workingTree.keys).sorted() where workingTree[key] != other.workingTree[key] {
            result.append("working tree: \(key)")
        }
        return result
    }
}

extension TestRepository {
    /// The user-owned state of the repository now (see `UserState`). Runs only git commands
    /// that never write the index.
    public func userState() throws -> UserState {
        let gitDir = root + "/.git"
        let refs = try git("for-each-ref", "--format=%(refname) %(objectname)")
            .split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("refs/spur/") && !$0.hasPrefix("refs/heads/spur/") }
        let head = (try? git("rev-parse", "--verify", "-q", "HEAD"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unborn"
        return UserState(
            indexBytes: FileManager.default.contents(atPath: gitDir + "/index"),
            indexStat: Self.statLine(gitDir + "/index"),
            headFile: (try? String(contentsOfFile: gitDir + "/HEAD", encoding: .utf8)) ?? "",
            head: head,
            refs: refs,
            stashLog: FileManager.default.contents(atPath: gitDir + "/logs/refs/stash"),
            workingTree: try fingerprint())
    }

    static func statLine(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "" }
        return "mtime \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) ctime \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec) ino \(info.st_ino) size \(info.st_size)"
    }

    /// The full ref names that spur owns now for lanes and merges (`refs/spur/...` and
    /// `refs/heads/spur/...`), without the archives of removed lanes (`archiveRefs`), which
    /// outlive their lanes by design.
    public func spurRefs() throws -> [String] {
        try git("for-each-ref", "--format=%(refname)", "refs/spur", "refs/heads/spur")
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("refs/spur/archive/") }
    }

    /// The archives of removed lanes, `refs/spur/archive/NAME/TIME`, sorted.
    public func archiveRefs() throws -> [String] {
        try git("for-each-ref", "--format=%(refname)", "refs/spur/archive")
            .split(separator: "\n").map(String.init)
    }

    /// Worktree paths `git worktree list` knows, the main one first.
    public func worktreePaths() throws -> [String] {
        try git("worktree", "list", "--porcelain").split(separator: "\n")
            .filter { $0.hasPrefix("worktree ") }.map { String($0.dropFirst("worktree ".count)) }
    }

    /// `git rev-parse` of one revision, trimmed.
    public func revParse(_ revision: String, cwd: String? = nil) throws -> String {
        try git("rev-parse", "--verify", "-q", revision, cwd: cwd).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
