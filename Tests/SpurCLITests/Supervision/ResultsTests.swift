import Foundation
import Testing
import SpurTestSupport

/// Issue #16, part 1: a running lane's latest line in `list`, the task's result in the event,
/// `spur.notify`, the Claude Code hook and `spur show`, all bounded and made safe.
@Suite struct ResultsTests {
    /// A task that stops at each gate: it writes `<gate>.ready` and waits for `<gate>.go`
    /// (both fifos, made here), so the test looks at the lane between two steps without sleeping.
    struct Gates {
        let folder: String
        init(_ repo: TestRepository, _ names: [String]) throws {
            folder = repo.scratch + "/gates"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for name in names { try repo.shell("mkfifo '\(folder)/\(name).ready' '\(folder)/\(name).go'") }
        }
        /// Shell text that stops the task at gate `name`.
        func stop(_ name: String) -> String { "echo ready > '\(folder)/\(name).ready'; read x < '\(folder)/\(name).go'" }
        /// Blocks until the task reached gate `name` (at most 30 s).
        func reached(_ name: String, _ repo: TestRepository) throws { try repo.shell("timeout 30 cat '\(folder)/\(name).ready' >/dev/null") }
        /// Lets the task go on past gate `name`.
        func open(_ name: String, _ repo: TestRepository) throws { try repo.shell("timeout 30 sh -c \"echo go > '\(folder)/\(name).go'\"") }
    }

