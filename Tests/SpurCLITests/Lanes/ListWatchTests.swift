import Foundation
import Testing
import SpurTestSupport

/// `list --watch` and `status --watch` with standard input and output not terminals: each
/// changed view printed again, the process asleep in the kernel in between, ended by a q or
/// the end of its input.
@Suite struct ListWatchTests {
    /// A `spur ARGS --watch` running with pipes for its standard input and output.
    final class Watcher: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        private let lock = NSLock()
        private var text = ""

        init(_ repo: TestRepository, _ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: SpurExecutable.path)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
            process.environment = repo.environment
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try withNoSignalsBlocked { try process.run() }
            let handle = output.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { return }
                    lock.lock()
                    text += String(decoding: data, as: UTF8.self)
                    lock.unlock()
                }
            }
        }

        var printed: String {
            lock.lock()
            defer { lock.unlock() }
            return text
        }

        /// Waits (at most 30 s) until what it printed satisfies `condition`.
        func waitFor(_ condition: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if condition(printed) { return true }
                usleep(20_000)
            }
            return condition(printed)
        }

        /// Waits (at most 30 s) for the process to end; its exit status, or nil if it did not.
        func exitStatus() -> Int32? {
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate(); return nil }
            return process.terminationStatus
        }

        /// user + system CPU seconds so far, from `/proc/PID/stat`.
        func cpuSeconds() throws -> Double {
            let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
            guard let close = stat.lastIndex(of: ")") else { throw TestFailure("not a stat line: \(stat)") }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
                throw TestFailure("not a stat line: \(stat)")
            }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }

    /// The tables printed so far (each starts with its header).
    func tables(_ text: String) -> [String] {
        text.components(separatedBy: "NAME ").dropFirst().map { "NAME " + $0 }
    }

    @Test func listWatchRedrawsWhenALaneChangesUsesNoCPUWhileIdleAndEndsOnQ() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let first = try repo.spawnLane("first")
        let watcher = try Watcher(repo, ["list", "--watch"])
        #expect(watcher.waitFor { tables($0).count == 1 && $0.contains("first ") })
        // Idle: nothing changes for two seconds, and the process sleeps in the kernel.
        let before = try watcher.cpuSeconds()
        sleep(2)
        let idle = try watcher.cpuSeconds() - before
        #expect(idle < 0.05, "list --watch used \(idle) s of CPU while nothing changed")
        #expect(tables(watcher.printed).count == 1)
        // A new lane: a new table with it.
        _ = try repo.spawnLane("second")
        #expect(watcher.waitFor { tables($0).last?.contains("second ") == true })
        // A file changed in a lane (its change journal): the count of files changes.
        let redraws = tables(watcher.printed).count
        try "new\n".write(toFile: first + "/new.txt", atomically: false, encoding: .utf8)
        #expect(watcher.waitFor { text in
            tables(text).count > redraws && tables(text).last?.split(separator: "\n").contains { $0.hasPrefix("first ") && $0.contains(" 1 ") } == true
        })
        // q ends it, exit 0.
        watcher.input.fileHandleForWriting.write(Data("q\n".utf8))
        #expect(watcher.exitStatus() == 0)
    }

    @Test func statusWatchEndsAtTheEndOfItsInputAndWatchWithJSONIsBadInput() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        _ = try repo.spawnLane("only")
        let watcher = try Watcher(repo, ["status", "--watch"])
        #expect(watcher.waitFor { $0.contains("only  created") })
        try watcher.input.fileHandleForWriting.close()
        #expect(watcher.exitStatus() == 0)
        // With no input at all it prints once and ends.
        let once = try repo.spur("list", "--watch")
        #expect(once.status == 0)
        #expect(once.lines.first?.hasPrefix("NAME ") == true && once.lines.count == 2)
        for command in ["list", "status"] {
            let bad = try repo.spur(command, "--watch", "--json")
            #expect(bad.status == 2)
            #expect(bad.stderr == "spur: --watch draws the \(command == "list" ? "table" : "report"); it cannot be combined with --json\n")
        }
    }
}
