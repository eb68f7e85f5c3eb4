import Foundation
import Testing
import SpurTestSupport
import SpurHookCore

/// The Bash guard's stat cache (`.git/spur/cache/bash-watched`): a PreToolUse takes the files
/// live lanes changed from it while nothing they were read from changed, and what it watches is
/// always what a fresh look would watch.
@Suite struct BashGuardCacheTests {
    /// Lanes' files older than this are cached (WatchedPathsCache.settle is 1 s).
    static let settle: UInt32 = 1_150_000

    func cacheFile(_ repo: TestRepository) -> String { repo.path(".git/spur/cache/bash-watched") }

    /// Runs a PreToolUse of Bash through `spur hook claude` (unless `recordOnly`: one has run)
    /// and returns what it recorded (per watched file: path, lanes and fingerprint), taking the
    /// record away as a PostToolUse would; [] when it recorded nothing.
    func watched(_ repo: TestRepository, _ toolUseID: String, recordOnly: Bool = false) throws -> [[String]] {
        if !recordOnly {
            let text = try BashGuardTests().payload("pre-tool-use-bash", cwd: repo.root, command: "make test", toolUseID: toolUseID)
            let result = try repo.spur("hook", "claude", stdin: text)
            #expect(result.status == 0 && result.stdout.isEmpty, "PreToolUse: \(result.stdout) \(result.stderr)")
        }
        let file = repo.path(".git/spur/bash/session-1-\(toolUseID)")
        guard let data = PlainFile.read(file) else { return [] }
        try FileManager.default.removeItem(atPath: file)
        return Self.fields(try #require(BashWriteRecord.decoded(data), "the record \(toolUseID) cannot be read"))
    }

    /// Per watched file of `record`: its path, its lanes (one per line) and its fingerprint ("" when absent).
    static func fields(_ record: BashWriteRecord) -> [[String]] {
        record.files.map { [String(decoding: $0.path, as: UTF8.self), $0.lanes.joined(separator: "\n"), $0.before ?? ""] }
    }

    func paths(_ watched: [[String]]) -> [String] { watched.map { $0[0] } }

    /// The same through a lone copy of `spur-hook` (no spur it could start): what it recorded
    /// when it answered alone, nil when it handed the call over (and could not).
    func watchedAlone(_ repo: TestRepository, _ toolUseID: String, lone: (executable: String, env: [String: String])) throws -> [[String]]? {
        let text = try BashGuardTests().payload("pre-tool-use-bash", cwd: repo.root, command: "make test", toolUseID: toolUseID)
        let result = try repo.spurHook(env: lone.env, stdin: text, executable: lone.executable)
        if result.stderr.contains("cannot run spur hook claude") { return nil }
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "spur-hook alone: \(result.stdout) \(result.stderr)")
        return try watched(repo, toolUseID, recordOnly: true)
    }

    @Test func aSettledListIsCachedUsedAndDroppedWhenALaneChangesAgain() throws {
        let (repo, worktree) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("echo task >> a.txt && echo lane > b.txt", cwd: worktree)
        // Just changed: the list is looked up each time and not kept.
        let first = try watched(repo, "toolu_1")
        #expect(paths(first) == ["a.txt", "b.txt"], "\(first)")
        #expect(!FileManager.default.fileExists(atPath: cacheFile(repo)))
        usleep(Self.settle)
        #expect(paths(try watched(repo, "toolu_2")) == ["a.txt", "b.txt"])
        #expect(FileManager.default.fileExists(atPath: cacheFile(repo)))
        // While it holds the cache is what is watched: a cache naming c.txt in place of b.txt is believed.
        let cached = try #require(FileManager.default.contents(atPath: cacheFile(repo)))
        let tampered = Data(String(decoding: cached, as: UTF8.self).replacingOccurrences(of: "b.txt\0task", with: "c.txt\0task").utf8)
        #expect(tampered != cached)
        try tampered.write(to: URL(fileURLWithPath: cacheFile(repo)))
        #expect(paths(try watched(repo, "toolu_3")) == ["a.txt", "c.txt"])
        // The lane writes another file: its journal grows, and the list is looked up again.
        try repo.shell("echo new > new.txt", cwd: worktree)
        #expect(paths(try watched(repo, "toolu_4")) == ["a.txt", "b.txt", "new.txt"])
    }

