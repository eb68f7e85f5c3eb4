import Foundation
import Testing
import SpurTestSupport

extension TestRepository {
    /// Runs spur and throws unless it exits 0.
    @discardableResult
    func spurSucceeds(_ arguments: String..., cwd: String? = nil, env: [String: String] = [:]) throws -> ProcessResult {
        let result = try spurArguments(arguments, cwd: cwd, env: env)
        guard result.status == 0 else {
            throw TestFailure("spur \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// `spur spawn NAME --no-run ARGS...`; returns the lane's worktree path (the last stdout line).
    func spawnLane(_ name: String, _ arguments: String..., cwd: String? = nil, env: [String: String] = [:]) throws -> String {
        let result = try spurArguments(["spawn", name, "--no-run"] + arguments, cwd: cwd, env: env)
        guard result.status == 0, let path = result.lines.last else {
            throw TestFailure("spur spawn \(name) exited \(result.status): \(result.stderr)")
        }
        return path
    }

    /// `spur list --json` as raw JSON objects (so a test can tell a null field from a missing one).
    func listJSON(cwd: String? = nil) throws -> [[String: Any]] {
        let result = try spurSucceeds("list", "--json", cwd: cwd)
        guard let lanes = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            throw TestFailure("spur list --json printed no array: \(result.stdout)")
        }
        return lanes
    }

    func laneJSON(_ name: String, cwd: String? = nil) throws -> [String: Any]? {
        try listJSON(cwd: cwd).first { $0["name"] as? String == name }
    }

    /// The default folder of a lane's worktree.
    func defaultLanePath(_ name: String) -> String { root + "/.git/spur/worktrees/" + name }

    /// Records that nothing of lane `name` exists: no branch, no spur ref, no git worktree
    /// record, no worktree folder, no lane record.
    func expectNoTraceOfLane(_ name: String, worktree: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let refs = try spurRefs().filter { $0 == "refs/heads/spur/\(name)" || $0.hasPrefix("refs/spur/lanes/\(name)/") }
        #expect(refs.isEmpty, "stray refs: \(refs)", sourceLocation: sourceLocation)
        let folder = worktree ?? defaultLanePath(name)
        #expect(!FileManager.default.fileExists(atPath: folder), "stray worktree folder \(folder)", sourceLocation: sourceLocation)
        #expect(!(try worktreePaths()).contains(folder), "git still lists worktree \(folder)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: root + "/.git/worktrees/spur-\(name)"),
                "stray .git/worktrees/spur-\(name)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: root + "/.git/spur/lanes/\(name).json"),
                "stray lane record", sourceLocation: sourceLocation)
        #expect(try laneJSON(name) == nil, "spur list still shows \(name)", sourceLocation: sourceLocation)
    }

    /// Files and links (not folders) of a fingerprint, for comparing checked-out trees.
    func filesAndLinks(under folder: String) throws -> [String: String] {
        try Fingerprint.of(folder).filter { !$0.value.hasPrefix("dir") }
    }

    /// `git status --porcelain` in a folder (the lane's own index is git's to refresh).
    func porcelainStatus(in folder: String, ignored: Bool = false) throws -> String {
        try gitArguments(["status", "--porcelain"] + (ignored ? ["--ignored"] : []), cwd: folder)
    }
}

/// The time a test may give the product: these all run real subprocesses.
enum CLI {
    static var executableIsBuilt: Bool { FileManager.default.isExecutableFile(atPath: SpurExecutable.path) }
}
