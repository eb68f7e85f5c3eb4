import Foundation
import Testing
import SpurGit
import SpurKit
import SpurTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A snapshot starts from the index's stat cache: files whose stat data matches their index
/// entry are not opened (so not re-hashed); only changed and new files are read.
@Suite struct SnapshotStatCacheTests {
    @Test func unchangedFilesAreNotOpenedWhileChangedAndNewOnesAre() throws {
        let repository = try TestRepository.empty()
        defer { repository.remove() }
        // 40 committed files dated in the past, so no index entry is "racily clean" (which would
        // force a content check), then one edit and one new file.
        try repository.shell("""
            mkdir data && for i in $(seq 1 40); do printf 'content %s\\n' $i > data/file-$i.txt; done
            touch -d '2020-01-01 00:00:00' data/*
            git add -A && git commit -q -m data
            printf 'changed\\n' >> data/file-7.txt
            printf 'new\\n' > data/new.txt
            """)
        let opened = try FileOpenWatch.files(openedIn: repository.path("data")) {
            _ = try PinnedLibgit2.run(for: repository) { try Snapshot.take(workdir: repository.root) }
        }
        #expect(opened == ["file-7.txt", "new.txt"])
        // The watch itself works: reading every file is seen.
        let all = try FileOpenWatch.files(openedIn: repository.path("data")) {
            _ = try repository.shell("cat data/* > /dev/null")
        }
        #expect(all.count == 41)
    }
}

/// Names of files opened in one folder while `body` runs, seen through inotify.
enum FileOpenWatch {
    static func files(openedIn folder: String, during body: () throws -> Void) throws -> Set<String> {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw TestFailure("inotify_init1 failed: \(errno)") }
        defer { close(descriptor) }
        guard inotify_add_watch(descriptor, folder, UInt32(IN_OPEN)) >= 0 else {
            throw TestFailure("inotify_add_watch failed: \(errno)")
        }
        try body()
        var names = Set<String>()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var offset = 0
            while offset + 16 <= count {
                let length = buffer.withUnsafeBytes { Int($0.load(fromByteOffset: offset + 12, as: UInt32.self)) }
                let mask = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 4, as: UInt32.self) }
                let nameBytes = buffer[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                if mask & UInt32(IN_ISDIR) == 0, !nameBytes.isEmpty {
                    names.insert(String(decoding: nameBytes, as: UTF8.self))
                }
                offset += 16 + length
            }
        }
        return names
    }
}
