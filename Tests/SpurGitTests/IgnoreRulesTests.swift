import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// spur's ignore matcher (`IgnoreRules`) against `git check-ignore --no-index -v`: random
/// patterns in random ignore files (root and folder `.gitignore`, `info/exclude`, the XDG
/// excludes file) over a random tree, every path asked, git's deciding rule (file, line,
/// negation) expected. Seeded: `SPUR_IGNORE_SEED` / `SPUR_IGNORE_CASES` replay or widen it.
@Suite struct IgnoreRulesTests {
    static let names = ["a", "b", "ab", "a.log", "b.txt", "keep.log", "x y", "[a]", "a*", "c?", "!n", "#h", ".hidden",
                        "A", "build", "out", "dé", "a\\b", "tail ", "-", "deep"]
    static let pieces = ["a", "b", "*", "**", "?", "[ab]", "[!a]", "[^b]", "[[:alpha:]]", "[[:digit:][:punct:]]", "[a-c]",
                         "*.log", "\\*", "b*", "*b", "a?", "[]a]", "[a-]", "\\[a]", "build", "out", "deep", "keep.log",
                         "x y", "\\!n", "\\#h", ".hidden", "dé", "[[:upper:]]", "[[:space:]]*", "*[", "a\\", "[:alpha:]",
                         "[[:nope:]]", "***", "a**", "**b"]

    struct Case {
        var folders: [String] = [""]
        var files: [String] = []
        var links: [(path: String, target: String)] = []
        var ignoreFiles: [String: String] = [:]
        /// Folders whose `.gitignore` is a link to a rules file (git reads no rules from it).
        var linkedIgnoreFiles: [String] = []
    }

    static func pattern(_ random: inout SeededGenerator) -> String {
        var text = ""
        if Int.random(in: 0..<4, using: &random) == 0 { text += "!" }
        if Int.random(in: 0..<4, using: &random) == 0 { text += "/" }
        let count = Int.random(in: 1...3, using: &random)
        text += (0..<count).map { _ in pieces.randomElement(using: &random) ?? "a" }.joined(separator: "/")
        switch Int.random(in: 0..<8, using: &random) {
        case 0: text += "/"
        case 1: text += "  "
        case 2: text += "\\ "
        case 3: text += "\r"
        default: break
        }
        return text
    }

