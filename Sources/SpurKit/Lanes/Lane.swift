import Foundation
import SpurGit
import SpurHookCore

/// Where a lane is in its life.
public enum LaneState: String, Codable, Sendable, CaseIterable {
    /// Waiting for another lane (`spawn --after`).
    case queued
    /// Worktree made, nothing running (`spawn --no-run`).
    case created
    case running
    /// The task exited 0 (or `finish` committed hand-made work).
    case done
    /// The task exited non-zero.
    case failed
    /// Ended by a signal, a timeout, `spur stop`, or its supervisor vanished.
    case killed
    /// Its result was merged into the working tree it was spawned from.
    case merged

    /// True while the task has not produced its result yet.
    public var isActive: Bool { self == .queued || self == .running }
}

/// The outcome of a lane's check command (e.g. its test suite) after the task ended.
public struct CheckResult: Codable, Sendable, Equatable {
    public var command: String
    public var passed: Bool
    public var exitCode: Int32?
    public var durationSeconds: Double
    /// The last lines of its output.
    public var outputTail: String
}

/// What happens to a lane's result when its task ends `done`.
public enum FinishAction: String, Codable, Sendable, CaseIterable {
    /// Merge into the main working tree when the merge is clean; otherwise flag the lane.
    case merge
    /// Only report; the user merges with `spur merge`.
    case flag
}

/// A lane: one task's side track. A snapshot (`base`), a branch `spur/NAME` and a worktree
/// checked out there, plus what the task was asked to do and how it ended.
///
/// Stored as one JSON file per lane in `<common git dir>/spur/lanes/`, replaced atomically.
public struct Lane: Codable, Sendable, Equatable {
    public var name: String
    public var state: LaneState
    /// What the task should produce (`spawn -m`).
    public var description: String?
    /// The command and its arguments; nil for a lane made with `--no-run` and no command.
    public var command: [String]?
    /// The snapshot commit the lane started from.
    public var base: ObjectID
    /// The result commit, once the task ended (or `finish` ran).
    public var head: ObjectID?
    /// Full ref name of the lane's branch, `refs/heads/spur/NAME`.
    public var branch: String
    /// Absolute path of the lane's worktree.
    public var worktree: String
    public var createdAt: Date
    /// The explore group this lane belongs to, if any.
    public var group: String?

    public var startedAt: Date?
    public var finishedAt: Date?
    public var exitCode: Int32?
    /// The signal that ended the task, if one did.
    public var signal: Int32?
    /// Why the lane was killed or flagged, in words.
    public var reason: String?
    public var supervisorPID: Int32?
    /// The supervisor's start time as the kernel counts it (guards against pid reuse).
    public var supervisorStartTicks: UInt64?
    public var taskPID: Int32?
    /// Paths changed between `base` and `head`, recorded when `head` is set. Each is stored as
    /// `GitPath.exact`: the path's text when its bytes are UTF-8 (NFC and NFD spellings kept as
    /// they are) and it does not start with `"`, else git's quoted form with octal escapes;
    /// records written before paths were bytes read as they were.
    public var changedFiles: [GitPath]?
    /// `spawn --timeout`: the task is ended after this many seconds.
    public var timeoutSeconds: Double?
    /// `spawn --idle`: no output and no worktree change for this long marks the task stalled.
    public var idleSeconds: Double?
    /// Set while a running task is stalled (see `idleSeconds`).
    public var stalledSince: Date?
    /// What the supervisor does when the task ends `done`.
    public var onFinish: FinishAction?
    /// Extra environment for the task (e.g. `SPUR_VARIANT` in an explore group).
    public var environment: [String: String]?
    /// `spawn --check`: a command run in the worktree after the task ends.
    public var checkCommand: String?
    /// The outcome of `checkCommand`.
    public var check: CheckResult?
    /// What the end-of-task notification said about merging: "ready to merge cleanly",
    /// "flagged: …", "merged into your working tree …".
    public var verdict: String?
    /// True between the task's end and the end of its check, automatic merge and
    /// notification; `wait` treats the lane as ended only after that.
    public var settling: Bool?
    /// `spawn --after`: the lane this one waits for and starts from.
    public var after: String?
    /// The working tree the lane was spawned from, which its merge, overlap and guard refer
    /// to; nil (records made before spur recorded it) means the main working tree.
    public var workingTree: WorkingTree?
    /// Why a `queued` lane waits: its predecessor (`after`) or a running slot (`slot`,
    /// `spur.maxRunning`); nil in records made before spur recorded it (then: `after`).
    public var queuedFor: QueueReason?
    /// `spawn --setup` or git config `spur.setup`: a shell command run in the worktree before
    /// the task (nil: none). What it changes in tracked files is part of the lane's work.
    public var setupCommand: String?
    /// How the setup command ended, once it has.
    public var setup: SetupResult?
    /// `setup` while the setup command runs (the state is then `running`); nil otherwise.
    public var phase: LanePhase?
    /// The user's ignored files copied into the lane when it was made (`.worktreeinclude`).
    public var included: IncludedSummary?
    /// Who made the lane when spur did not make it for `spawn`: "claude-worktree" for a lane
    /// made as Claude Code's worktree (`WorktreeCreate`); nil for spawn's own lanes.
    public var createdBy: String?
    /// The Claude Code session (`session_id`) that asked for the lane, for a lane made as its worktree.
    public var claudeSession: String?
    /// The Claude Code subagent (`agent_id`) seen stopping in the lane, once one was.
    public var claudeAgent: String?
    /// The first of the lane's 10 TCP ports (`SPUR_PORT_BASE`), held while the lane is live
    /// (`holdsPortBlock`); see `PortBlocks`.
    public var portBase: Int?

    public init(name: String, state: LaneState, description: String?, command: [String]?, base: ObjectID,
                branch: String, worktree: String, createdAt: Date) {
        self.name = name
        self.state = state
        self.description = description
        self.command = command
        self.base = base
        self.branch = branch
        self.worktree = worktree
        self.createdAt = createdAt
    }

    /// True for a lane queued behind another that has not been given its worktree (yet, or
    /// ever, when its predecessor failed).
    public var neverHadWorktree: Bool {
        after != nil && startedAt == nil && state != .created && state != .done && queuedFor != .slot
    }

    /// The ref names a lane owns.
    public static func branchRef(_ name: String) -> String { "refs/heads/spur/\(name)" }
    public static func baseRef(_ name: String) -> String { "refs/spur/lanes/\(name)/base" }
    public static func refsGlob(_ name: String) -> String { "refs/spur/lanes/\(name)/*" }
    /// The name of git's admin folder for the lane's worktree (`<common dir>/worktrees/…`).
    public static func worktreeAdminName(_ name: String) -> String { StateLayout.worktreeAdminName(name) }
}
