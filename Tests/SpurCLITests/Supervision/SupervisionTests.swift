import Foundation
import Testing
import SpurTestSupport

/// Background tasks: spawn runs the command detached, the supervisor records the result.
@Suite struct SupervisionTests {
    @Test func aTaskThatWritesFilesAndExitsZeroEndsDoneWithItsFilesCommitted() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.write("src/main.txt", "line 1\nuser edit\nline 3\n")
        let indexBefore = try Data(contentsOf: URL(fileURLWithPath: repo.path(".git/index")))
        let treeBefore = try repo.fingerprint()

        try repo.spawn("writer", "-m", "add a file", "--", "sh", "-c", "echo new > added.txt && echo more >> src/helper.txt")
        let wait = try repo.spur("wait", "writer")
        #expect(wait.status == 0)
        #expect(wait.stdout.contains("lane writer done"))

        let lane = try repo.listedLane("writer")
        #expect(lane.state == "done")
        #expect(lane.exitCode == 0)
        #expect(lane.changedFiles == ["added.txt", "src/helper.txt"])
        let head = try #require(lane.head)
        #expect(try repo.git("show", "\(head):added.txt") == "new\n")
        #expect(try repo.git("show", "\(head):src/main.txt") == "line 1\nuser edit\nline 3\n")
        #expect(try repo.git("rev-parse", "spur/writer").trimmingCharacters(in: .whitespacesAndNewlines) == head)
        #expect(lane.startedAt != nil && lane.finishedAt != nil)
        // The user's working tree and index are untouched.
        #expect(try repo.fingerprint() == treeBefore)
        #expect(try Data(contentsOf: URL(fileURLWithPath: repo.path(".git/index"))) == indexBefore)
        // The lane's worktree is clean at its result.
        #expect(try repo.git("status", "--porcelain", cwd: lane.worktree).isEmpty)
    }

    @Test func aFailingCommandEndsFailedWithItsExitCode() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("bad", "--", "sh", "-c", "echo partial > p.txt; exit 7")
        #expect(try repo.spur("wait", "bad").status == 1)
        let lane = try repo.listedLane("bad")
        #expect(lane.state == "failed")
        #expect(lane.exitCode == 7)
        #expect(lane.changedFiles == ["p.txt"])
    }

    @Test func aTaskReadingStandardInputGetsEndOfFileInsteadOfHanging() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("asker", "--", "sh", "-c", "read answer; echo \"answer=[$answer] status=$?\"")
        let wait = try repo.spur("wait", "asker", "--timeout", "20s")
        #expect(wait.status == 0)
        let log = try repo.spur("logs", "asker")
        #expect(log.stdout.contains("answer=[] status=1"))  // read got end-of-file
    }

    @Test func theTaskSeesItsLaneBaseAndRepositoryInItsEnvironment() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("env", "--", "sh", "-c", "echo \"$SPUR_LANE|$SPUR_BASE|$SPUR_REPO|$(pwd)\"")
        _ = try repo.spur("wait", "env")
        let lane = try repo.listedLane("env")
        let log = try repo.spur("logs", "env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(log == "env|\(lane.base)|\(repo.root)|\(lane.worktree)")
    }

    @Test func aTimeoutEndsTheTaskAndItsChildrenAndStillCommitsWhatItLeft() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let pidFile = repo.scratch + "/child.pid"
        try repo.spawn("sleeper", "--timeout", "1s", "--", "sh", "-c",
                       "echo left > left.txt; sleep 1000 & echo $! > \(pidFile); sleep 1000")
        #expect(try repo.spur("wait", "sleeper", "--timeout", "30s").status == 1)
        let lane = try repo.listedLane("sleeper")
        #expect(lane.state == "killed")
        #expect(lane.reason?.contains("timed out") == true)
        #expect(lane.changedFiles == ["left.txt"])
        let child = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!processIsRunning(child), "the background child of the task survived the timeout")
    }

    @Test func stopEndsARunningTaskAndCommitsWhatItLeft() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("long", "--", "sh", "-c", "echo x > x.txt; exec sleep 1000")
        let stop = try repo.spur("stop", "long")
        #expect(stop.status == 0)
        #expect(stop.stdout.contains("killed"))
        let lane = try repo.listedLane("long")
        #expect(lane.state == "killed")
        #expect(lane.reason?.contains("spur stop") == true)
        #expect(lane.changedFiles == ["x.txt"])
        #expect(try repo.spur("stop", "long").status == 1)
    }

    @Test func waitExitCodesTellAllDoneFromAnyFailureFromTimeout() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("ok", "--", "true")
        try repo.spawn("no", "--", "false")
        try repo.spawn("forever", "--", "sleep", "1000")
        #expect(try repo.spur("wait", "ok").status == 0)
        #expect(try repo.spur("wait", "ok", "no").status == 1)
        #expect(try repo.spur("wait", "forever", "--timeout", "1s").status == 124)
        let any = try repo.spur("wait", "forever", "ok", "--any")
        #expect(any.status == 0)
        #expect(any.stdout.contains("lane ok done"))
        _ = try repo.spur("stop", "forever")
    }

    @Test func fourLanesRunAtOnceAndAllFinishCorrectly() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        for i in 1...4 {
            try repo.spawn("par-\(i)", "--", "sh", "-c", "sleep 1; echo \(i) > out-\(i).txt")
        }
        #expect(try repo.spur("wait").status == 0)
        for i in 1...4 {
            let lane = try repo.listedLane("par-\(i)")
            #expect(lane.state == "done")
            #expect(lane.changedFiles == ["out-\(i).txt"])
            #expect(try repo.git("show", "\(lane.head ?? "?"):out-\(i).txt") == "\(i)\n")
        }
    }

    @Test func finishCommitsHandMadeWorkInANoRunLane() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let worktree = try #require(try repo.spawn("manual", "--no-run").lines.last)
        try "by hand\n".write(toFile: worktree + "/hand.txt", atomically: true, encoding: .utf8)
        let finish = try repo.spur("finish", "manual")
        #expect(finish.status == 0)
        let lane = try repo.listedLane("manual")
        #expect(lane.state == "done")
        #expect(lane.changedFiles == ["hand.txt"])
        #expect(try repo.git("show", "spur/manual:hand.txt") == "by hand\n")
    }

    @Test func aLaneWhoseSupervisorDiedIsListedKilledAndCanStillBeFinished() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("orphan", "--", "sh", "-c", "echo kept > kept.txt; exec sleep 1000")
        let record = try Data(contentsOf: URL(fileURLWithPath: repo.path(".git/spur/lanes/orphan.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
        let supervisor = try #require(json["supervisorPID"] as? Int)
        let task = try #require(json["taskPID"] as? Int)
        kill(Int32(supervisor), SIGKILL)
        var status: Int32 = 0
        _ = waitpid(Int32(supervisor), &status, WNOHANG)
        usleep(200_000)
        let lane = try repo.listedLane("orphan")
        #expect(lane.state == "killed")
        #expect(lane.reason?.contains("supervisor") == true)
        #expect(!processIsRunning(Int32(task)), "the orphaned task still runs")
        #expect(FileManager.default.fileExists(atPath: lane.worktree + "/kept.txt"))
        #expect(try repo.spur("finish", "orphan").status == 0)
        #expect(try repo.listedLane("orphan").changedFiles == ["kept.txt"])
    }

    @Test func aFinishedTaskIsAnnouncedInTheEventLogAndThroughSpurNotify() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let received = repo.scratch + "/notified.txt"
        // Written aside and renamed, so the test never reads a half-written note.
        try repo.git("config", "spur.notify", "{ echo \"$SPUR_LANE $SPUR_STATE\"; cat; } > '\(received).tmp' && mv '\(received).tmp' '\(received)'")
        try repo.spawn("told", "--", "sh", "-c", "echo a > a.txt")
        _ = try repo.spur("wait", "told")
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"lane\":\"told\""))
        #expect(events.contains("\"kind\":\"ended\""))
        // The notify command runs after the record is written; give it a moment to finish.
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: received) { usleep(100_000) }
        let note = try String(contentsOfFile: received, encoding: .utf8)
        #expect(note.hasPrefix("told done\n"))
        #expect(note.contains("lane told done"))
        #expect(note.contains("1 file changed"))
    }

    @Test func logsFollowPrintsOutputUntilTheTaskEnds() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("chatty", "--", "sh", "-c", "echo one; sleep 1; echo two; sleep 1; echo three")
        let follow = try repo.spur("logs", "-f", "chatty")
        #expect(follow.status == 0)
        #expect(follow.stdout == "one\ntwo\nthree\n")
        #expect(try repo.listedLane("chatty").state == "done")
    }

    @Test func aTaskWithNoOutputAndNoChangesIsMarkedStalledButKeepsRunning() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spawn("quiet", "--idle", "1s", "--", "sleep", "1000")
        var stalled = false
        for _ in 0..<40 {
            if try repo.listedLane("quiet").stalledSince != nil { stalled = true; break }
            usleep(100_000)
        }
        #expect(stalled)
        #expect(try repo.listedLane("quiet").state == "running")
        #expect(try repo.spur("list").stdout.contains("stalled"))
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"kind\":\"stalled\""))
        _ = try repo.spur("stop", "quiet")
    }

    @Test func aCommandThatCannotStartFailsTheLaneWithTheReason() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let result = try repo.spur("spawn", "ghost", "--", "no-such-command-here")
        #expect(result.status == 1)
        #expect(result.stderr.contains("command not found"))
        #expect(try repo.listedLane("ghost").state == "failed")
    }

    @Test func badDurationsAndAMissingCommandAreUsageErrors() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        #expect(try repo.spur("spawn", "x", "--timeout", "soon", "--", "true").status == 2)
        #expect(try repo.spur("spawn", "x").status == 2)
        #expect(try repo.listedLanes().isEmpty)
    }
}