    /// Random changes to the lanes, each made right after the list was cached: a PreToolUse of
    /// `spur-hook` answering alone (it trusts the cache only while it holds), one of `spur hook
    /// claude` with the cache and one without it watch the same files with the same lanes and
    /// fingerprints; and while the cache holds, spur-hook answers alone, as spur did.
    @Test(arguments: [UInt64(11), 29, 5])
    func theCachedListIsAlwaysWhatAFreshLookFinds(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let (repo, first) = try overlapRepositoryWithLane()
        defer { repo.remove() }
        try repo.shell("mkdir -p docs && echo d > docs/d.txt && git add -A && git commit -qm docs")
        try repo.shell("echo task >> a.txt", cwd: first)
        var lanes = ["task": first]
        var finished: Set<String> = []
        // Lanes whose changes only a look at their worktree can list (a folder made or moved in, a
        // watcher gone): while there is one, nothing is cached.
        var needsLook: Set<String> = []
        var call = 0
        let lone = try SpurHookTests().loneSpurHook(repo)
        var answeredAlone = 0
        for step in 0..<7 {
            usleep(Self.settle)
            call += 1
            let settled = try watched(repo, "toolu_\(call)")
            #expect(FileManager.default.fileExists(atPath: cacheFile(repo)) == needsLook.isEmpty || lanes.isEmpty,
                    "seed \(seed) step \(step): cached or not, with \(needsLook) needing a look")
            if FileManager.default.fileExists(atPath: cacheFile(repo)) {
                call += 1
                let alone = try watchedAlone(repo, "toolu_\(call)", lone: lone)
                #expect(alone == settled, "seed \(seed) step \(step): spur-hook alone \(String(describing: alone)), spur \(settled)")
                answeredAlone += 1
            }
            let names = lanes.keys.sorted()
            let lane = names.isEmpty ? nil : names[Int.random(in: 0..<names.count, using: &random)]
            let worktree = lane.flatMap { lanes[$0] } ?? ""
            let change: String
            switch (lane, Int.random(in: 0..<8, using: &random)) {
            case (nil, _), (_, 0):
                let name = "lane\(step)"
                let spawned = try repo.spur("spawn", name, "--no-run")
                guard spawned.status == 0, let path = spawned.lines.last else { throw TestFailure("spawn: \(spawned.stderr)") }
                lanes[name] = path
                try repo.shell("echo \(name) > f\(step).txt", cwd: path)
                change = "spawned \(name)"
            case (_, 1), (_, 6) where finished.contains(lane ?? ""):
                try repo.shell("echo more >> b.txt", cwd: worktree)
                change = "\(lane ?? "") wrote a journaled file again"
            case (_, 2):
                try repo.shell("rm -rf a.txt && mkdir -p /tmp/spur-moved-\(seed) && rm -rf /tmp/spur-moved-\(seed)/a.txt "
                    + "&& mkdir /tmp/spur-moved-\(seed)/a.txt && echo in > /tmp/spur-moved-\(seed)/a.txt/inside "
                    + "&& mv /tmp/spur-moved-\(seed)/a.txt a.txt", cwd: worktree)
                if !finished.contains(lane ?? "") { needsLook.insert(lane ?? "") }
                change = "\(lane ?? "") moved a full folder in place of a.txt"
            case (_, 3):
                try repo.shell("mkdir -p docs/new && echo n > docs/new/n.txt && rm docs/d.txt", cwd: worktree)
                if !finished.contains(lane ?? "") { needsLook.insert(lane ?? "") }
                change = "\(lane ?? "") made a folder and removed a file"
            case (_, 4):
                try repo.shell("rm -rf '\(worktree)'")
                lanes[lane ?? ""] = nil
                needsLook.remove(lane ?? "")
                change = "removed \(lane ?? "")'s worktree"
            case (_, 5):
                let state = try repo.read(".git/worktrees/spur-\(lane ?? "")/spur-journal-state")
                let object = try JSONSerialization.jsonObject(with: Data(state.utf8)) as? [String: Any]
                if let pid = object?["pid"] as? Int { kill(Int32(pid), SIGKILL) }
                usleep(200_000)
                if !finished.contains(lane ?? "") { needsLook.insert(lane ?? "") }
                change = "killed \(lane ?? "")'s watcher"
            case (_, 6):
                let result = try repo.spur("finish", lane ?? "")
                #expect(result.status == 0, "finish: \(result.stderr)")
                finished.insert(lane ?? "")
                needsLook.remove(lane ?? "")
                change = "finished \(lane ?? "")"
            default:
                try repo.shell("echo mine >> a.txt && echo mine > b.txt")
                change = "you changed a.txt and b.txt"
            }
            call += 1
            let fast = try watchedAlone(repo, "toolu_\(call)", lone: lone)
            call += 1
            let withCache = try watched(repo, "toolu_\(call)")
            try? FileManager.default.removeItem(atPath: cacheFile(repo))
            call += 1
            let fresh = try watched(repo, "toolu_\(call)")
            #expect(withCache == fresh, "seed \(seed) step \(step) (\(change)): cached \(withCache) fresh \(fresh)")
            // Handed over (nil): the cache no longer held, as spur-hook could tell.
            if let fast { #expect(fast == fresh, "seed \(seed) step \(step) (\(change)): spur-hook \(fast) fresh \(fresh)") }
        }
        #expect(answeredAlone > 0, "seed \(seed): spur-hook never answered alone")
    }
}
