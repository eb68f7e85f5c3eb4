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