/// `spawn --on-finish merge`: the supervisor merges a clean result and flags a conflicting one.
/// The tasks wait for a go file so the user's edits land after the snapshot, as in real use.
@Suite struct AutomaticMergeTests {
    func gatedTask(_ repo: TestRepository, _ body: String) -> [String] {
        let go = repo.scratch + "/go"
        return ["sh", "-c", "while [ ! -f '\(go)' ]; do sleep 0.05; done; \(body)"]
    }

    @Test func aCleanResultIsMergedIntoTheDirtyWorkingTreeWhenTheTaskEnds() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spurArguments(["spawn", "auto", "--on-finish", "merge", "--"]
            + gatedTask(repo, "printf 'line 1\\nline 2\\nline 3 by task\\n' > src/main.txt"))
        try repo.write("src/main.txt", "line 1 by user\nline 2\nline 3\n")
        _ = FileManager.default.createFile(atPath: repo.scratch + "/go", contents: nil)
        #expect(try repo.spur("wait", "auto").status == 0)
        #expect(try repo.read("src/main.txt") == "line 1 by user\nline 2\nline 3 by task\n")
        try repo.requireWorkingTreeHoldsLastMerge()
        #expect(try repo.listedLane("auto").state == "merged")
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"kind\":\"merged\""))
    }

    @Test func aConflictingResultIsFlaggedWithTheReasonAndNothingIsWritten() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        try repo.spurArguments(["spawn", "clash", "--on-finish", "merge", "--"]
            + gatedTask(repo, "printf 'line 1\\ntask line 2\\nline 3\\n' > src/main.txt"))
        try repo.write("src/main.txt", "line 1\nuser's line 2\nline 3\n")
        let before = try repo.fingerprint()
        _ = FileManager.default.createFile(atPath: repo.scratch + "/go", contents: nil)
        _ = try repo.spur("wait", "clash")
        #expect(try repo.fingerprint() == before)
        let lane = try repo.listedLane("clash")
        #expect(lane.state == "done")
        #expect(lane.reason?.contains("src/main.txt") == true)
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"kind\":\"flagged\""))
    }
}

