import CSystem
import Foundation

/// What `list --watch` and `status --watch` wait on, all in one `poll`: inotify on the lane
/// records folder (a lane made, changed or removed), the logs folder (a task's output, progress
/// or result) and each lane's change journal (a live lane changed another file); standard
/// input (a key, or its end); and SIGTERM, SIGINT and SIGHUP, read from a signalfd so the
/// caller can restore the terminal before it exits. No timer: it sleeps until one of them.
public final class LaneActivity {
    public enum Wake: Equatable {
        /// Something a lane table shows may have changed.
        case changed
        /// Bytes read from standard input; empty at its end.
        case input([UInt8])
        /// A termination signal arrived (its number).
        case signal(Int32)
        /// The deadline passed.
        case timeout
    }

    let workspace: Workspace
    let events: FileEvents
    let input: OwnedDescriptor?
    let signals: OwnedDescriptor?

    /// Blocks SIGTERM, SIGINT and SIGHUP for this thread (they are read instead). With
    /// `readInput`, standard input is watched too.
    public init(workspace: Workspace, readInput: Bool) throws {
        self.workspace = workspace
        events = try FileEvents()
        input = readInput ? OwnedDescriptor(taking: fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) : nil
        signals = OwnedDescriptor(taking: spur_signalfd_for_termination())
        watchLanes()
    }

    /// Watches what exists now: call again after a change, so lanes made since are watched
    /// (watching a path already watched changes nothing).
    public func watchLanes() {
        let lanes = LaneStore(workspace: workspace).directory, logs = workspace.stateDir + "/logs"
        for folder in [lanes, logs] { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        events.watch(lanes, mask: UInt32(SPUR_IN_MOVED_TO | SPUR_IN_CLOSE_WRITE | SPUR_IN_DELETE | SPUR_IN_MOVED_FROM))
        events.watch(logs, mask: UInt32(SPUR_IN_MODIFY | SPUR_IN_CLOSE_WRITE | SPUR_IN_CREATE | SPUR_IN_MOVED_TO | SPUR_IN_DELETE))
        // Only the journal's list of paths: readers' sync requests and their answers (which a
        // redraw itself causes) live in other files of that folder.
        for lane in (try? LaneStore(workspace: workspace).all()) ?? [] where lane.state != .merged {
            events.watch(ChangeJournal(lane: lane.name, workspace: workspace).pathsFile, mask: UInt32(SPUR_IN_MODIFY))
        }
    }

    /// Sleeps in the kernel until something happens or `deadline` passes.
    public func wait(until deadline: Date?) -> Wake {
        switch KernelWait.readable([events.descriptor, input, signals], until: deadline) {
        case .readable(0):
            events.drain()
            return .changed
        case .readable(1):
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = input?.withRaw { raw in buffer.withUnsafeMutableBytes { read(raw, $0.baseAddress, $0.count) } } ?? 0
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return .changed }
            // A read error ends the input as its end would.
            return .input(count > 0 ? Array(buffer.prefix(count)) : [])
        case .readable(_):
            return .signal(signals?.withRaw { spur_signalfd_read($0) } ?? SIGTERM)
        case .timeout:
            return .timeout
        case .failed:
            return .signal(SIGTERM)
        }
    }
}