    /// Waits until the lane's supervisor has exited: it posts the event and runs `spur.notify`
    /// after `wait` may already have returned.
    func waitForSupervisor(_ repo: TestRepository, _ name: String) throws {
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repo.root + "/.git/spur/lanes/\(name).json")))
        guard let pid = ((record as? [String: Any])?["supervisorPID"] as? NSNumber)?.int32Value else { return }
        let deadline = Date().addingTimeInterval(30)
        while processIsRunning(pid) && Date() < deadline { usleep(20_000) }
    }

    /// The last event of lane `name` in the event log, as JSON.
    func lastEvent(_ repo: TestRepository, _ name: String) throws -> [String: Any] {
        let lines = try String(contentsOfFile: repo.root + "/.git/spur/events.jsonl", encoding: .utf8).split(separator: "\n")
        for line in lines.reversed() {
            if let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], event["lane"] as? String == name {
                return event
            }
        }
        throw TestFailure("no event for lane \(name)")
    }

    @Test func aRunningLanesLatestOutputLineIsListedAndAProgressLineReplacesIt() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let gates = try Gates(repo, ["a", "b", "c"])
        try repo.spawn("steps", "--", "sh", "-c", """
            echo 'compiling 1 of 3'; \(gates.stop("a"))
            echo 'step 1/3' >> "$SPUR_PROGRESS"; echo 'more output'; \(gates.stop("b"))
            echo 'step 2/3' >> "$SPUR_PROGRESS"; echo 'even more output'; \(gates.stop("c"))
            """)
        try gates.reached("a", repo)
        #expect(try repo.laneJSON("steps")?["lastLine"] as? String == "compiling 1 of 3")
        let table = try repo.spurSucceeds("list").lines
        let row = try #require(table.firstIndex { $0.hasPrefix("steps ") })
        #expect(table.dropFirst(row + 1).first == "  > compiling 1 of 3")
        try gates.open("a", repo)
        try gates.reached("b", repo)
        #expect(try repo.laneJSON("steps")?["lastLine"] as? String == "step 1/3")
        try gates.open("b", repo)
        try gates.reached("c", repo)
        #expect(try repo.laneJSON("steps")?["lastLine"] as? String == "step 2/3")
        let again = try repo.spurSucceeds("list").lines
        #expect(again.contains("  > step 2/3"))
        #expect(!again.contains("  > step 1/3"))
        // The progress file is outside the worktree: it is not part of the lane's change.
        try gates.open("c", repo)
        #expect(try repo.spur("wait", "steps").status == 0)
        #expect(try repo.listedLane("steps").changedFiles == [])
        // An ended lane keeps its last line in --json, but the table shows it only while running.
        #expect(try repo.laneJSON("steps")?["lastLine"] as? String == "step 2/3")
        #expect(!(try repo.spurSucceeds("list").stdout.contains("  > ")))
    }

    @Test func lastLineHasControlSequencesAndInvalidUTF8MadeSafeAndTheTableCutsItToTheWidth() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let gates = try Gates(repo, ["a"])
        // A progress bar redrawn with \r, colours, a title change (OSC), a bell, invalid UTF-8 and a tab.
        try repo.spawn("noisy", "--", "sh", "-c",
                       "printf '10%%\\r20%%\\r\\033[2K30%% a\\033[31mred\\033[0m \\377\\376 \\033]0;title\\007end\\a\\t!\\r\\n'; \(gates.stop("a"))")
        try gates.reached("a", repo)
        let expected = "30% ared \u{FFFD}\u{FFFD} end !"
        #expect(try repo.laneJSON("noisy")?["lastLine"] as? String == expected)
        let table = try repo.spurSucceeds("list", env: ["COLUMNS": "16"]).lines
        let latest = try #require(table.first { $0.hasPrefix("  > ") })
        #expect(latest == "  > 30% ared \u{FFFD}\u{FFFD}…")
        #expect(!table.joined().contains("\u{1B}"))
        try gates.open("a", repo)
        #expect(try repo.spur("wait", "noisy").status == 0)
    }

    @Test func aMegabyteOutputLineWithoutANewlineIsBoundedInListAndTheEvent() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let gates = try Gates(repo, ["a"])
        try repo.spawn("long", "--", "sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' y; \(gates.stop("a"))")
        try gates.reached("a", repo)
        // The fifo's "ready" went to the gate, so the log ends with the 1 MB line.
        let lastLine = try #require(try repo.laneJSON("long")?["lastLine"] as? String)
        #expect(lastLine.count <= 500)
        #expect(lastLine.hasPrefix("…y") && lastLine.hasSuffix("y…"))
        try gates.open("a", repo)
        #expect(try repo.spur("wait", "long").status == 0)
        try waitForSupervisor(repo, "long")
        let result = try #require(try lastEvent(repo, "long")["result"] as? String)
        #expect(result.utf8.count <= 4096)
        #expect(result.hasSuffix("… see `spur show long`"))
    }

    @Test func theResultReachesTheEventNotifyAndTheHookBoundedAt4KBWithTheShowMarker() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let notified = repo.scratch + "/notified"
        try FileManager.default.createDirectory(atPath: notified, withIntermediateDirectories: true)
        try repo.git("config", "spur.notify", "cat > '\(notified)/'\"$SPUR_LANE\"")
        // A long result: 200 numbered lines of 50 bytes (10,000 bytes); a short one; none at all.
        try repo.spawn("audit", "--", "sh", "-c",
                       "i=1; while [ $i -le 200 ]; do printf 'finding %03d: %-36s\\n' $i 'something to look at' >> \"$SPUR_RESULT\"; i=$((i+1)); done")
        try repo.spawn("short", "--", "sh", "-c", "echo noise; printf 'all 12 tests pass\\nno flaky test\\n' > \"$SPUR_RESULT\"")
        try repo.spawn("quiet", "--", "sh", "-c", "i=1; while [ $i -le 30 ]; do echo \"output $i\"; i=$((i+1)); done")
        for name in ["audit", "short", "quiet"] {
            let wait = try repo.spur("wait", name)
            #expect(wait.status == 0)
            // wait's summary stays one line, whatever the result.
            #expect(wait.lines.count == 1, "\(wait.stdout)")
            #expect(wait.stdout.hasPrefix("lane \(name) done"))
            try waitForSupervisor(repo, name)
        }
        let full = try String(contentsOfFile: repo.root + "/.git/spur/logs/audit.result", encoding: .utf8)
        #expect(full.utf8.count == 10_000)
        // The event: the start of the result, at most 4 KB, with the marker.
        let audit = try #require(try lastEvent(repo, "audit")["result"] as? String)
        #expect(audit.utf8.count <= 4096)
        #expect(audit.hasPrefix("finding 001: something to look at"))
        #expect(audit.hasSuffix("\n… see `spur show audit`"))
        #expect(full.hasPrefix(String(audit.dropLast("\n… see `spur show audit`".count))))
        #expect(try lastEvent(repo, "short")["result"] as? String == "all 12 tests pass\nno flaky test")
        // Without $SPUR_RESULT: the last 20 lines of output.
        let quiet = try #require(try lastEvent(repo, "quiet")["result"] as? String)
        #expect(quiet == (11...30).map { "output \($0)" }.joined(separator: "\n"))
        // spur.notify: the summary on the first line, the result after it.
        let notice = try String(contentsOfFile: notified + "/short", encoding: .utf8)
        #expect(notice.hasPrefix("lane short done in "))
        #expect(notice.split(separator: "\n").dropFirst() == ["all 12 tests pass", "no flaky test"])
        let long = try String(contentsOfFile: notified + "/audit", encoding: .utf8)
        #expect(long.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n") == audit + "\n")
        // The Claude Code hook: every result once, their text within 4 KB together, cut ones marked.
        let answer = try repo.spur("hook", "claude", stdin: try Fixtures.hookPayload("user-prompt-submit", cwd: repo.root, session: "S"))
        let context = try #require(jsonPath(try hookAnswerObject(answer.stdout), "hookSpecificOutput.additionalContext") as? String)
        #expect(context.contains("\n  finding 001: something to look at"))
        #expect(context.contains("  … see `spur show audit`"))
        #expect(context.contains("\n  all 12 tests pass\n  no flaky test\n"))
        #expect(context.contains("\n  output 30\n"))
        let results = context.split(separator: "\n").filter { $0.hasPrefix("  ") && $0 != "  result:" }
        #expect(results.map { $0.utf8.count + 1 }.reduce(0, +) <= 4096, "\(context.utf8.count) bytes")
    }

    @Test func whenWaitReportsALaneItsEventWithTheResultIsAlreadyInTheLog() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        // The supervisor is slow to write the event (a fault point that sleeps just before it).
        let spawned = try repo.spurArguments(["spawn", "slow", "--", "sh", "-c", "echo 'the answer' > \"$SPUR_RESULT\""],
                                             env: ["SPUR_FAULT": "lane-event:exec", "SPUR_FAULT_EXEC": "sleep 2"])
        #expect(spawned.status == 0, "\(spawned.stderr)")
        let wait = try repo.spur("wait", "slow")
        #expect(wait.status == 0)
        #expect(try lastEvent(repo, "slow")["result"] as? String == "the answer")
        // And the hook delivers it to a session asking right then.
        let answer = try repo.spur("hook", "claude", stdin: try Fixtures.hookPayload("user-prompt-submit", cwd: repo.root, session: "T"))
        let context = jsonPath(try hookAnswerObject(answer.stdout), "hookSpecificOutput.additionalContext") as? String
        #expect(context?.contains("- lane slow done") == true && context?.contains("\n  the answer\n") == true)
    }

    @Test func aFiftyMegabyteOrBinaryResultIsBoundedAndMarkedCut() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("huge", "--", "sh", "-c", "head -c 52428800 /dev/zero | tr '\\0' 'r' > \"$SPUR_RESULT\"")
        try repo.spawn("binary", "--", "sh", "-c", "head -c 100000 /dev/urandom > \"$SPUR_RESULT\"; printf '\\0' >> \"$SPUR_RESULT\"")
        for name in ["huge", "binary"] {
            #expect(try repo.spur("wait", name).status == 0)
            try waitForSupervisor(repo, name)
        }
        let huge = try #require(try lastEvent(repo, "huge")["result"] as? String)
        #expect(huge.utf8.count <= 4096)
        #expect(huge.hasPrefix("rrrr") && huge.hasSuffix("\n… see `spur show huge`"))
        let started = Date()
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(repo.spurSucceeds("show", "huge", "--json").stdout.utf8)) as? [String: Any])
        #expect(Date().timeIntervalSince(started) < 10)
        let result = try #require(shown["result"] as? [String: Any])
        #expect(result["cut"] as? Bool == true)
        #expect(result["source"] as? String == "result")
        #expect((result["bytes"] as? NSNumber)?.intValue == 52_428_800)
        #expect(((result["text"] as? String)?.utf8.count ?? .max) <= 65536)
        let binary = try #require(try lastEvent(repo, "binary")["result"] as? String)
        #expect(binary.hasPrefix("(a binary result of 100001 bytes, not shown)"))
        #expect(binary.utf8.count <= 4096)
        let text = try repo.spurSucceeds("show", "binary").stdout
        #expect(text.contains("(a binary result of 100001 bytes, not shown)"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func aLaneMadeAnewUnderADiscardedLanesNameShowsNoneOfItsOutputOrResult() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("again", "--", "sh", "-c", "echo old output; echo old progress > \"$SPUR_PROGRESS\"; echo old result > \"$SPUR_RESULT\"")
        #expect(try repo.spur("wait", "again").status == 0)
        try waitForSupervisor(repo, "again")
        #expect(try repo.laneJSON("again")?["lastLine"] as? String == "old progress")
        try repo.spurSucceeds("discard", "--force", "again")
        // Made by hand: no task ran, so nothing is shown.
        _ = try repo.spawnLane("again")
        #expect(try repo.laneJSON("again")?["lastLine"] is NSNull)
        let shown = try JSONSerialization.jsonObject(with: Data(repo.spurSucceeds("show", "again", "--json").stdout.utf8)) as? [String: Any]
        #expect(shown?["result"] is NSNull)
        try repo.spurSucceeds("discard", "--force", "again")
        // With a task: only its own output.
        try repo.spawn("again", "--", "sh", "-c", "echo new output")
        #expect(try repo.spur("wait", "again").status == 0)
        try waitForSupervisor(repo, "again")
        #expect(try repo.laneJSON("again")?["lastLine"] as? String == "new output")
        #expect(try lastEvent(repo, "again")["result"] as? String == "new output")
    }

    @Test func showJSONHasTheWholeReportAndItsLineCountsAgreeWithGit() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("fix", "-m", "fix the docs", "--check", "echo CHECK-OUTPUT; echo checked", "--", "sh", "-c", """
            printf 'line 1\\nlane line 2\\nline 3\\n' > src/main.txt
            printf 'helper\\nmore help\\nand more\\n' > src/helper.txt
            echo 'task output 1'; echo 'task output 2'
            """)
        #expect(try repo.spur("wait", "fix").status == 0)
        // The user changes the line the lane changed, after its snapshot.
        try repo.write("src/main.txt", "line 1\nuser's line 2\nline 3\n")
        let result = try repo.spurSucceeds("show", "fix", "--json")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["name", "description", "command", "base", "head", "state", "createdAt", "startedAt", "finishedAt",
                    "durationSeconds", "exitCode", "check", "result", "files", "verdict", "next", "lastLine"] {
            #expect(shown.keys.contains(key), "missing \(key)")
        }
        #expect(shown["description"] as? String == "fix the docs")
        #expect(shown["state"] as? String == "done")
        #expect(shown["exitCode"] as? Int == 0)
        #expect(shown["base"] as? String == (try repo.revParse("refs/spur/lanes/fix/base")))
        let check = try #require(shown["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == true)
        #expect(check["outputTail"] as? String == "CHECK-OUTPUT\nchecked")
        // No $SPUR_RESULT: the task's own last lines, not the check's output appended to the log after them.
        let taskResult = try #require(shown["result"] as? [String: Any])
        #expect(taskResult["source"] as? String == "output")
        #expect(taskResult["text"] as? String == "task output 1\ntask output 2")
        // Files with +/- as git counts them, and each file's overlap verdict.
        let head = try #require(shown["head"] as? String)
        let numstat = try repo.git("diff", "--numstat", "refs/spur/lanes/fix/base", head).split(separator: "\n").map { line in
            let fields = line.split(separator: "\t")
            return "\(fields[2]) +\(fields[0]) -\(fields[1])"
        }
        let files = try #require(shown["files"] as? [[String: Any]])
        #expect(files.map { "\($0["path"] ?? "") +\($0["added"] ?? "") -\($0["removed"] ?? "")" } == numstat)
        let main = try #require(files.first { $0["path"] as? String == "src/main.txt" })
        let overlap = try #require((main["overlap"] as? [[String: Any]])?.first)
        #expect(overlap["with"] as? String == "you")
        #expect(overlap["verdict"] as? String == "conflict")
        #expect((files.first { $0["path"] as? String == "src/helper.txt" }?["overlap"] as? [Any])?.isEmpty == true)
        #expect((shown["next"] as? String)?.contains("spur merge fix --markers") == true)
        // The text report says the same.
        let text = try repo.spurSucceeds("show", "fix").stdout
        #expect(text.contains("description: fix the docs"))
        #expect(text.contains("passed: echo CHECK-OUTPUT; echo checked"))
        #expect(text.contains("+1 -1  src/main.txt   conflicts with you line 2"))
        #expect(text.contains("+2 -0  src/helper.txt\n"))
        #expect(text.contains("next: spur diff fix, then 'spur merge fix --markers'"))
        // Bad input: an unknown lane is a usage error, one line.
        let unknown = try repo.spur("show", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "spur: no lane named 'nope' (see 'spur list')\n")
    }
}