    static func ignoreFile(_ random: inout SeededGenerator) -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: lines.append("# a comment")
            case 1: lines.append("")
            default: lines.append(pattern(&random))
            }
        }
        return lines.joined(separator: "\n") + (Bool.random(using: &random) ? "\n" : "")
    }

    static func makeCase(_ random: inout SeededGenerator) -> Case {
        var made = Case()
        for _ in 0..<Int.random(in: 2...6, using: &random) {
            let parent = made.folders.randomElement(using: &random) ?? ""
            guard parent.split(separator: "/").count < 3 else { continue }
            let path = (parent.isEmpty ? "" : parent + "/") + (names.randomElement(using: &random) ?? "a")
            if !made.folders.contains(path) { made.folders.append(path) }
        }
        for _ in 0..<Int.random(in: 6...16, using: &random) {
            let parent = made.folders.randomElement(using: &random) ?? ""
            let path = (parent.isEmpty ? "" : parent + "/") + (names.randomElement(using: &random) ?? "a")
            if !made.folders.contains(path) && !made.files.contains(path) { made.files.append(path) }
        }
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let parent = made.folders.randomElement(using: &random) ?? ""
            let path = (parent.isEmpty ? "" : parent + "/") + (["build", "out", "deep", "ln"].randomElement(using: &random) ?? "ln")
            if !made.folders.contains(path) && !made.files.contains(path) && !made.links.contains(where: { $0.path == path }) {
                made.links.append((path, "."))
            }
        }
        for folder in made.folders where Int.random(in: 0..<3, using: &random) > 0 {
            made.ignoreFiles[(folder.isEmpty ? "" : folder + "/") + ".gitignore"] = ignoreFile(&random)
        }
        for folder in made.folders where made.ignoreFiles[(folder.isEmpty ? "" : folder + "/") + ".gitignore"] == nil
            && Int.random(in: 0..<3, using: &random) == 0 {
            made.linkedIgnoreFiles.append(folder)
        }
        if Bool.random(using: &random) { made.ignoreFiles[".git/info/exclude"] = ignoreFile(&random) }
        if Bool.random(using: &random) { made.ignoreFiles["XDG"] = ignoreFile(&random) }
        return made
    }

    /// git's deciding rule for each path: "source\0line\0pattern" or nil.
    static func gitDecisions(_ repository: TestRepository, _ paths: [String]) throws -> [String: (source: String, line: Int, negative: Bool)] {
        let result = try ProcessRunner.run("/usr/bin/git", ["check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"], cwd: repository.root,
                                           environment: repository.environment,
                                           stdin: paths.joined(separator: "\0") + "\0")
        guard result.status == 0 || result.status == 1 else { throw TestFailure("check-ignore: \(result.stderr)") }
        let fields = result.stdout.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        var decisions: [String: (source: String, line: Int, negative: Bool)] = [:]
        var k = 0
        while k + 3 < fields.count {
            let (source, line, pattern, path) = (fields[k], fields[k + 1], fields[k + 2], fields[k + 3])
            if !source.isEmpty { decisions[path] = (source, Int(line) ?? -1, pattern.hasPrefix("!")) }
            k += 4
        }
        return decisions
    }

    static func sameSource(_ git: String, _ spur: String) -> Bool {
        if git.hasSuffix("info/exclude") { return spur.hasSuffix("info/exclude") }
        if git.hasSuffix("git/ignore") { return spur.hasSuffix("git/ignore") }
        return git == spur
    }

    @Test func theMatcherDecidesAsGitCheckIgnoreOnRandomRulesAndPaths() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["SPUR_IGNORE_SEED"] ?? "") ?? 1500
        let cases = Int(ProcessInfo.processInfo.environment["SPUR_IGNORE_CASES"] ?? "") ?? 40
        var compared = 0
        for offset in 0..<UInt64(cases) {
            var random = SeededGenerator(seed: seed + offset)
            let made = Self.makeCase(&random)
            let repository = try TestRepository.empty()
            defer { repository.remove() }
            let root = URL(fileURLWithPath: repository.root)
            for folder in made.folders where !folder.isEmpty {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for file in made.files { try Data("f\n".utf8).write(to: root.appendingPathComponent(file)) }
            for link in made.links {
                try FileManager.default.createSymbolicLink(atPath: repository.path(link.path), withDestinationPath: link.target)
            }
            for (path, content) in made.ignoreFiles {
                let target = path == "XDG" ? repository.scratch + "/home/.config/git/ignore" : repository.path(path)
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(content.utf8).write(to: URL(fileURLWithPath: target))
            }
            if !made.linkedIgnoreFiles.isEmpty {
                try Data("*\n".utf8).write(to: URL(fileURLWithPath: repository.scratch + "/linked-rules"))
                for folder in made.linkedIgnoreFiles {
                    try FileManager.default.createSymbolicLink(atPath: repository.path((folder.isEmpty ? "" : folder + "/") + ".gitignore"),
                                                               withDestinationPath: repository.scratch + "/linked-rules")
                }
            }
            let queried = made.folders.filter { !$0.isEmpty } + made.files + made.links.map(\.path)
            let git = try Self.gitDecisions(repository, queried)
            let rules = try PinnedLibgit2.run(for: repository) {
                let rules = try IgnoreRules(repository: Repository(path: repository.root))
                // Read; gone before another test can find it through the process-wide search path.
                try? FileManager.default.removeItem(atPath: repository.scratch + "/home/.config/git/ignore")
                return rules
            }
            let paths = IgnoredPaths(rules)
            for path in queried {
                let isFolder = made.folders.contains(path)
                let spur = paths.decision(for: GitPath(path), isFolder: isFolder)
                let expected = git[path]
                let agree = expected.map { e in spur.map { Self.sameSource(e.source, $0.source) && $0.line == e.line && $0.negative == e.negative } ?? false }
                    ?? (spur == nil)
                #expect(agree, """
                    seed \(seed + offset): \(path)\(isFolder ? "/" : ""): git \(expected.map { "\($0.source):\($0.line)\($0.negative ? " (!)" : "")" } ?? "no rule"), \
                    spur \(spur.map { "\($0.source):\($0.line)\($0.negative ? " (!)" : "")" } ?? "no rule")
                    rules: \(made.ignoreFiles)
                    """)
                compared += 1
            }
        }
        #expect(compared > cases * 5)
    }
}
