import CSystem
import Foundation

/// Reads a lane's log; following waits on inotify for new output and for the lane to end.
public struct LogReader: Sendable {
    public let workspace: Workspace
    public let name: String
    public init(workspace: Workspace, name: String) {
        self.workspace = workspace
        self.name = name
    }

    public func print(follow: Bool, output: (Data) -> Void) throws {
        let store = LaneStore(workspace: workspace)
        _ = try store.require(name)
        let path = Supervisor.logPath(workspace, name)
        let events = try FileEvents()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        if follow {
            events.watch(path, mask: UInt32(SPUR_IN_MODIFY))
            events.watch(store.directory, mask: UInt32(SPUR_IN_MOVED_TO | SPUR_IN_CLOSE_WRITE))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SpurError("cannot read \(path)") }
        defer { try? handle.close() }
        while true {
            let data = handle.readDataToEndOfFile()
            if !data.isEmpty { output(data) }
            guard follow else { return }
            let lanes = try Supervision(workspace: workspace).reconcile()
            guard let lane = lanes.first(where: { $0.name == name }), lane.state.isActive else {
                let rest = handle.readDataToEndOfFile()
                if !rest.isEmpty { output(rest) }
                return
            }
            _ = KernelWait.readable([events.descriptor], until: nil)
            events.drain()
        }
    }
}
