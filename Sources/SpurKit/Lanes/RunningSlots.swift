import Foundation
import SpurHookCore

/// Why a lane is `queued`.
public enum QueueReason: String, Codable, Sendable {
    /// `spawn --after`: waiting for another lane to end done (it has no worktree yet).
    case after
    /// `spur.maxRunning`: its worktree is made, it waits for a running slot.
    case slot
}

/// `git config spur.maxRunning N`: at most N lanes of a repository (all its working trees: the
/// lanes folder is per common git dir) run their task at once; the others stay `queued` and
/// start in spawn order (`createdAt`, then name) as slots free up.
///
/// A lane holds a slot while its supervisor lives and the lane is `running` (its task, or a
/// setup before it) or settling (its check, automatic merge and end event after the task).
/// `--no-run` lanes hold none. A slot is taken only under the spur lock, by recording the lane
/// `running` in the same locked step that counted the holders, so two supervisors never both
/// take the last one; a supervisor that dies frees its slot with its life.
public struct RunningSlots: Sendable {
    public static let configKey = "spur.maxRunning"
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    var store: LaneStore { LaneStore(workspace: workspace) }

    /// The configured limit; nil when `spur.maxRunning` is unset. Anything but a whole number
    /// of at least 1 is a usage error naming the value.
    public func limit() throws -> Int? {
        let repository = try workspace.openRepository()
        guard let text = try repository.config().string(Self.configKey) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 1 else {
            throw SpurError.usage("git config \(Self.configKey) is '\(text.escapingControlCharacters)': it takes a number of lanes (1 or more); 'git config --unset \(Self.configKey)' removes the limit")
        }
        return value
    }

    /// True while `lane` occupies a slot: its supervisor is alive and its task (or setup) runs,
    /// or its check and end event are still being settled.
    static func holdsSlot(_ lane: Lane) -> Bool {
        guard lane.state == .running || lane.settling == true else { return false }
        return supervisorAlive(lane)
    }

    /// The lanes waiting for a slot, in the order they get one: spawn order. Only lanes whose
    /// supervisor is alive wait: one whose supervisor never started (its spawn was killed) or
    /// died does not hold the queue up. A sequential spawn returns after its supervisor
    /// recorded itself, so lanes spawned one after another keep their order.
    public static func waiting(in lanes: [Lane]) -> [Lane] {
        lanes.filter { $0.state == .queued && $0.queuedFor == .slot && $0.supervisorPID != nil && supervisorAlive($0) }
            .sorted { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
    }

    /// The lane's place in the queue for a slot (1: next to start), nil when it is not waiting for one.
    public static func position(of name: String, in lanes: [Lane]) -> Int? {
        waiting(in: lanes).firstIndex { $0.name == name }.map { $0 + 1 }
    }

    /// A supervisor is alive when its recorded process is; a lane whose supervisor has not
    /// recorded itself yet counts as alive (it is starting).
    static func supervisorAlive(_ lane: Lane) -> Bool {
        guard let pid = lane.supervisorPID, let ticks = lane.supervisorStartTicks else { return lane.startedAt == nil }
        return ProcessIdentity(pid: pid, startTicks: ticks).isAlive
    }

    /// The outcome of one attempt to take a slot.
    enum Attempt {
        /// The lane is recorded `running`: its supervisor starts the task.
        case taken(Lane)
        /// All slots are held, or lanes spawned earlier wait before it: these are the lanes
        /// whose supervisors' ends can free the way.
        case wait([Lane])
        /// The lane's record is gone (discarded) or no longer queued.
        case gone
    }

    /// Under the spur lock: counts the lanes holding a slot and the lanes queued before `name`,
    /// and when there is room records `name` as `running` (so the next attempt counts it).
    func take(_ name: String, limit: Int?) throws -> Attempt {
        try store.withLock {
            // A record made anew under this name (discarded meanwhile) is not this supervisor's.
            guard var lane = try store.load(name), lane.state == .queued, lane.supervisorPID == getpid() else { return .gone }
            if let limit {
                let lanes = try store.all()
                let holding = lanes.filter { $0.name != name && Self.holdsSlot($0) }
                let ahead = Self.waiting(in: lanes).prefix { $0.name != name }
                if holding.count + ahead.count >= limit { return .wait(holding + ahead) }
            }
            lane.state = .running
            try store.save(lane)
            return .taken(lane)
        }
    }

    /// Where lane `name` waits for a slot, in words ("2nd for a slot, maxRunning 2"); nil when
    /// it is not waiting for one (it runs already, or waits for its predecessor).
    public func place(of name: String, among lanes: [Lane]? = nil) -> String? {
        guard let lanes = lanes ?? (try? store.all()), let position = Self.position(of: name, in: lanes) else { return nil }
        return Self.describePlace(position, limit: try? limit())
    }

    /// How `spawn`, `explore` and `list` word a lane's place: "2nd for a slot, maxRunning 2".
    public static func describePlace(_ position: Int, limit: Int?) -> String {
        "\(ordinal(position)) for a slot" + (limit.map { ", maxRunning \($0)" } ?? "")
    }

    static func ordinal(_ number: Int) -> String {
        let suffix: String
        switch (number % 10, number % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(number)\(suffix)"
    }
}
