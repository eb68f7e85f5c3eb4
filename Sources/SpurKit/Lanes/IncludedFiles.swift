import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// What a lane was given of the user's ignored files (`.worktreeinclude`, `spur.include`).
public struct IncludedSummary: Codable, Sendable, Equatable {
    /// Files and links copied.
    public var files: Int
    /// Bytes of the files copied.
    public var bytes: Int64
    /// Folders given as a link to the user's folder (`spur.linkIncluded`); nil when none.
    public var links: Int?

    public init(files: Int, bytes: Int64, links: Int?) {
        self.files = files
        self.bytes = bytes
        self.links = links
    }

    /// "12 files, 3.4 MB" (and the links), for `show`.
    public var text: String {
        var words = "\(files) file\(files == 1 ? "" : "s"), " + ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)
        if let links, links > 0 { words += ", \(links) linked folder\(links == 1 ? "" : "s")" }
        return words
    }
}

/// The ignored files of the user's tree a new lane gets: `.worktreeinclude` at the root of the
/// working tree spawned from, plus each `git config spur.include` value, read and checked
/// before anything of the lane is made (a bad pattern refuses the spawn, naming its line).
/// `spur.linkIncluded` values name included folders the lane gets as a link to the user's
/// folder instead of a copy (the user's explicit choice: a task can then write there).
struct IncludedFiles {
    let patterns: IncludePatterns
    let linked: Set<GitPath>
    let sourceRoot: String
    /// The lanes' folder when it lies inside the tree copied from: never copied into a lane.
    let lanesFolder: GitPath?

    /// nil when no pattern asks for anything.
    static func plan(workspace: Workspace, repository: Repository) throws -> IncludedFiles? {
        let config = try repository.config()
        let values = try config.entries(matching: "^spur\\.include$").map(\.value)
        let file = readIncludeFile(workspace.root + "/.worktreeinclude")
        guard file != nil || !values.isEmpty else { return nil }
        let patterns: IncludePatterns
        do {
            patterns = try IncludePatterns(file: file, configValues: values, ignoreCase: try config.bool("core.ignorecase") ?? false)
        } catch let bad as IncludePatternError {
            throw SpurError.usage("\(bad) (no lane was made; fix or remove that line)")
        }
        guard !patterns.isEmpty else { return nil }
        let linked = try config.entries(matching: "^spur\\.linkincluded$").map { GitPath(trimmingSlashes($0.value)) }
        return IncludedFiles(patterns: patterns, linked: Set(linked), sourceRoot: workspace.root,
                             lanesFolder: inside(try workspace.worktreeRoot(repository), workspace.root))
    }

    /// Copies what the patterns include into the lane at `worktree` (just checked out).
    /// Warnings (paths that vanished or could not be read) go to standard error; a failure to
    /// write throws, and the caller removes the lane.
    func copy(intoLane worktree: String) throws -> IncludedSummary {
        let lane = try Repository(path: worktree)
        var finder = try IncludedPathFinder(patterns: patterns, lane: lane, sourceRoot: GitPath(sourceRoot))
        finder.skipped = lanesFolder
        let (entries, vanishedFolders) = finder.find()
        var linking = Set<GitPath>()
        if !linked.isEmpty {
            let ignored = IgnoredPaths(try IgnoreRules(repository: lane))
            for entry in entries where entry.kind == .folder && linked.contains(entry.path) {
                // A link is a file to git: it must be ignored as one, or the task's result would hold it.
                if ignored.isIgnored(entry.path, isFolder: false) {
                    linking.insert(entry.path)
                } else {
                    Self.warn("\(entry.path.display) is copied, not linked (spur.linkIncluded): a link there would not be ignored; "
                              + "ignore it without a trailing '/' in .gitignore to link it")
                }
            }
        }
        let copier = try IncludedCopier(sourceRoot: sourceRoot, laneRoot: worktree, skipped: lanesFolder)
        let outcome: IncludedCopier.Outcome
        do {
            outcome = try copier.copy(entries, linking: linking, sourceText: sourceRoot)
        } catch let failure as IncludedCopier.Failure {
            throw SpurError("cannot copy included files into the lane: \(failure) (nothing of the lane was kept; your files are untouched)")
        }
        let vanished = vanishedFolders + outcome.vanished
        if !vanished.isEmpty {
            Self.warn("\(vanished.count) included path\(vanished.count == 1 ? "" : "s") vanished while being copied, the lane has what was there: "
                      + Self.shortList(vanished))
        }
        if !outcome.unreadable.isEmpty {
            Self.warn("\(outcome.unreadable.count) included path\(outcome.unreadable.count == 1 ? "" : "s") could not be read and "
                      + "\(outcome.unreadable.count == 1 ? "is" : "are") not in the lane: " + Self.shortList(outcome.unreadable))
        }
        return IncludedSummary(files: outcome.files, bytes: outcome.bytes, links: linking.isEmpty ? nil : linking.count)
    }

    /// The file's bytes, nil when there is none; a link is not followed (no patterns from it).
    static func readIncludeFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return (try? handle.readToEnd()).map { Array($0 ?? Data()) }
    }

    /// `folder` relative to `root` when it is inside it (both with links resolved), else nil.
    static func inside(_ folder: String, _ root: String) -> GitPath? {
        let resolvedFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        guard resolvedFolder.hasPrefix(resolvedRoot + "/") else { return nil }
        return GitPath(String(resolvedFolder.dropFirst(resolvedRoot.count + 1)))
    }

    static func trimmingSlashes(_ value: String) -> String {
        var text = Substring(value)
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }

    static func shortList(_ paths: [GitPath]) -> String {
        paths.prefix(5).map(\.display).joined(separator: ", ") + (paths.count > 5 ? ", …" : "")
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("spur: warning: \(message)\n".utf8))
    }
}
