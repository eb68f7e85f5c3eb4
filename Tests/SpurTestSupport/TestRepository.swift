import Foundation

/// A git repository in a fresh temporary folder, for one test. Git and spur run with a pinned
/// configuration (their own HOME, no system config), so a developer's ~/.gitconfig cannot change
/// results. Call `remove()` when done (or use `TestRepository.with { ... }`).
public final class TestRepository: @unchecked Sendable {
    /// The working tree root (symlinks resolved).
    public let root: String
    /// A folder beside the repository for HOME and scratch files.
    public let scratch: String

    public init() throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("spur-test-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let resolved = base.resolvingSymlinksInPath().path
        root = resolved + "/repo"
        scratch = resolved + "/scratch"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/home", withIntermediateDirectories: true)
        try "[user]\n\tname = Spur Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
            .write(toFile: scratch + "/home/.gitconfig", atomically: true, encoding: .utf8)
    }

    /// A new repository after `git init` (no commit yet).
    public static func empty() throws -> TestRepository {
        let repository = try TestRepository()
        try repository.git("init", "-q")
        return repository
    }

    /// A new repository built by `fixtures/scenarios/NAME.sh` (run with `sh` in the repository folder).
    public static func scenario(_ name: String) throws -> TestRepository {
        let repository = try empty()
        try repository.shell("sh '\(Fixtures.path("scenarios/\(name).sh"))'")
        return repository
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent)
    }

    /// Runs `body` with a new repository and removes it afterwards.
    public static func with<T>(_ make: () throws -> TestRepository, _ body: (TestRepository) throws -> T) throws -> T {
        let repository = try make()
        defer { repository.remove() }
        return try body(repository)
    }

    /// The pinned environment for git and spur subprocesses.
    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = scratch + "/home"
        env["XDG_CONFIG_HOME"] = scratch + "/home/.config"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_AUTHOR_DATE"] = nil
        env["NO_COLOR"] = "1"
        // Lanes' port blocks are this test's own (a developer's registry is never touched).
        env["SPUR_PORT_REGISTRY"] = scratch + "/home/.cache/spur/ports.json"
        env.removeValue(forKey: "GIT_DIR")
        env.removeValue(forKey: "GIT_INDEX_FILE")
        env.removeValue(forKey: "GIT_WORK_TREE")
        return env
    }

    /// Runs git in the repository (or `cwd`); throws when it exits non-zero. Returns stdout.
    @discardableResult
    public func git(_ arguments: String..., cwd: String? = nil, env: [String: String] = [:]) throws -> String {
        try gitArguments(arguments, cwd: cwd, env: env)
    }

    @discardableResult
    public func gitArguments(_ arguments: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> String {
        let result = try ProcessRunner.run("/usr/bin/git", arguments, cwd: cwd ?? root, environment: environment.merging(env) { $1 })
        guard result.status == 0 else {
            throw TestFailure("git \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs a shell command in the repository; throws when it exits non-zero. Returns stdout.
    @discardableResult
    public func shell(_ command: String, cwd: String? = nil) throws -> String {
        let result = try ProcessRunner.run("/bin/sh", ["-c", command], cwd: cwd ?? root, environment: environment)
        guard result.status == 0 else { throw TestFailure("sh -c '\(command)' exited \(result.status): \(result.stderr)") }
        return result.stdout
    }

    /// Runs the built `spur` executable in the repository (or `cwd`).
    @discardableResult
    public func spur(_ arguments: String..., cwd: String? = nil, env: [String: String] = [:], stdin: String? = nil) throws -> ProcessResult {
        try spurArguments(arguments, cwd: cwd, env: env, stdin: stdin)
    }

    @discardableResult
    public func spurArguments(_ arguments: [String], cwd: String? = nil, env: [String: String] = [:], stdin: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(SpurExecutable.path, arguments, cwd: cwd ?? root,
                              environment: environment.merging(env) { $1 }, stdin: stdin)
    }

    /// Runs the built `spur-hook claude` (or `executable`, a copy of it) in the repository (or `cwd`).
    public func spurHook(cwd: String? = nil, env: [String: String] = [:], stdin: String,
                         executable: String = SpurExecutable.hookPath) throws -> ProcessResult {
        try ProcessRunner.run(executable, ["claude"], cwd: cwd ?? root, environment: environment.merging(env) { $1 }, stdin: stdin)
    }

    public func path(_ relative: String) -> String { root + "/" + relative }

    public func write(_ relative: String, _ content: String) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: full, atomically: false, encoding: .utf8)
    }

    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    public func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }

    /// The tree id git writes for the working tree as `git add -A` would stage it, using a
    /// temporary index so the real one is untouched (the independent oracle for snapshots).
    /// The temporary index starts as a copy of the real one, so what only the index knows
    /// (skip-worktree and assume-unchanged bits, intent-to-add entries, conflicts) counts as it
    /// does for `git add -A`; without an index it starts from HEAD.
    public func gitSnapshotTree(of workdir: String? = nil) throws -> String {
        try GitSnapshot.tree(of: workdir ?? root, environment: environment, scratch: scratch)
    }

    /// SHA-256-free fingerprint of every file under the working tree except `.git`: path, mode,
    /// link target or bytes. Two equal fingerprints mean byte-for-byte equal trees.
    public func fingerprint() throws -> [String: String] {
        try Fingerprint.of(root)
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Paths into the repository's `fixtures/` folder.
public enum Fixtures {
    public static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.appendingPathComponent("fixtures").path
            }
        }
        return "fixtures"
    }

    public static func path(_ relative: String) -> String { root + "/" + relative }

    public static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Where the built `spur` executable is (beside the test bundle in the build folder).
public enum SpurExecutable {
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["SPUR_EXECUTABLE"] { return override }
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("spur").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        // Fall back to the package's default build folder.
        return URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().appendingPathComponent(".build/debug/spur").path
    }

    /// `spur-hook`, built beside `spur` (as they are installed).
    public static var hookPath: String {
        ProcessInfo.processInfo.environment["SPUR_HOOK_EXECUTABLE"]
            ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("spur-hook").path
    }
}
