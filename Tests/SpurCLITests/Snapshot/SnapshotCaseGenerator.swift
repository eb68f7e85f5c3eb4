import Foundation
import SpurTestSupport

/// One switch of the randomized snapshot generator: a kind of operation or name it may use.
/// Each case the generator makes uses only the features it is given, so a class of cases that
/// still differs from git can be left out of the default run (see `classesStillDiffering`).
enum SnapshotFeature: String, CaseIterable, Sendable {
    // Always safe to combine: what every repository has.
    case edits, creates, deletes, renames, chmod, staging, partialStaging, commits, spaces
    case typeChanges, symlinks
    // Index features.
    case intentToAdd, assumeUnchanged, skipWorktree, sparseCheckout, splitIndex
    /// Intent-to-add and assume-unchanged or skip-worktree in one case (the bits can meet on an entry).
    case intentToAddMarked
    /// Assume-unchanged or skip-worktree on a file inside a folder (which may then become a file).
    case flaggedEntriesInFolders
    /// Skip-worktree or assume-unchanged on a `.gitignore` or `.gitattributes`.
    case flaggedRuleFiles
    // Ignore rules.
    case ignoreRules, ignoreNegation, folderOnlyRules, infoExclude, excludesFile
    /// A `.gitignore` that is a symlink to a rules file.
    case ruleFileSymlinks
    /// A `.gitattributes` that is a symlink to a rules file.
    case attributesFileSymlinks
    /// A nested repository whose files match an ignore rule (`*.log`).
    case ignoredFilesInNestedRepository
    // Attributes and conversions.
    case textAttributes, ident, filterDriver, autocrlf, loneCR
    /// Contents with more than one `$Id…$` (under `ident`).
    case identTwice
    /// Intent-to-add entries with an eol conversion that may apply (libgit2 1.5.1 can abort there).
    case intentToAddWithEolConversion
    /// A `.gitattributes` written, edited, moved or deleted after the files were staged.
    case attributesChangedInWorkingTree
    // Stat cache.
    case sameSizeEdit, trustctimeMtimePutBack
    // Other repositories and special files.
    case nestedRepository, nestedRepositoryWithoutCommit, fifo, unborn
    // Names.
    case nfcNfdNames, combiningMarkNames, invalidUTF8Names, newlineNames
}

/// A generated case: the seed it came from, the operations it ran (for the failure message)
/// and the bash script that builds the repository (paths written as byte escapes, so odd names
/// reach the file system exactly).
struct SnapshotCase: Sendable {
    let seed: UInt64
    let features: Set<SnapshotFeature>
    let operations: [String]
    let script: String
    /// Features the case really used (a subset of `features`), to classify a difference.
    let used: Set<SnapshotFeature>

    var description: String {
        "seed \(seed) (features used: \(used.map(\.rawValue).sorted().joined(separator: ",")))\n  "
            + operations.joined(separator: "\n  ")
    }
}

/// Makes random repositories and random operations on them as bash scripts.
struct SnapshotCaseGenerator {
    private var random: SeededGenerator
    private var features: Set<SnapshotFeature>
    private var lines: [String] = []
    private var operations: [String] = []
    private var used: Set<SnapshotFeature> = []
    /// Paths the generator believes are files or links in the working tree (approximate: an
    /// operation on a path that is gone just fails quietly).
    private var files: [[UInt8]] = []

    static func make(seed: UInt64, features: Set<SnapshotFeature>) -> SnapshotCase {
        var generator = SnapshotCaseGenerator(random: SeededGenerator(seed: seed), features: features)
        generator.build()
        return SnapshotCase(seed: seed, features: features, operations: generator.operations,
                            script: generator.lines.joined(separator: "\n") + "\n", used: generator.used)
    }

    private init(random: SeededGenerator, features: Set<SnapshotFeature>) {
        self.random = random
        self.features = features
    }

    // MARK: - Names and contents

