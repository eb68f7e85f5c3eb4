import Foundation

/// The story `spur demo` tells, as shell steps run in a temporary repository. Each step is
/// printed before it runs, so a reader learns the commands; shell commands stand in for agents.
public struct DemoScript: Sendable {
    public let spurExecutable: String
    public init(spurExecutable: String) { self.spurExecutable = spurExecutable }

    struct Step {
        let comment: String
        let command: String
        /// The step is expected to exit non-zero (a refusal the story shows).
        var refuses = false
    }

    /// Three "agents": one documents, one adds a function, one rewrites the line you are editing.
    static let agentDocs = "sleep 1; printf '\\\\n## Usage\\\\n\\\\nCall greet().\\\\n' >> README.md"
    static let agentFeature = "sleep 1; printf '\\\\n\\\\ndef farewell():\\\\n    return 0\\\\n' >> app.py"
    static let agentRewrite = "sleep 1; sed -i 's/hello/hi there/' app.py"

    var steps: [Step] {
        [
            Step(comment: "A small project with one commit.", command:
                "git init -q -b main . && git config user.name Demo && git config user.email demo@example.com && "
                + "printf 'def greet():\\n    return \"hello\"\\n\\n\\ndef add(a, b):\\n    return a + b\\n' > app.py && printf '# Demo\\n' > README.md && "
                + "git add -A && git commit -qm 'first commit'"),
            Step(comment: "You have uncommitted work: spur's snapshot includes it, untracked files too.",
                 command: "echo 'todo: ship it' > notes.txt && git status --short"),
            Step(comment: "Three approaches at once, each in a lane of its own made from one snapshot.",
                 command: "spur explore try -m 'improve the app' --run \"\(Self.agentDocs)\" --run \"\(Self.agentFeature)\" --run \"\(Self.agentRewrite)\""),
            Step(comment: "Meanwhile you keep working, on the line one of the agents is rewriting.",
                 command: "sed -i 's/return \"hello\"/return \"hello, world\"/' app.py && git diff --stat"),
            Step(comment: "Block until the lanes end (no polling), with a summary of each.", command: "spur wait"),
            Step(comment: "Side by side: what each did and where it collides with your edits.", command: "spur compare try"),
            Step(comment: "Each lane's own diff, for review.", command: "spur diff try-2"),
            Step(comment: "The lane that rewrote your line is flagged: nothing is written, the conflict is shown.",
                 command: "spur merge try-3", refuses: true),
            Step(comment: "Keep the clean approach: merged into your dirty tree, the other lanes discarded.",
                 command: "spur pick try-2"),
            Step(comment: "Your edit and the lane's function are both there; index and HEAD untouched.",
                 command: "cat app.py && git status --short"),
            Step(comment: "Every merge can be undone byte for byte.", command: "spur undo && cat app.py"),
        ]
    }

    /// Runs the story in a new temporary folder and returns its path.
    public func run() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spur-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let binDir = folder + "-bin"
        try FileManager.default.createDirectory(atPath: binDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: binDir) }
        try FileManager.default.createSymbolicLink(atPath: binDir + "/spur", withDestinationPath: spurExecutable)
        print("# demo repository: \(folder)")
        for step in steps {
            print("\n# \(step.comment)")
            print("$ \(step.command)")
            fflush(nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", step.command]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = binDir + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["GIT_PAGER"] = "cat"
            process.environment = environment
            try process.run()
            process.waitUntilExit()
            let failed = process.terminationStatus != 0
            if failed != step.refuses {
                throw SpurError("demo step \(failed ? "failed" : "unexpectedly succeeded") (exit \(process.terminationStatus)): \(step.command)")
            }
            if step.refuses { print("(exit \(process.terminationStatus): refused, as it should be)") }
        }
        return folder
    }
}
