import Foundation
import SpurGit
import SpurHookCore

/// `SpurHookCore.BashWriteRecord` as `BashWriteGuard` uses it: in a workspace, with errors spur
/// reports.
extension BashWriteRecord {
    /// `<common git dir>/spur/bash/<session>-<tool use id>`.
    static func file(session: String, toolUseID: String, in workspace: Workspace) -> String {
        file(session: session, toolUseID: toolUseID, in: workspace.layout)
    }

    func write(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard save(at: path) else {
            throw SpurError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads and removes the record at `path`: nil when there is none.
    static func take(from path: String) throws -> BashWriteRecord? {
        guard let data = PlainFile.read(path) else { return nil }
        unlink(path)
        guard let record = decoded(data) else {
            throw SpurError("the record of the files this Bash call might touch (\(path)) cannot be read")
        }
        return record
    }

    /// Removes records older than `leftoverLifetime`.
    static func prune(_ workspace: Workspace, now: Date) {
        prune(workspace.layout, now: Int(now.timeIntervalSince1970))
    }
}

extension BashWriteRecord.Watched {
    /// `path` as a repository path.
    var repositoryPath: GitPath { GitPath(bytes: path) }
}
