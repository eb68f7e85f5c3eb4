import Foundation
import Testing
import SpurTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Each live lane gets SPUR_PORT_BASE: a block of 10 ports no other live lane of any repository
/// (sharing the per-user registry) holds, free when it was handed out.
@Suite struct PortTests {
    func portBase(_ repository: TestRepository, _ name: String) throws -> Int {
        try #require(try repository.laneJSON(name)?["portBase"] as? Int)
    }

    @Test func twoLanesGetDistinctBlocksAlignedOnTenWithinTheDefaultRange() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        try repository.spawnLane("one")
        try repository.spawnLane("two")
        let one = try portBase(repository, "one"), two = try portBase(repository, "two")
        #expect(one != two)
        for base in [one, two] {
            #expect(base % 10 == 0)
            #expect(base >= 20000 && base + 9 <= 29999)
        }
        #expect(abs(one - two) >= 10)
        #expect(try repository.spurSucceeds("show", "one").stdout.contains("SPUR_PORT_BASE=\(one)"))
    }

    @Test func theTaskSeesSpurPortBaseAsListJsonShowsIt() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        let seen = repository.scratch + "/port-seen"
        try repository.spurSucceeds("spawn", "server", "--", "sh", "-c", "printf %s \"$SPUR_PORT_BASE\" > '\(seen)'")
        try repository.spurSucceeds("wait", "server")
        let fromTask = try String(contentsOfFile: seen, encoding: .utf8)
        #expect(Int(fromTask) == (try portBase(repository, "server")))
    }

    @Test func blocksStayWithinAConfiguredRangeAndExhaustionIsAOneLineError() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        // Ports 1-1023 cannot be bound by a normal user, so pick a high, likely idle range.
        let low = 40000 + Int.random(in: 0..<2000) * 10
        try repository.git("config", "spur.portRange", "\(low - 5)-\(low + 24)")
        try repository.spawnLane("a")
        try repository.spawnLane("b")
        let bases = Set([try portBase(repository, "a"), try portBase(repository, "b")])
        #expect(bases.count == 2)
        #expect(bases.isSubset(of: [low, low + 10]))
        let refused = try repository.spur("spawn", "c", "--no-run")
        #expect(refused.status != 0)
        #expect(refused.stderr.hasPrefix("spur: no free block of 10 ports in \(low - 5)-\(low + 24)"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try repository.laneJSON("c") == nil)
        try repository.git("config", "spur.portRange", "9-12")
        let bad = try repository.spur("spawn", "d", "--no-run")
        #expect(bad.status != 0 && bad.stderr.hasPrefix("spur: git config spur.portRange is '9-12'"))
    }

    @Test func aDiscardedLanesBlockIsHandedOutAgain() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        let low = 42000 + Int.random(in: 0..<2000) * 10
        try repository.git("config", "spur.portRange", "\(low)-\(low + 19)")
        try repository.spawnLane("first")
        try repository.spawnLane("second")
        let first = try portBase(repository, "first")
        #expect(try repository.spur("spawn", "third", "--no-run").status != 0)
        try repository.spurSucceeds("discard", "first")
        try repository.spawnLane("third")
        #expect(try portBase(repository, "third") == first)
    }

    @Test func anEndedLanesBlockIsReclaimedByTheNextSpawn() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        let low = 44000 + Int.random(in: 0..<2000) * 10
        try repository.git("config", "spur.portRange", "\(low)-\(low + 9)")
        try repository.spurSucceeds("spawn", "quick", "--", "true")
        try repository.spurSucceeds("wait", "quick")
        try repository.spawnLane("next")
        #expect(try portBase(repository, "next") == low)
    }

    @Test func aQueuedLaneHoldsItsBlockFromSpawnAndItsTaskGetsThatBlock() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        try repository.spawnLane("first")
        let seen = repository.scratch + "/port-seen"
        try repository.spurSucceeds("spawn", "second", "--after", "first", "--", "sh", "-c", "printf %s \"$SPUR_PORT_BASE\" > '\(seen)'")
        #expect(try repository.laneJSON("second")?["state"] as? String == "queued")
        let queued = try portBase(repository, "second")
        #expect(queued != (try portBase(repository, "first")))
        try repository.spurSucceeds("finish", "first")
        try repository.spurSucceeds("wait", "second")
        #expect(Int(try String(contentsOfFile: seen, encoding: .utf8)) == queued)
        #expect(try portBase(repository, "second") == queued)
    }

    @Test func aDamagedRegistryIsReadAsEmptyAndRewritten() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        let registry = repository.scratch + "/home/.cache/spur/ports.json"
        try FileManager.default.createDirectory(atPath: (registry as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "{ not json".write(toFile: registry, atomically: true, encoding: .utf8)
        try repository.spawnLane("after-damage")
        let base = try portBase(repository, "after-damage")
        let text = try String(contentsOfFile: registry, encoding: .utf8)
        #expect(text.contains("\"base\" : \(base)"))
    }

    @Test func aPortAnotherProgramListensOnIsNeverInAGivenBlock() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        let listener = try Listener()
        let port = listener.port
        let blockStart = port / 10 * 10
        try repository.git("config", "spur.portRange", "\(blockStart)-\(blockStart + 19)")
        let result = try repository.spur("spawn", "web", "--no-run")
        if result.status == 0 {
            let base = try portBase(repository, "web")
            #expect(!(base...(base + 9)).contains(port))
            #expect(base == blockStart + 10)
        } else {
            // The next block was busy too (an ephemeral port of another program): refused, not given.
            #expect(result.stderr.hasPrefix("spur: no free block"))
        }
        withExtendedLifetime(listener) {}
    }

    @Test func eightConcurrentSpawnsGetEightDistinctBlocks() throws {
        let repository = try TestRepository.scenario("small-project")
        defer { repository.remove() }
        let names = (1...8).map { "lane-\($0)" }
        let script = names.map { "'\(SpurExecutable.path)' spawn \($0) --no-run > /dev/null &" }.joined(separator: "\n") + "\nwait\n"
        try repository.shell(script)
        let bases = try names.map { try portBase(repository, $0) }
        #expect(Set(bases).count == 8)
        let sorted = bases.sorted()
        for (lower, upper) in zip(sorted, sorted.dropFirst()) { #expect(upper - lower >= 10) }
    }

    @Test func twoRepositoriesSharingARegistryGetDistinctBlocks() throws {
        let left = try TestRepository.scenario("small-project")
        defer { left.remove() }
        let right = try TestRepository.scenario("small-project")
        defer { right.remove() }
        let shared = ["SPUR_PORT_REGISTRY": left.scratch + "/shared-ports.json"]
        let low = 46000 + Int.random(in: 0..<1500) * 10
        for repository in [left, right] { try repository.git("config", "spur.portRange", "\(low)-\(low + 99)") }
        let script = (1...3).flatMap { index in
            [left, right].map { "( cd '\($0.root)' && '\(SpurExecutable.path)' spawn lane-\(index) --no-run > /dev/null ) &" }
        }.joined(separator: "\n") + "\nwait\n"
        let run = try ProcessRunner.run("/bin/sh", ["-c", script], cwd: left.root,
                                        environment: left.environment.merging(shared) { $1 })
        #expect(run.status == 0)
        var bases: [Int] = []
        for repository in [left, right] {
            for index in 1...3 {
                bases.append(try #require(try repository.laneJSON("lane-\(index)")?["portBase"] as? Int))
            }
        }
        #expect(Set(bases).count == 6, "\(bases)")
        // The registry names each repository's common dir.
        let registry = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: left.scratch + "/shared-ports.json"))) as? [String: Any])
        let entries = try #require(registry["blocks"] as? [[String: Any]])
        #expect(Set(entries.compactMap { $0["commonDir"] as? String }) == [left.root + "/.git", right.root + "/.git"])
        #expect(Set(entries.compactMap { $0["base"] as? Int }) == Set(bases))
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks, for as long as it lives.
final class Listener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { close(fd); throw TestFailure("bind/listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { close(fd); throw TestFailure("getsockname failed") }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
