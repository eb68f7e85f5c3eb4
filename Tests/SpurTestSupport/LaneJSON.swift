import Foundation

/// `spur list --json` decoded loosely, for assertions.
public struct ListedLane: Decodable, Sendable {
    public let name: String
    public let state: String
    public let description: String?
    public let command: [String]?
    public let base: String
    public let head: String?
    public let branch: String
    public let worktree: String
    public let createdAt: String
    public let changedFiles: [String]
    public let exitCode: Int32?
    public let signal: Int32?
    public let reason: String?
    public let problem: String?
    public let startedAt: String?
    public let finishedAt: String?
    public let stalledSince: String?
}

extension TestRepository {
    /// The lanes as `spur list --json` reports them.
    public func listedLanes() throws -> [ListedLane] {
        let result = try spur("list", "--json")
        guard result.status == 0 else { throw TestFailure("spur list --json exited \(result.status): \(result.stderr)") }
        return try JSONDecoder().decode([ListedLane].self, from: Data(result.stdout.utf8))
    }

    public func listedLane(_ name: String) throws -> ListedLane {
        guard let lane = try listedLanes().first(where: { $0.name == name }) else { throw TestFailure("no lane \(name) listed") }
        return lane
    }

    /// Runs `spur spawn` and fails unless it exits 0.
    @discardableResult
    public func spawn(_ arguments: String...) throws -> ProcessResult {
        let result = try spurArguments(["spawn"] + arguments)
        guard result.status == 0 else { throw TestFailure("spur spawn \(arguments) exited \(result.status): \(result.stderr)") }
        return result
    }
}
