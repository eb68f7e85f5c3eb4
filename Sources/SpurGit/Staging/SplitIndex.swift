import CGit2

/// The "link" extension of a split index (`core.splitIndex`, `git update-index --split-index`):
/// the shared index it builds on and which of that index's entries it deletes or replaces
/// (git's Documentation/gitformat-index.txt, "Split index").
struct SplitIndexLink {
    /// The shared index's id: the file is `sharedindex.<hex>` beside the index.
    let sharedIndexID: [UInt8]
    /// Positions in the shared index of the entries this index deletes.
    let deleted: Set<Int>
    /// Positions, ascending, of the shared entries replaced by this index's first entries.
    let replaced: [Int]

    var sharedIndexName: String {
        "sharedindex." + sharedIndexID.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Parses the extension's body (`bytes[start..<end]`); nil when malformed.
    init?(_ bytes: [UInt8], start: Int, end: Int) {
        guard end - start >= 20 else { return nil }
        sharedIndexID = Array(bytes[start..<(start + 20)])
        var offset = start + 20
        if offset == end {
            deleted = []
            replaced = []
            return
        }
        guard let delete = Self.ewah(bytes, &offset, end), let replace = Self.ewah(bytes, &offset, end), offset == end else { return nil }
        deleted = Set(delete)
        replaced = replace
    }

    /// Decodes one EWAH-compressed bitmap into the positions of its set bits, ascending.
    private static func ewah(_ bytes: [UInt8], _ offset: inout Int, _ end: Int) -> [Int]? {
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        func be64(_ at: Int) -> UInt64 { UInt64(be32(at)) << 32 | UInt64(be32(at + 4)) }
        guard offset + 8 <= end else { return nil }
        let bitCount = be32(offset), wordCount = be32(offset + 4)
        let words = offset + 8
        guard wordCount >= 0, words + wordCount * 8 + 4 <= end else { return nil }
        var positions: [Int] = []
        var word = 0, bit = 0
        while word < wordCount {
            let marker = be64(words + word * 8)
            word += 1
            let running = marker & 1 != 0
            let runLength = Int((marker >> 1) & 0xFFFF_FFFF)
            let literals = Int(marker >> 33)
            if running {
                guard runLength <= (1 << 26) else { return nil }
                for position in bit..<(bit + runLength * 64) { positions.append(position) }
            }
            bit += runLength * 64
            guard word + literals <= wordCount else { return nil }
            for _ in 0..<literals {
                let literal = be64(words + word * 8)
                word += 1
                for k in 0..<64 where literal & (UInt64(1) << UInt64(k)) != 0 { positions.append(bit + k) }
                bit += 64
            }
        }
        offset = words + wordCount * 8 + 4
        return positions.filter { $0 < bitCount }
    }
}

extension Repository {
    /// libgit2's index for a split index (which libgit2 1.5.1 refuses: "unsupported mandatory
    /// extension: 'link'"), built from spur's own reading of it and its shared index: every
    /// entry with its stat data and flags, in an in-memory index made this repository's own, so
    /// attributes, ignore rules and `add_all` see it as they see the on-disk one.
    ///
    /// Racy-git: libgit2 trusts an in-memory index's stat data unconditionally (it has no file
    /// time), so every entry modified in or after the second the index file was written gets
    /// its mtime cleared (`forgetStatOfEntries`) and is re-read, as git re-reads a racily clean
    /// entry. `Index.write()` then writes an unsplit index over the split one.
    func splitIndex() throws -> Index? {
        let path = gitDir + "/index"
        guard let file = IndexFile.read(path: path, complete: true) else { return nil }
        let index = try Index.inMemory()
        index.diskPath = path
        try index.withPointer { handle in
            try check(withPointer { git_repository_set_index($0, handle) }, "git_repository_set_index")
        }
        try Self.copyEntries(of: file, into: index)
        try index.forgetStatOfEntries(modifiedSince: file.mtimeSeconds)
        return index
    }

    /// The index as it is on disk now, split or not, in an index of its own that is not this
    /// repository's (read-only use: what `git add -A` starts from). nil when it cannot be read.
    public func indexAsOnDisk() -> Index? {
        let path = gitDir + "/index"
        if let index = try? Index.open(path: path) { return index }
        guard let file = IndexFile.read(path: path, complete: true), let index = try? Index.inMemory(),
              (try? Self.copyEntries(of: file, into: index)) != nil else { return nil }
        return index
    }

    /// Adds every entry of `file` to `index` with its stat data and flags.
    private static func copyEntries(of file: IndexFile, into index: Index) throws {
        for i in file.entries.indices {
            let e = file.entries[i]
            var entry = git_index_entry()
            entry.ctime.seconds = Int32(bitPattern: e.ctimeSeconds)
            entry.ctime.nanoseconds = e.ctimeNanoseconds
            entry.mtime.seconds = Int32(bitPattern: e.mtimeSeconds)
            entry.mtime.nanoseconds = e.mtimeNanoseconds
            entry.dev = e.device
            entry.ino = e.inode
            entry.mode = e.mode
            entry.uid = e.uid
            entry.gid = e.gid
            entry.file_size = e.size
            entry.id = e.id
            entry.flags = e.flags
            entry.flags_extended = e.extendedFlags
            try file.path(i).withCString { cPath in
                entry.path = cPath
                try index.withPointer { try check(git_index_add($0, &entry), "git_index_add(\(file.path(i).display))") }
            }
        }
    }
}
