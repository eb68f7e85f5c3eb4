import Foundation
import SpurGit

/// What `spur spawn` is asked to make.
public struct SpawnRequest: Sendable {
    /// Where the lane starts: the working tree as it is (a snapshot), HEAD, or any revision.
    public enum Base: Sendable, Equatable {
        case worktree, head, revision(String)
        public init(argument: String) {
            switch argument {
            case "worktree": self = .worktree
            case "head", "HEAD": self = .head
            default: self = .revision(argument)
            }
        }
    }
    public var name: String
    public var base: Base = .worktree
    public var description: String?
    public var command: [String]?
    public var group: String?
    /// Extra environment for the task (e.g. `SPUR_VARIANT`).
    public var environment: [String: String]?
    public var timeoutSeconds: Double?
    public var idleSeconds: Double?
    public var onFinish: FinishAction?
    /// Run after the task ends, in the lane's worktree (`spawn --check`).
    public var checkCommand: String?
    /// Start only when this lane has ended done, from its result (`spawn --after`).
    public var after: String?
    /// The lane runs a task, so under `spur.maxRunning` it is recorded `queued` for a slot
    /// (false for `--no-run`).
    public var takesSlot = false
    /// Run in the worktree before the task (`--setup`, or `spur.setup`: `LaneSetup.command`).
    public var setupCommand: String?
    public init(name: String) { self.name = name }

    /// Copies the task settings onto a lane record.
    func apply(to lane: inout Lane) {
        lane.group = group
        lane.environment = environment
        lane.timeoutSeconds = timeoutSeconds
        lane.idleSeconds = idleSeconds
        lane.onFinish = onFinish
        lane.checkCommand = checkCommand
        lane.after = after
        lane.setupCommand = setupCommand?.isEmpty == false ? setupCommand : nil
    }
}
