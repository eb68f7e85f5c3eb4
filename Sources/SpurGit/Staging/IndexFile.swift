import CGit2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The on-disk index (`.git/index`) read directly, for the working-tree scan of a snapshot.
///
/// Read-only, and only the common case: versions 2 to 4, every entry at stage 0, no
/// assume-valid, skip-worktree or intent-to-add flag, no gitlink, and no extension git marks
/// as required (split or sparse index). Anything else makes `read` return nil, and the caller
/// uses libgit2's index instead. The trailing checksum is not verified (git's
/// `index.skipHash` does the same); a truncated or malformed file also yields nil.
///
/// Paths are kept as bytes in one buffer, in index order (byte order of the full path), so
/// every folder's entries form one contiguous run.
struct IndexFile: Sendable {
    /// One stage-0 entry: the stat data git recorded and the staged blob.
    struct Entry {
        let pathStart: Int
        let pathLength: Int
        let ctimeSeconds: UInt32, ctimeNanoseconds: UInt32
        let mtimeSeconds: UInt32, mtimeNanoseconds: UInt32
        let inode: UInt32
        let mode: UInt32
        let size: UInt32
        let id: git_oid
        /// What only a complete reading (`read(path:complete:)`) needs; zero otherwise.
        var device: UInt32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
        /// git's flags (assume-valid 0x8000, stage 0x3000) and extended flags (skip-worktree
        /// 0x4000, intent-to-add 0x2000), name length bits cleared.
        var flags: UInt16 = 0, extendedFlags: UInt16 = 0

        /// The merge stage (0 unless the entry is a conflict side).
        var stage: UInt16 { (flags >> 12) & 3 }

        /// This entry's data under another name (`pathStart`, `pathLength`).
        func renamed(start: Int, length: Int) -> Entry {
            Entry(pathStart: start, pathLength: length, ctimeSeconds: ctimeSeconds, ctimeNanoseconds: ctimeNanoseconds,
                  mtimeSeconds: mtimeSeconds, mtimeNanoseconds: mtimeNanoseconds, inode: inode, mode: mode, size: size, id: id,
                  device: device, uid: uid, gid: gid, flags: flags, extendedFlags: extendedFlags)
        }
    }

    /// All paths, back to back (no separators); an entry's path is `pathStart..<pathStart+pathLength`.
    let paths: [UInt8]
    let entries: [Entry]
    /// Tree ids git cached for folders whose entries it has not changed since ("TREE"
    /// extension); keys are folder paths ("" for the root). Invalidated folders are absent.
    let cachedTrees: [GitPath: git_oid]
    /// When the index file was last written; an entry modified at or after it is "racily
    /// clean" and its stat data proves nothing.
    let mtimeSeconds: Int, mtimeNanoseconds: Int

    /// An index with no entries (no index file yet).
    static let empty = IndexFile(paths: [], entries: [], cachedTrees: [:], mtimeSeconds: 0, mtimeNanoseconds: 0)

    func path(_ i: Int) -> GitPath {
        let entry = entries[i]
        return GitPath(bytes: paths[entry.pathStart..<(entry.pathStart + entry.pathLength)])
    }

    /// Reads the index at `path`: `.empty` when there is none, nil when it is not the common case.
    /// `complete` accepts every entry (flags, conflict stages, gitlinks) and keeps all its data:
    /// for building libgit2's index from a split index, which libgit2 cannot read.
    static func read(path: String, complete: Bool = false) -> IndexFile? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { return errno == ENOENT ? .empty : nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size >= 32 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress.map { $0 + filled }, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            filled += count
        }
        var parser = IndexParser(bytes: bytes, complete: complete)
        guard var parsed = parser.parse() else { return nil }
        if let link = parser.link {
            // A split index: its entries apply to the shared index beside it.
            let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            guard let shared = readShared(path: folder + "/" + link.sharedIndexName, complete: complete),
                  let merged = merge(shared: shared, split: parsed.entries, paths: parsed.paths, link: link) else { return nil }
            (parsed.paths, parsed.entries) = merged
        }
        return IndexFile(paths: parsed.paths, entries: parsed.entries, cachedTrees: parsed.trees,
                         mtimeSeconds: Int(info.st_mtim.tv_sec), mtimeNanoseconds: Int(info.st_mtim.tv_nsec))
    }
}

extension IndexFile {
    /// The entries of a shared index (one that is not itself split).
    private static func readShared(path: String, complete: Bool) -> (paths: [UInt8], entries: [Entry])? {
        guard access(path, F_OK) == 0, let shared = read(path: path, complete: complete) else { return nil }
        return (shared.paths, shared.entries)
    }