    private func has(_ feature: SnapshotFeature) -> Bool { features.contains(feature) }

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    /// Name components: plain ones always, odd ones when their feature is on.
    private func nameComponents() -> [([UInt8], SnapshotFeature?)] {
        var names: [([UInt8], SnapshotFeature?)] = ["a.txt", "b", "c.log", "keep.log", "e.bin", "f.crlf", "g.id", "h.up", "m.txt", "build"]
            .map { (Array($0.utf8), nil) }
        if has(.spaces) { names.append((Array("sp ace.txt".utf8), .spaces)) }
        if has(.nfcNfdNames) {
            names.append(([0x78, 0xC3, 0xBC], .nfcNfdNames))          // "xü" (NFC)
            names.append(([0x78, 0x75, 0xCC, 0x88], .nfcNfdNames))    // "xü" (NFD)
        }
        if has(.combiningMarkNames) {
            names.append(([0xCC, 0x81, 0x78], .combiningMarkNames))         // U+0301 then "x"
            names.append(([0xE2, 0x80, 0x8D, 0x7A], .combiningMarkNames))   // U+200D then "z"
        }
        if has(.invalidUTF8Names) {
            names.append(([0xFF], .invalidUTF8Names))
            names.append(([0x61, 0xC3], .invalidUTF8Names))
        }
        if has(.newlineNames) { names.append((Array("n\nl".utf8), .newlineNames)) }
        return names
    }

    private mutating func folder() -> [UInt8] {
        let folders: [[UInt8]] = ["", "d/", "sub/", "sub/deep/", "build/"].map { Array($0.utf8) }
        if chance(25) {
            let (name, feature) = pick(nameComponents())
            if let feature { used.insert(feature) }
            return name + [0x2F]
        }
        return pick(folders)
    }

    private mutating func newPath() -> [UInt8] {
        let (name, feature) = pick(nameComponents())
        if let feature { used.insert(feature) }
        return folder() + name
    }

    private mutating func existingPath() -> [UInt8] {
        let candidates = has(.attributesChangedInWorkingTree) ? files : files.filter { !Self.display($0).hasSuffix(".gitattributes") }
        guard !candidates.isEmpty, !chance(10) else { return newPath() }
        let path = pick(candidates)
        if Self.display(path).hasSuffix(".gitattributes") { used.insert(.attributesChangedInWorkingTree) }
        return path
    }

    private mutating func content() -> [UInt8] {
        var choices = ["one\n", "two\nlines\n", "no newline", "", "lower case text\n", "other content\n"]
        if has(.textAttributes) || has(.autocrlf) { choices += ["crlf\r\nline\r\n", "mixed\r\nand\n"] }
        if has(.loneCR) { choices.append("lone\rcr\r\n") }
        if has(.ident) { choices.append("$Id$\n") }
        if has(.ident) && has(.identTwice) { choices.append("$Id: old $ and $Id$\n") }
        var bytes = Array(pick(choices).utf8)
        if chance(10) { bytes = [0, 1, 2, 0x0A, 0xFF] }
        if chance(30) { bytes += Array("\(Int.random(in: 0..<1000, using: &random))\n".utf8) }
        return bytes
    }

    static func isRuleFile(_ path: [UInt8]) -> Bool {
        let shown = display(path)
        return shown.hasSuffix(".gitignore") || shown.hasSuffix(".gitattributes")
    }

    /// A bash word holding exactly `bytes` (`$'...'` with octal escapes).
    static func quoted(_ bytes: [UInt8]) -> String {
        "$'" + bytes.map { byte in
            let c = Character(UnicodeScalar(byte))
            return (c.isASCII && (c.isLetter || c.isNumber) && byte < 0x80) || byte == 0x2E || byte == 0x2F || byte == 0x2D || byte == 0x5F
                ? String(c) : String(format: "\\%03o", byte)
        }.joined() + "'"
    }

