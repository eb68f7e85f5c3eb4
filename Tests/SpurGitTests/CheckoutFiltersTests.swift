import Foundation
import Testing
import SpurGit
import SpurTestSupport

/// `workdirBytes(ofBlob:path:)` must give the bytes git's checkout writes for a blob, binary
/// blobs included (libgit2's default binary check made it return an empty buffer for them).
@Suite struct CheckoutFiltersTests {
    /// A PNG-like binary: a NUL, CR LF and lone LF bytes, 17 KB.
    static let binary: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]
        + (0..<17_207).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    struct Setup: CustomTestStringConvertible, Sendable {
        let name: String
        let attributes: String?
        let autocrlf: String?
        var testDescription: String { name }
    }

    static let setups = [
        Setup(name: "a .gitattributes that does not name the file", attributes: "*.txt text\n", autocrlf: nil),
        Setup(name: "core.autocrlf true", attributes: nil, autocrlf: "true"),
        Setup(name: "text=auto eol=crlf for everything", attributes: "* text=auto eol=crlf\n", autocrlf: nil),
    ]

    @Test(arguments: setups)
    func binaryAndTextBlobsGetTheBytesGitsCheckoutWrites(_ setup: Setup) throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        if let autocrlf = setup.autocrlf { try repository.git("config", "core.autocrlf", autocrlf) }
        if let attributes = setup.attributes { try repository.write(".gitattributes", attributes) }
        try Data(Self.binary).write(to: URL(fileURLWithPath: repository.path("image.png")))
        try repository.write("notes.txt", "one\ntwo\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-qm", "files")

        let git = try Repository(path: repository.root)
        let tree = try git.tree(git.treeID(ofCommit: git.commitID(forRevision: "HEAD")))
        for path: GitPath in ["image.png", "notes.txt"] {
            let entry = try #require(try tree.entry(path: path))
            let oracle = repository.scratch + "/checked-out"
            try repository.shell("git cat-file --filters 'HEAD:\(path)' > '\(oracle)'")
            let bytes = try PinnedLibgit2.run(for: repository) { try git.workdirBytes(ofBlob: entry.id, path: path) }
            let expected = Array(try Data(contentsOf: URL(fileURLWithPath: oracle)))
            let same = bytes == expected
            #expect(same, "\(setup.name): \(path) has \(bytes.count) bytes, git's checkout writes \(expected.count)")
        }
        let image = try PinnedLibgit2.run(for: repository) {
            try git.workdirBytes(ofBlob: #require(try tree.entry(path: "image.png")).id, path: "image.png")
        }
        let unchanged = image == Self.binary
        #expect(unchanged, "\(setup.name): the binary file must be written as it is, not as \(image.count) bytes")
    }
}