    /// git's merge of a split index into its shared index: the shared entries at `link.replaced`
    /// take everything but the name from the split index's first entries, those at
    /// `link.deleted` go, the remaining split entries are added (replacing any of the same name
    /// and stage; a stage-0 entry replaces every stage of its name, as git's add_index_entry
    /// does), and the result is in git's order (bytes of the path, then stage).
    private static func merge(shared: (paths: [UInt8], entries: [Entry]), split: [Entry], paths: [UInt8],
                              link: SplitIndexLink) -> (paths: [UInt8], entries: [Entry])? {
        guard link.replaced.count <= split.count else { return nil }
        struct Key: Hashable { let name: [UInt8]; let stage: UInt16 }
        var byKey: [Key: Entry] = [:]
        var stages: [[UInt8]: Set<UInt16>] = [:]
        var replacement = 0
        let replaced = Set(link.replaced)
        for (position, entry) in shared.entries.enumerated() {
            let name = Array(shared.paths[entry.pathStart..<(entry.pathStart + entry.pathLength)])
            var kept = entry
            if replaced.contains(position) {
                let split = split[replacement]
                guard split.pathLength == 0 else { return nil }
                replacement += 1
                kept = split
            }
            if !link.deleted.contains(position) {
                byKey[Key(name: name, stage: kept.stage)] = kept
                stages[name, default: []].insert(kept.stage)
            }
        }
        for entry in split[replacement...] {
            guard entry.pathLength > 0 else { return nil }
            let name = Array(paths[entry.pathStart..<(entry.pathStart + entry.pathLength)])
            if entry.stage == 0 {
                for stage in stages[name] ?? [] { byKey[Key(name: name, stage: stage)] = nil }
                stages[name] = []
            }
            byKey[Key(name: name, stage: entry.stage)] = entry
            stages[name, default: []].insert(entry.stage)
        }
        var mergedPaths: [UInt8] = []
        var merged: [Entry] = []
        let order = byKey.keys.sorted { $0.name == $1.name ? $0.stage < $1.stage : $0.name.lexicographicallyPrecedes($1.name) }
        for key in order {
            guard let entry = byKey[key] else { continue }
            merged.append(entry.renamed(start: mergedPaths.count, length: key.name.count))
            mergedPaths.append(contentsOf: key.name)
        }
        return (mergedPaths, merged)
    }
}

/// Parses the index file format (git's Documentation/gitformat-index.txt).
private struct IndexParser {
    let bytes: [UInt8]
    var offset = 0
    /// The split index's link to its shared index, when it has one.
    var link: SplitIndexLink?
    var emptyNames = false
    /// Accept every entry and keep all its data (`IndexFile.read(path:complete:)`).
    let complete: Bool

    init(bytes: [UInt8], complete: Bool) {
        self.bytes = bytes
        self.complete = complete
    }

    static let hashLength = 20

