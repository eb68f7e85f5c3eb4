import Foundation
import SpurGit

/// One thing that happened to a lane, as appended to `<common git dir>/spur/events.jsonl`.
public struct LaneEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case ended, failed, killed, flagged, merged, stalled }
    public let time: Date
    public let lane: String
    public let kind: Kind
    public let state: String
    /// One line a person reads: "lane fix done in 2m (exit 0); 4 files changed; ready to merge cleanly".
    public let summary: String
    /// What the task found (`$SPUR_RESULT`, or its last 20 lines of output), at most 4 KB,
    /// ending in "… see `spur show NAME`" when cut; nil for events that are not a task's end.
    public var result: String? = nil
}