    /// A `printf` format writing exactly `bytes`.
    static func printfFormat(_ bytes: [UInt8]) -> String {
        "'" + bytes.map { byte in
            let c = Character(UnicodeScalar(byte))
            return c.isASCII && (c.isLetter || c.isNumber) && byte < 0x80 ? String(c) : String(format: "\\%03o", byte)
        }.joined() + "'"
    }

    /// How a path reads in the operation list (escaped as git's quotePath does).
    static func display(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            byte >= 0x20 && byte < 0x7F && byte != 0x5C ? String(Character(UnicodeScalar(byte))) : String(format: "\\%03o", byte)
        }.joined()
    }

    // MARK: - The script

    private mutating func run(_ name: String, _ feature: SnapshotFeature?, _ commands: String...) {
        operations.append(name)
        if let feature { used.insert(feature) }
        lines.append("# \(name)")
        lines.append(contentsOf: commands)
    }

    private mutating func writeFile(_ path: [UInt8], _ bytes: [UInt8]) -> String {
        if !files.contains(path) { files.append(path) }
        let q = Self.quoted(path)
        return "mkdir -p \"$(dirname -- \(q))\" 2>/dev/null; rm -rf -- \(q) 2>/dev/null; printf \(Self.printfFormat(bytes)) > \(q)"
    }

    private mutating func build() {
        lines = ["set +e", "export GIT_LITERAL_PATHSPECS=1"]
        if !has(.intentToAddWithEolConversion), has(.intentToAdd), has(.autocrlf) || has(.textAttributes) {
            // Without the switch, a case has intent-to-add entries or eol conversions, not both.
            if chance(50) { features.remove(.intentToAdd) } else { features.subtract([.autocrlf, .textAttributes, .loneCR]) }
        }
        configure()
        let initial = Int.random(in: 3...8, using: &random)
        for _ in 0..<initial {
            let path = newPath()
            let bytes = content()
            let command = writeFile(path, bytes)
            run("create \(Self.display(path))", nil, command)
        }
        if has(.textAttributes) || has(.ident) || has(.filterDriver), chance(60) { attributesLine() }
        if has(.ignoreRules), chance(40) { ignoreRule() }
        if has(.unborn) && chance(15) {
            run("stage everything, no commit (unborn HEAD)", .unborn, "git add -A")
        } else {
            run("commit everything", nil, "git add -A && git commit -q -m base")
        }
        // A tracked `.gitignore` under sub/ becomes skip-worktree and leaves the working tree:
        // the flaggedRuleFiles class (spur refuses on purpose), kept to that switch.
        let ruleFileInSub = files.contains { $0.starts(with: Array("sub/".utf8)) && $0.suffix(11).elementsEqual(Array("/.gitignore".utf8)) }
        if has(.sparseCheckout), chance(15), !ruleFileInSub || has(.flaggedRuleFiles) {
            if ruleFileInSub { used.insert(.flaggedRuleFiles) }
            run("sparse checkout without sub/", .sparseCheckout,
                "git sparse-checkout set --no-cone '/*' '!/sub/' 2>/dev/null")
        }
        let count = Int.random(in: 3...12, using: &random)
        for _ in 0..<count { operation() }
        if has(.splitIndex), chance(20) {
            run("split index", .splitIndex, "git update-index --split-index")
        }
        // Last, so no git command of the script reads it (git commit -a would block on it).
        // Not a .gitignore or .gitattributes: git 2.39 blocks reading those too (no oracle).
        if has(.fifo), chance(15), case let path = existingPath(), !Self.display(path).contains(".git") {
            run("replace \(Self.display(path)) by a FIFO", .fifo,
                "[ -f \(Self.quoted(path)) ] && rm -f -- \(Self.quoted(path)) && mkfifo -- \(Self.quoted(path))")
        }
    }

    private mutating func configure() {
        if has(.autocrlf), chance(25) {
            let value = pick(["true", "input"])
            run("core.autocrlf=\(value)", .autocrlf, "git config core.autocrlf \(value)")
        }
        if has(.trustctimeMtimePutBack), chance(20) {
            run("core.trustctime=false", .trustctimeMtimePutBack, "git config core.trustctime false")
        }
        if has(.filterDriver) {
            lines.append("git config filter.up.clean 'tr a-z A-Z'")
        }
        if has(.splitIndex), chance(10) {
            run("core.splitIndex=true", .splitIndex, "git config core.splitIndex true")
        }
    }

    private mutating func attributesLine() {
        var choices: [(String, SnapshotFeature)] = []
        if has(.textAttributes) {
            choices += [("*.txt text", .textAttributes), ("*.crlf text eol=crlf", .textAttributes), ("*.txt eol=lf", .textAttributes),
                        ("*.bin binary", .textAttributes), ("* text=auto", .textAttributes), ("*.log -text", .textAttributes)]
        }
        if has(.ident) { choices.append(("*.id ident", .ident)) }
        if has(.filterDriver) { choices.append(("*.up filter=up", .filterDriver)) }
        guard !choices.isEmpty else { return }
        let (line, feature) = pick(choices)
        let where_ = pick(["", "d/", "sub/"])
        let file = where_ + ".gitattributes"
        if !files.contains(Array(file.utf8)) { files.append(Array(file.utf8)) }
        run("attribute '\(line)' in \(file)", feature, "mkdir -p ./\(where_); printf '%s\\n' '\(line)' >> \(file)")
    }

    private mutating func ignoreRule() {
        var rules: [(String, SnapshotFeature)] = [("*.log", .ignoreRules), ("/a.txt", .ignoreRules), ("*.bin", .ignoreRules), ("d", .ignoreRules)]
        if has(.ignoreNegation) { rules += [("!keep.log", .ignoreNegation), ("!d/b", .ignoreNegation), ("!*.txt", .ignoreNegation)] }
        if has(.folderOnlyRules) { rules += [("build/", .folderOnlyRules), ("deep/", .folderOnlyRules), ("sub/", .folderOnlyRules)] }
        let (rule, feature) = pick(rules)
        var places: [(String, SnapshotFeature)] = [(".gitignore", .ignoreRules), ("sub/.gitignore", .ignoreRules), ("d/.gitignore", .ignoreRules)]
        if has(.infoExclude) { places.append((".git/info/exclude", .infoExclude)) }
        if has(.excludesFile) { places.append(("$HOME/.config/git/ignore", .excludesFile)) }
        let (place, placeFeature) = pick(places)
        used.insert(placeFeature)
        if place.hasSuffix(".gitignore"), !files.contains(Array(place.utf8)) { files.append(Array(place.utf8)) }
        run("ignore rule '\(rule)' in \(place)", feature,
            "mkdir -p \"$(dirname \(place))\"; printf '%s\\n' '\(rule)' >> \(place)")
    }

    private mutating func operation() {
        var kinds: [SnapshotFeature] = []
        for feature in [SnapshotFeature.edits, .creates, .deletes, .renames, .chmod, .staging, .partialStaging, .commits, .typeChanges,
                        .symlinks, .intentToAdd, .assumeUnchanged, .skipWorktree, .ignoreRules, .textAttributes, .ident, .filterDriver,
                        .sameSizeEdit, .trustctimeMtimePutBack, .nestedRepository, .nestedRepositoryWithoutCommit, .ruleFileSymlinks,
                        .attributesFileSymlinks] where has(feature) {
            kinds.append(feature)
        }
        if !has(.intentToAddMarked) {
            // Without the switch, a case uses intent-to-add or the two index bits, never both.
            if used.contains(.intentToAdd) { kinds.removeAll { $0 == .assumeUnchanged || $0 == .skipWorktree } }
            if used.contains(.assumeUnchanged) || used.contains(.skipWorktree) { kinds.removeAll { $0 == .intentToAdd } }
        }
        if kinds.isEmpty { return }
        let kind = pick(kinds)
        if (kind == .intentToAdd && (used.contains(.assumeUnchanged) || used.contains(.skipWorktree)))
            || ((kind == .assumeUnchanged || kind == .skipWorktree) && used.contains(.intentToAdd)) {
            used.insert(.intentToAddMarked)
        }
        if kind == .intentToAdd && (used.contains(.autocrlf) || used.contains(.textAttributes)) {
            used.insert(.intentToAddWithEolConversion)
        }
        let path = existingPath()
        let q = Self.quoted(path), shown = Self.display(path)
        switch kind {
        case .edits:
            run("edit \(shown)", .edits, "[ -f \(q) ] && [ ! -L \(q) ] && printf \(Self.printfFormat(content())) >> \(q)")
        case .creates:
            let target = newPath()
            let command = writeFile(target, content())
            run("create \(Self.display(target))", .creates, command)
        case .deletes:
            files.removeAll { $0 == path }
            run("delete \(shown)", .deletes, "rm -rf -- \(q)")
        case .renames:
            let target = newPath()
            files.removeAll { $0 == path }
            files.append(target)
            let viaGit = chance(30)
            run("rename \(shown) to \(Self.display(target))\(viaGit ? " (git mv)" : "")", .renames,
                "mkdir -p \"$(dirname -- \(Self.quoted(target)))\"; " + (viaGit ? "git mv -k -- \(q) \(Self.quoted(target))" : "[ -e \(Self.quoted(target)) ] || mv -- \(q) \(Self.quoted(target))"))
        case .chmod:
            let on = chance(70)
            run("chmod \(on ? "+x" : "-x") \(shown)", .chmod, "[ -f \(q) ] && [ ! -L \(q) ] && chmod \(on ? "+x" : "-x") -- \(q)")
        case .staging:
            let all = chance(20)
            let unstage = chance(20)
            if all {
                run("git add -A", .staging, "git add -A 2>/dev/null")
            } else if unstage {
                run("unstage \(shown)", .staging, "git reset -q -- \(q) 2>/dev/null")
            } else {
                run("stage \(shown)", .staging, "git add -- \(q) 2>/dev/null")
            }
        case .partialStaging:
            run("partially stage \(shown)", .partialStaging,
                "[ -f \(q) ] && [ ! -L \(q) ] && printf 'staged\\n' >> \(q) && git add -- \(q) 2>/dev/null; [ -f \(q) ] && printf 'unstaged\\n' >> \(q)")
        case .commits:
            run("commit -a", .commits, "git commit -q -a -m step 2>/dev/null")
        case .typeChanges:
            let to = pick(["symlink", "folder", "file"])
            let link = to == "symlink"
            let folder = to == "folder"
            if folder { files.removeAll { $0 == path }; files.append(path + Array("/child".utf8)) }
            run("type change \(shown) to \(to)", link ? .symlinks : .typeChanges,
                "mkdir -p \"$(dirname -- \(q))\"; rm -rf -- \(q); " + (link ? "ln -s target-\(Int.random(in: 0..<3, using: &random)) -- \(q)"
                    : folder ? "mkdir -- \(q) && printf 'child\\n' > \(q)/child" : "printf 'was other\\n' > \(q)"))
        case .symlinks:
            let target = pick(["a.txt", "../b", "d", "sub/deep", "/tmp", "missing"])
            if !files.contains(path) { files.append(path) }
            run("symlink \(shown) -> \(target)", .symlinks, "mkdir -p \"$(dirname -- \(q))\"; rm -rf -- \(q); ln -s \(target) -- \(q)")
        case .intentToAdd:
            let target = newPath()
            let command = writeFile(target, content())
            run("intent-to-add \(Self.display(target))", .intentToAdd, command + " && git add -N -- \(Self.quoted(target)) 2>/dev/null")
        case .assumeUnchanged where !has(.flaggedEntriesInFolders) && path.contains(0x2F),
             .skipWorktree where !has(.flaggedEntriesInFolders) && path.contains(0x2F):
            break
        case .assumeUnchanged where Self.isRuleFile(path) && !has(.flaggedRuleFiles),
             .skipWorktree where Self.isRuleFile(path) && !has(.flaggedRuleFiles):
            break
        case .assumeUnchanged:
            if path.contains(0x2F) { used.insert(.flaggedEntriesInFolders) }
            if Self.isRuleFile(path) { used.insert(.flaggedRuleFiles) }
            run("assume-unchanged \(shown), then edit", .assumeUnchanged,
                "git update-index --assume-unchanged -- \(q) 2>/dev/null && [ -f \(q) ] && printf 'edited\\n' >> \(q)")
        case .skipWorktree:
            if path.contains(0x2F) { used.insert(.flaggedEntriesInFolders) }
            if Self.isRuleFile(path) { used.insert(.flaggedRuleFiles) }
            let remove = chance(50)
            run("skip-worktree \(shown), then \(remove ? "delete" : "edit")", .skipWorktree,
                "git update-index --skip-worktree -- \(q) 2>/dev/null && " + (remove ? "rm -f -- \(q)" : "[ -f \(q) ] && printf 'edited\\n' >> \(q)"))
        case .ignoreRules:
            ignoreRule()
        case .textAttributes, .ident, .filterDriver:
            if has(.attributesChangedInWorkingTree) {
                used.insert(.attributesChangedInWorkingTree)
                attributesLine()
            }
        case .sameSizeEdit:
            run("same-size edit \(shown)", .sameSizeEdit,
                "[ -f \(q) ] && [ ! -L \(q) ] && [ -s \(q) ] && printf Z | dd of=\(q) conv=notrunc status=none"
                    // A whole second later than anything before: an edit inside the entry's second is
                    // seen by spur (nanoseconds) but trusted by git's stat cache, spur's better answer
                    // (SnapshotIndexFeatureTests tests it); here both must see it.
                    + " && touch -d @$(( $(date +%s) + 2 )) -- \(q)")
        case .trustctimeMtimePutBack:
            run("same-size edit \(shown), mtime put back", .trustctimeMtimePutBack,
                "[ -f \(q) ] && [ ! -L \(q) ] && [ -s \(q) ] && touch -r \(q) \"$TMPDIR_CASE/ref\" && printf Q | dd of=\(q) conv=notrunc status=none && touch -r \"$TMPDIR_CASE/ref\" -- \(q)")
        case .ruleFileSymlinks, .attributesFileSymlinks:
            let attributes = kind == .attributesFileSymlinks
            let folder = pick(["", "d/", "sub/"])
            let name = folder + (attributes ? ".gitattributes" : ".gitignore")
            let rule = attributes ? "*.txt text eol=crlf" : "*.log"
            run("\(name) as a symlink to a rules file", kind,
                "mkdir -p ./\(folder) && printf '%s\\n' '\(rule)' > rules-\(attributes ? "a" : "i") && rm -rf \(name) && ln -s \(folder.isEmpty ? "" : "../")rules-\(attributes ? "a" : "i") \(name)")
        case .nestedRepository, .nestedRepositoryWithoutCommit:
            let withCommit = kind == .nestedRepository
            let folder = pick(["nested", "d/inner", "sub/repo"])
            let file = has(.ignoredFilesInNestedRepository) && chance(50) ? "in.log" : "in.txt"
            if file == "in.log" {
                used.insert(.ignoredFilesInNestedRepository)
                lines.append("printf '*.log\\n' >> .git/info/exclude")
            }
            run("nested repository \(folder)\(withCommit ? "" : " without a commit") holding \(file)\(file == "in.log" ? " (*.log ignored)" : "")", kind,
                "rm -rf \(folder); mkdir -p \(folder) && git init -q \(folder) && printf 'in\\n' > \(folder)/\(file)"
                    + (withCommit ? " && git -C \(folder) add -A && git -C \(folder) commit -q -m in" : ""))
        default:
            break
        }
    }
}