    mutating func parse() -> (paths: [UInt8], entries: [IndexFile.Entry], trees: [GitPath: git_oid])? {
        guard bytes.count >= 12 + Self.hashLength,
              bytes[0] == 0x44, bytes[1] == 0x49, bytes[2] == 0x52, bytes[3] == 0x43 else { return nil }  // "DIRC"
        let version = be32(4), count = Int(be32(8))
        guard (2...4).contains(version) else { return nil }
        offset = 12
        let end = bytes.count - Self.hashLength
        var paths: [UInt8] = []
        paths.reserveCapacity(count * 32)
        var entries: [IndexFile.Entry] = []
        entries.reserveCapacity(count)
        var previous: Range<Int> = 0..<0
        for _ in 0..<count {
            let start = offset
            guard start + 62 <= end else { return nil }
            let mode = be32(start + 24)
            let flags = be16(start + 60)
            // assume-valid (0x8000), a stage other than 0 (0x3000); extended flags when 0x4000.
            guard complete || flags & 0xB000 == 0 else { return nil }
            var pathOffset = start + 62
            var extendedFlags: UInt16 = 0
            if flags & 0x4000 != 0 {
                guard version >= 3, pathOffset + 2 <= end else { return nil }
                extendedFlags = be16(pathOffset)
                guard complete || extendedFlags == 0 else { return nil }
                pathOffset += 2
            }
            // Only files and links: gitlinks (submodules) take libgit2's path.
            guard complete || mode == 0o100644 || mode == 0o100755 || mode == 0o120000 else { return nil }
            let pathStart = paths.count
            if version == 4 {
                offset = pathOffset
                guard let strip = varint(limit: end), strip <= previous.count else { return nil }
                let keep = previous.count - strip
                paths.append(contentsOf: paths[previous.lowerBound..<(previous.lowerBound + keep)])
                guard let nul = nulIndex(from: offset, limit: end) else { return nil }
                paths.append(contentsOf: bytes[offset..<nul])
                offset = nul + 1
            } else {
                guard let nul = nulIndex(from: pathOffset, limit: end) else { return nil }
                paths.append(contentsOf: bytes[pathOffset..<nul])
                let entryLength = (pathOffset - start) + (nul - pathOffset) + 8
                offset = start + (entryLength & ~7)
                guard offset <= end else { return nil }
            }
            let length = paths.count - pathStart
            if length == 0 { emptyNames = true }  // a split index's replacement entry
            previous = pathStart..<(pathStart + length)
            let id = rawID(at: start + 40)
            entries.append(IndexFile.Entry(pathStart: pathStart, pathLength: length,
                                           ctimeSeconds: be32(start), ctimeNanoseconds: be32(start + 4),
                                           mtimeSeconds: be32(start + 8), mtimeNanoseconds: be32(start + 12),
                                           inode: be32(start + 20), mode: mode, size: be32(start + 36), id: id,
                                           device: be32(start + 16), uid: be32(start + 28), gid: be32(start + 32),
                                           flags: flags & 0xF000, extendedFlags: extendedFlags))
        }
        var trees: [GitPath: git_oid] = [:]
        while offset + 8 <= end {
            let signature = Array(bytes[offset..<(offset + 4)])
            let size = Int(be32(offset + 4))
            let body = offset + 8
            guard body + size <= end else { return nil }
            if signature == Array("TREE".utf8) {
                var tree = TreeExtensionParser(bytes: bytes, offset: body, end: body + size)
                guard tree.parse(prefix: nil, into: &trees) else { return nil }
            } else if signature == Array("link".utf8), link == nil, version < 4 {
                guard let parsedLink = SplitIndexLink(bytes, start: body, end: body + size) else { return nil }
                link = parsedLink
            } else if !(0x41...0x5A).contains(signature[0]) {
                return nil  // a required extension spur does not know (split index, sparse index)
            }
            offset = body + size
        }
        guard offset == end else { return nil }
        if emptyNames && link == nil { return nil }
        return (paths, entries, trees)
    }

    func be32(_ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    func be16(_ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }

    func rawID(at: Int) -> git_oid { readRawID(bytes, at: at) }

    func nulIndex(from: Int, limit: Int) -> Int? {
        var i = from
        while i < limit { if bytes[i] == 0 { return i }; i += 1 }
        return nil
    }

    /// git's offset varint (index v4 path compression).
    mutating func varint(limit: Int) -> Int? {
        guard offset < limit else { return nil }
        var byte = bytes[offset]; offset += 1
        var value = Int(byte & 0x7F)
        while byte & 0x80 != 0 {
            guard offset < limit, value < (1 << 40) else { return nil }
            byte = bytes[offset]; offset += 1
            value = ((value + 1) << 7) | Int(byte & 0x7F)
        }
        return value
    }
}

/// The "TREE" extension: for each folder, in pre-order, its name, the number of index entries
/// it covers (-1 when invalidated), the number of subfolders, and its tree id when valid.
private struct TreeExtensionParser {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    mutating func parse(prefix: GitPath?, into trees: inout [GitPath: git_oid]) -> Bool {
        guard let nul = index(of: 0) else { return false }
        let name = GitPath(bytes: bytes[offset..<nul])
        offset = nul + 1
        guard let space = index(of: 0x20), let entryCount = Int(String(decoding: bytes[offset..<space], as: UTF8.self)) else { return false }
        offset = space + 1
        guard let newline = index(of: 0x0A), let subtrees = Int(String(decoding: bytes[offset..<newline], as: UTF8.self)),
              subtrees >= 0 else { return false }
        offset = newline + 1
        let path = prefix.map { $0.appending(name) } ?? .root
        if entryCount >= 0 {
            guard offset + 20 <= end else { return false }
            trees[path] = readRawID(bytes, at: offset)
            offset += 20
        }
        for _ in 0..<subtrees where !parse(prefix: path, into: &trees) { return false }
        return true
    }

    func index(of byte: UInt8) -> Int? {
        var i = offset
        while i < end { if bytes[i] == byte { return i }; i += 1 }
        return nil
    }
}

/// The 20 id bytes at `at`.
private func readRawID(_ bytes: [UInt8], at: Int) -> git_oid {
    var oid = git_oid()
    withUnsafeMutableBytes(of: &oid) { target in
        bytes.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[at..<(at + 20)])) }
    }
    return oid
}
