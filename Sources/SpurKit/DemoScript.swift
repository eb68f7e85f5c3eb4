import Foundation

/// The story `spur demo` tells, as a list of shell steps run in a temporary repository.
/// Each step is printed before it runs, so a reader learns the commands.
public struct DemoScript: Sendable {
    public let spurExecutable: String
    public init(spurExecutable: String) { self.spurExecutable = spurExecutable }

    struct Step { let comment: String; let command: String }

    var steps: [Step] {
        [
            Step(comment: "A small project with one commit.", command: """
                git init -q -b main . && git config user.name Demo && git config user.email demo@example.com && \
                printf 'def greet():\\n    return "hello"\\n' > app.py && printf '# Demo\\n' > README.md && \
                git add -A && git commit -qm 'first commit'
                """),
            Step(comment: "You edit without committing: spur's snapshot will include this.",
                 command: "printf '\\ndef farewell():\\n    return \"bye\"\\n' >> app.py && echo notes > notes.txt && git status --short"),
            Step(comment: "A lane: a snapshot of your working tree, a branch and a worktree of its own.",
                 command: "spur spawn docs -m 'write the docs' --no-run"),
            Step(comment: "Your index and working tree are untouched.", command: "git status --short"),
            Step(comment: "What lanes exist.", command: "spur list"),
        ]
    }

    /// Runs the story in a new temporary folder and returns its path.
    public func run() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spur-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let binDir = folder + "-bin"
        try FileManager.default.createDirectory(atPath: binDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: binDir) }
        try? FileManager.default.removeItem(atPath: binDir + "/spur")
        try FileManager.default.createSymbolicLink(atPath: binDir + "/spur", withDestinationPath: spurExecutable)
        print("# demo repository: \(folder)")
        for step in steps {
            print("\n# \(step.comment)")
            print("$ \(step.command)")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", step.command]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = binDir + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["NO_COLOR"] = environment["NO_COLOR"] ?? ""
            process.environment = environment
            fflush(nil)
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw SpurError("demo step failed (exit \(process.terminationStatus)): \(step.command)")
            }
        }
        return folder
    }
}
