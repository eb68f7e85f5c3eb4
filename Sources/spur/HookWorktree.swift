import ArgumentParser
import Foundation
import SpurKit

/// Answers a `WorktreeCreate` event: the new lane's worktree path as the only line of standard
/// output, or one line on standard error and a non-zero exit. Returns false for any other event.
/// `parsed` is `data` as `ClaudeHookInput.parse` read it.
func answerWorktreeCreate(_ parsed: Result<ClaudeHookInput, Error>, data: Data) throws -> Bool {
    let input: ClaudeHookInput
    do {
        input = try parsed.get()
    } catch {
        // A WorktreeCreate whose fields have the wrong shape must still fail loudly.
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["hook_event_name"] as? String == "WorktreeCreate" else { return false }
        Terminal.error("WorktreeCreate: \((error as? SpurError)?.message ?? "\(error)")")
        let code: Int32 = SpurError.usage
        throw ExitCode(code)
    }
    guard input.event == "WorktreeCreate" else { return false }
    try runReportingErrors {
        let created = try ClaudeWorktreeProvider().create(input) { workspace, lane in
            // As `spawn --no-run` readies its lane, before Claude Code is given the path. A failing
            // setup throws: the provider takes the lane out and the creation fails.
            try prepareHandWorkedLane(lane, workspace: workspace)
        }
        FileHandle.standardError.write(Data("spur: lane \(created.lane.name) made for Claude Code (from \(created.lane.base.hex.prefix(12)))\n".utf8))
        print(created.path)
    }
    return true
}