/// The end-of-task notification carries the overlap verdict.
@Suite struct FinishVerdictTests {
    @Test func theNotificationSaysReadyToMergeOrFlagsTheConflictWithYourEdits() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let go = repo.scratch + "/go"
        let gate = "while [ ! -f \(go) ]; do sleep 0.05; done"
        try repo.spawn("calm", "--", "sh", "-c", "\(gate); echo new > new.txt")
        try repo.spawn("clash", "--", "sh", "-c", "\(gate); printf 'line 1\\ntask\\nline 3\\n' > src/main.txt")
        try repo.write("src/main.txt", "line 1\nuser\nline 3\n")
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        let wait = try repo.spur("wait", "calm", "clash")
        #expect(wait.stdout.contains("lane calm done"))
        #expect(wait.stdout.contains("ready to merge cleanly"))
        let events = try String(contentsOfFile: repo.path(".git/spur/events.jsonl"), encoding: .utf8)
        let lines = events.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"lane\":\"calm\"") && $0.contains("ready to merge cleanly") && $0.contains("\"kind\":\"ended\"") })
        #expect(lines.contains { $0.contains("\"lane\":\"clash\"") && $0.contains("flagged: 1 conflict with your edits in src/main.txt line 2")
            && $0.contains("\"kind\":\"flagged\"") })
    }
}

@Suite struct CommandLineTests {
    @Test func aMalformedCommandLineIsOneLineOnStandardErrorWithExitTwo() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        for arguments in [["spawn"], ["spawn", "-x", "a"], ["bogus"], ["wait", "--timeout"]] {
            let result = try repo.spurArguments(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("spur: "))
        }
        #expect(try repo.spur("--help").status == 0)
        #expect(try repo.spur("help", "spawn").stdout.contains("Examples:"))
    }

    @Test func everyCommandsHelpHasAnExample() throws {
        let repo = try TestRepository.scenario("small-project")
        defer { repo.remove() }
        let overview = try repo.spur("--help").stdout
        let commands = ["spawn", "explore", "list", "status", "check", "logs", "wait", "stop", "finish",
                        "diff", "compare", "merge", "pick", "undo", "discard", "demo"]
        var last = overview.startIndex
        for command in commands {
            let help = try repo.spur("help", command)
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example"), "spur help \(command) has no example")
            // The overview lists the commands in the order of the workflow.
            let found = try #require(overview.range(of: "  \(command) ", range: last..<overview.endIndex), "\(command) out of order")
            last = found.upperBound
        }
    }
}
