import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// spur's own attribute lookup (`AttributeLookup`) answers what `git check-attr -a` answers: random
/// attribute files (root, folders, info/attributes, core.attributesFile; macros, `!attr`, `-attr`,
/// values, quoted and negative patterns, folder-only patterns, links, staged-only files) and
/// random paths, seeded so a failure replays (`SPUR_ATTR_SEED`, `SPUR_ATTR_CASES`).
@Suite struct AttributeLookupTests {
    static let patterns = [
        "*", "*.txt", "*.c", "a/*.txt", "/x*", "**/b/*", "a/**", "[a-c]*.t?t", "\"q u.txt\"", "b/", "a/b/",
        "!neg.txt", "\\!lit.txt", "*.[!t]xt", "**/*.c", "a/**/z.c", "x?.txt", "*[[:digit:]]*", "b", "/b/*.c",
        "a/b", "**/z*", "*.TXT", "[]x]*", "c/*", "*/*.txt", "\"\\141.c\"", "#notapattern", "z.c", "*c",
    ]
    static let states = [
        "text", "-text", "!text", "eol=lf", "eol=crlf", "ident", "-diff", "binary", "mine", "merge=union",
        "filter=up", "crlf", "-crlf", "custom=v", "text=auto", "!eol", "working-tree-encoding=UTF-16", "bad name=", "-",
    ]
    static let paths = [
        "x.txt", "xy.txt", "q u.txt", "a/x.txt", "a/b/z.c", "a/b/c/z.c", "b/a.c", "c/b/x.txt", "a.c", "c.c",
        "!neg.txt", "!lit.txt", "a/b", "b", "d1.c", "a/y.ext", "X.TXT", "]x", "c/z.txt", "a/z.c", "bxt", "a/b/y.xxt",
    ]

    static func file(_ generator: inout SeededGenerator, macros: Bool) -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...5, using: &generator) {
            let pattern = patterns.randomElement(using: &generator) ?? "*"
            let count = Int.random(in: 0...3, using: &generator)
            let chosen = (0..<count).map { _ in states.randomElement(using: &generator) ?? "text" }
            lines.append(([pattern] + chosen).joined(separator: Bool.random(using: &generator) ? " " : "\t"))
        }
        if macros && Bool.random(using: &generator) {
            let line = "[attr]mine " + ["text eol=crlf", "-text", "ident -diff", "binary"].randomElement(using: &generator)!
            lines.insert(line, at: Int.random(in: 0...lines.count, using: &generator))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stages `path` as it is, without git reading attributes for it.
    static func stage(_ repository: TestRepository, _ path: String) throws {
        let blob = try repository.git("hash-object", "-w", "--no-filters", path).trimmingCharacters(in: .whitespacesAndNewlines)
        try repository.git("update-index", "--add", "--cacheinfo", "100644,\(blob),\(path)")
    }

    @Test func lookupAgreesWithGitCheckAttrOnRandomRulesAndPaths() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = UInt64(environment["SPUR_ATTR_SEED"] ?? "") ?? 4200
        let cases = Int(environment["SPUR_ATTR_CASES"] ?? "") ?? 60
        for number in 0..<cases {
            var generator = SeededGenerator(seed: seed + UInt64(number))
            let repository = try TestRepository.empty()
            defer { repository.remove() }
            try FileManager.default.createDirectory(atPath: repository.path("a/b"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: repository.path("c"), withIntermediateDirectories: true)
            var setup: [String] = []
            for folder in ["", "a/", "a/b/", "c/"] where Bool.random(using: &generator) {
                let text = Self.file(&generator, macros: true)
                try repository.write(folder + ".gitattributes", text)
                setup.append("\(folder).gitattributes:\n\(text)")
                switch Int.random(in: 0..<6, using: &generator) {
                case 0:  // staged, then deleted from the working tree: the index's file applies
                    try Self.stage(repository, folder + ".gitattributes")
                    try FileManager.default.removeItem(atPath: repository.path(folder + ".gitattributes"))
                    setup.append("(staged, deleted)")
                case 1:  // staged, then replaced by a link: the link is not followed, the index applies
                    try Self.stage(repository, folder + ".gitattributes")
                    try FileManager.default.moveItem(atPath: repository.path(folder + ".gitattributes"), toPath: repository.path(folder + "linked"))
                    try FileManager.default.createSymbolicLink(atPath: repository.path(folder + ".gitattributes"), withDestinationPath: "linked")
                    setup.append("(staged, now a link)")
                case 2:  // a link only: no rules
                    try FileManager.default.moveItem(atPath: repository.path(folder + ".gitattributes"), toPath: repository.path(folder + "linked"))
                    try FileManager.default.createSymbolicLink(atPath: repository.path(folder + ".gitattributes"), withDestinationPath: "linked")
                    setup.append("(a link)")
                default: break
                }
            }
            if Bool.random(using: &generator) {
                let text = Self.file(&generator, macros: true)
                try repository.write(".git/info/attributes", text)
                setup.append("info/attributes:\n\(text)")
            }
            if Bool.random(using: &generator) {
                let text = Self.file(&generator, macros: true)
                try text.write(toFile: repository.scratch + "/global-attributes", atomically: true, encoding: .utf8)
                try repository.git("config", "core.attributesFile", repository.scratch + "/global-attributes")
                setup.append("core.attributesFile:\n\(text)")
            }
            let paths = Self.paths.shuffled(using: &generator)
            let output = try ProcessRunner.run("/usr/bin/bash", ["-c", "printf '%s\\0' \"$@\" | git check-attr -a -z --stdin", "--"] + paths,
                                               cwd: repository.root, environment: repository.environment)
            #expect(output.status == 0, "\(output.stderr)")
            var expected: [String: Set<String>] = [:]
            let fields = output.stdout.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
            var i = 0
            while i + 2 < fields.count {
                expected[fields[i], default: []].insert("\(fields[i + 1])=\(fields[i + 2])")
                i += 3
            }
            let lookup = try AttributeLookup.checkin(repository: Repository(path: repository.root))
            for path in paths {
                let actual = Set(lookup.attributes(of: GitPath(path)).map { "\($0.key)=\($0.value)" })
                #expect(actual == expected[path] ?? [], "seed \(seed + UInt64(number)), path \(path)\n\(setup.joined(separator: "\n"))")
            }
        }
    }

    @Test func wildmatchFollowsGitsRules() {
        let cases: [(String, String, Bool, Bool)] = [
            ("**/b/*", "a/b/c", true, true), ("**/b/*", "b/c", true, true), ("a/**/z", "a/z", true, true),
            ("a/**/z", "a/x/y/z", true, true), ("a*/b", "ax/y/b", true, false), ("*", "a/b", true, false),
            ("*", "a/b", false, true), ("[!a]x", "bx", true, true), ("[!a]x", "ax", true, false),
            ("[]]x", "]x", true, true), ("[[:digit:]]", "5", true, true), ("\\*", "*", true, true),
            ("a?c", "a/c", true, false), ("**", "a/b/c", true, true), ("a/**", "a/", true, true),
        ]
        for (pattern, text, pathname, expected) in cases {
            #expect(Wildmatch.matches(Array(pattern.utf8), Array(text.utf8), pathname: pathname) == expected, "\(pattern) ~ \(text)")
        }
    }
}
