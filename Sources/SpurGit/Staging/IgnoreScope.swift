/// Which rule decided about a path: its file and line, and whether it re-includes (`!`).
public struct IgnoreDecision: Sendable, Equatable {
    public let source: String
    public let line: Int
    public let negative: Bool
    public var ignores: Bool { !negative }
}

/// The ignore rules in force inside one folder of the working tree: its own `.gitignore`, its
/// ancestors' (nearer ones first) and the repository-wide files. Immutable, so the staging
/// walk's threads share it; a folder's rules are read once, when the walk enters it.
public final class IgnoreScope: Sendable {
    /// The folder ("" for the root, else "a/b"), as bytes.
    public let folder: GitPath
    let rules: IgnoreRuleList?
    let parent: IgnoreScope?
    let global: IgnoreRules
    /// True when this folder or one above it is ignored: then everything untracked below it is,
    /// whatever a `!` rule says (git does not look inside an ignored folder).
    public let isExcluded: Bool
    let excludedBy: IgnoreDecision?

    init(folder: GitPath, rules: IgnoreRuleList?, parent: IgnoreScope?, global: IgnoreRules, excludedBy: IgnoreDecision?) {
        self.folder = folder
        self.rules = rules
        self.parent = parent
        self.global = global
        self.excludedBy = excludedBy
        isExcluded = excludedBy != nil
    }

    /// True when the untracked `name` in this folder is ignored (`isFolder`: a real folder,
    /// not a link to one).
    public func isIgnored(_ name: GitPath, isFolder: Bool) -> Bool {
        decision(for: name, isFolder: isFolder)?.ignores ?? false
    }

    /// The rule deciding about `name`: the folder's exclusion when it is excluded, else the
    /// last matching pattern of the nearest file that has one (deeper `.gitignore` files
    /// first, then `info/exclude`, then `core.excludesFile`); nil when no rule matches.
    public func decision(for name: GitPath, isFolder: Bool) -> IgnoreDecision? {
        if let excludedBy { return excludedBy }
        var path = folder.bytes
        if !path.isEmpty { path.append(0x2F) }
        let nameStart = path.count
        path.append(contentsOf: name.bytes)
        let length = path.count
        path.append(0)
        var scope: IgnoreScope? = self
        while let current = scope {
            if let rules = current.rules,
               let match = rules.lastMatch(path, length: length, nameStart: nameStart, isFolder: isFolder, ignoreCase: global.ignoreCase) {
                return IgnoreDecision(source: rules.source, line: match.line, negative: match.negative)
            }
            scope = current.parent
        }
        for rules in global.repositoryWide {
            if let match = rules.lastMatch(path, length: length, nameStart: nameStart, isFolder: isFolder, ignoreCase: global.ignoreCase) {
                return IgnoreDecision(source: rules.source, line: match.line, negative: match.negative)
            }
        }
        return nil
    }

    /// The scope of subfolder `name`. Its `.gitignore` is read (through `readRules`, given the
    /// subfolder's path) only when the subfolder is not ignored, as git reads it.
    public func child(_ name: GitPath, readRules: (GitPath) -> [UInt8]?) -> IgnoreScope {
        let path = folder.appending(name)
        if let excludedBy { return IgnoreScope(folder: path, rules: nil, parent: self, global: global, excludedBy: excludedBy) }
        if let decision = decision(for: name, isFolder: true), decision.ignores {
            return IgnoreScope(folder: path, rules: nil, parent: self, global: global, excludedBy: decision)
        }
        return IgnoreScope(folder: path, rules: global.rules(of: path, read: readRules), parent: self, global: global, excludedBy: nil)
    }
}
