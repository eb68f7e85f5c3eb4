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
}
