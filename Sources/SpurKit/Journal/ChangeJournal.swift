import CSystem
import Foundation
import SpurGit
import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

/// A live lane's change journal: every worktree path that may differ from the lane's base,
/// written by the lane's watcher (inotify) from the moment the lane is handed out, so that
/// `status` can look at those paths alone instead of `lstat`ing the whole worktree.
///
/// It is trusted only while it is provably complete: its watcher still runs, watched every
/// folder from before the first change, and lost no event. Otherwise readers scan, as without
/// it. Entries mean "look here": a folder entry covers everything under it. Ignore rules are
/// applied by readers, so a changed rule needs nothing from the journal.
///
/// What inotify cannot see, and so neither can the journal: a write through a second name
/// (hard link) of a worktree file, unless that name is still there when the journal is read or
/// was made in a folder the watcher watches while the file still had it (then the journal is
/// given up); and a write through a shared memory mapping until the file is closed. Link
/// counts raise no event on folders. The task's result is always a full snapshot.
///
/// Lives beside the checkout stamp in git's admin folder of the lane's worktree, so removing
/// the worktree's record removes the journal too.
///
/// Readers first synchronize with the watcher (`requestSync`): they append a byte to the sync
/// file, which the watcher sees in the same event queue as the worktree's changes, after every
/// change made before it; the watcher answers with the sync file's size in the ack file once
/// it has journaled everything up to there. So a change finished before `status` started is
/// always in the journal it reads.
struct ChangeJournal {
    /// The worktree's admin folder in git's common dir.
    let folder: String
    /// Journaled paths, each ended by a NUL, appended as the watcher reads events.
    let pathsFile: String
    /// The watcher's `State`, replaced atomically.
    let stateFile: String
    /// Readers append a byte here to ask the watcher to catch up.
    let syncFile: String
    /// The size of the sync file the watcher has caught up to, replaced atomically.
    let ackFile: String
    static let syncFileName = "spur-journal-sync"

    init(lane name: String, workspace: Workspace) {
        let layout = workspace.layout
        folder = layout.journalFolder(name)
        pathsFile = layout.journalPaths(name)
        stateFile = layout.journalState(name)
        syncFile = folder + "/" + Self.syncFileName
        ackFile = folder + "/spur-journal-ack"
    }

    /// Who keeps the journal, for which base, since when, and whether it missed nothing.
    struct State: Codable, Equatable {
        var pid: Int32
        var startTicks: UInt64
        /// The lane's base when watching began: a journal for another checkout proves nothing.
        var base: String
        /// When every folder was watched (seconds and nanoseconds since 1970, CLOCK_REALTIME).
        var watchingSince: FileTime
        /// False once an event was lost (queue overflow, a folder that could not be watched).
        var complete: Bool
        /// Why it is not complete, for `status --json`.
        var gap: String?
    }

    func readState() -> State? {
        guard let data = FileManager.default.contents(atPath: stateFile) else { return nil }
        return try? JSONDecoder().decode(State.self, from: data)
    }

    func writeState(_ state: State) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(state), to: stateFile, sync: false)
    }

    /// Every journaled path, its bytes as the kernel named it (an unfinished last entry is not
    /// one yet).
    func readPaths() -> [GitPath]? {
        guard let data = FileManager.default.contents(atPath: pathsFile) else { return nil }
        var paths: [GitPath] = []
        var start = data.startIndex
        for position in data.indices where data[position] == 0 {
            paths.append(GitPath(bytes: data[start..<position]))
            start = position + 1
        }
        return paths
    }

    /// For each of `lanes` (by name), the paths to look at when its journal can stand in for a
    /// scan now, otherwise nil and why not. Every watcher is asked to catch up at once (one
    /// inotify instance for all the answers), so the wait is the slowest watcher's.
    static func trustedPaths(for lanes: [Lane], workspace: Workspace) -> [String: (paths: [GitPath]?, reason: String)] {
        var answers: [String: (paths: [GitPath]?, reason: String)] = [:]
        guard !lanes.isEmpty else { return answers }
        guard let answered = try? FileEvents() else {
            for lane in lanes { answers[lane.name] = (nil, "inotify is not available: \(String(cString: strerror(errno)))") }
            return answers
        }
        var pending: [(lane: Lane, journal: ChangeJournal, state: State, target: Int)] = []
        for lane in lanes {
            let journal = ChangeJournal(lane: lane.name, workspace: workspace)
            switch journal.usableState(for: lane) {
            case .failure(let reason):
                answers[lane.name] = (nil, reason.text)
            case .success(let state):
                // Both the ack and the state are replaced by a rename into the admin folder;
                // without that watch the answer would go unnoticed until the deadline.
                guard answered.watch(journal.folder, mask: UInt32(SPUR_IN_MOVED_TO)) else {
                    answers[lane.name] = (nil, "cannot watch for its watcher's answer: \(String(cString: strerror(errno)))")
                    continue
                }
                guard let target = journal.requestSync() else {
                    answers[lane.name] = (nil, "cannot ask its watcher to catch up")
                    continue
                }
                pending.append((lane, journal, state, target))
            }
        }
        let deadline = Date().addingTimeInterval(2)
        while !pending.isEmpty {
            pending.removeAll { item in
                switch item.journal.answer(to: item.target) {
                case .waiting:
                    return false
                case .gaveUp:
                    answers[item.lane.name] = (nil, "the journal missed events")
                case .caughtUp:
                    // Checked again after reading: an event lost while catching up shows here.
                    if let paths = item.journal.readPaths(), let now = item.journal.readState(), now.complete, now.pid == item.state.pid {
                        answers[item.lane.name] = (paths, "journal")
                    } else {
                        answers[item.lane.name] = (nil, "the journal missed events")
                    }
                }
                return true
            }
            if pending.isEmpty { break }
            guard KernelWait.readable([answered.descriptor], until: deadline) == .readable(0) else {
                for item in pending { answers[item.lane.name] = (nil, "its watcher (pid \(item.state.pid)) did not catch up within 2 s") }
                break
            }
            answered.drain()
        }
        return answers
    }

    /// The journaled paths as they are now, without asking the watcher to catch up (a change
    /// made in the last moments may not be in yet), when the journal is complete, for this
    /// checkout, and kept by a live watcher. For the Bash guard, which cannot see a lane's later
    /// writes either.
    /// With the watcher that kept them: the list holds while that process runs and the journal's
    /// files stay as they are.
    func pathsWithoutSync(for lane: Lane) -> (paths: [GitPath], watcher: ProcessIdentity)? {
        guard case .success(let state) = usableState(for: lane), let paths = readPaths(),
              let now = readState(), now.complete, now.pid == state.pid else { return nil }
        return (paths, ProcessIdentity(pid: state.pid, startTicks: state.startTicks))
    }

    struct Distrust: Error { let text: String }

    /// The journal's state when it is complete, for this checkout, and its watcher runs.
    private func usableState(for lane: Lane) -> Result<State, Distrust> {
        guard let state = readState() else { return .failure(Distrust(text: "no journal (its watcher never started)")) }
        guard state.base == lane.base.hex else { return .failure(Distrust(text: "the journal is for another checkout")) }
        guard state.complete else { return .failure(Distrust(text: state.gap ?? "the journal missed events")) }
        guard ProcessIdentity(pid: state.pid, startTicks: state.startTicks).isAlive else {
            return .failure(Distrust(text: "its watcher (pid \(state.pid)) has ended"))
        }
        return .success(state)
    }

    enum SyncAnswer { case waiting, caughtUp, gaveUp }

    /// Whether the watcher has answered a sync request up to `target`, or stopped keeping
    /// the journal (then it never will).
    private func answer(to target: Int) -> SyncAnswer {
        if let data = FileManager.default.contents(atPath: ackFile),
           let acknowledged = Int(String(decoding: data, as: UTF8.self)), acknowledged >= target {
            return .caughtUp
        }
        return readState()?.complete == true ? .waiting : .gaveUp
    }

    /// Appends a byte to the sync file; the watcher sees it after every change made before.
    /// Returns the sync file's size after the byte: the answer to wait for.
    private func requestSync() -> Int? {
        let descriptor = open(syncFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        var byte: UInt8 = 0x2E
        let written = write(descriptor, &byte, 1)
        var info = stat()
        let sized = fstat(descriptor, &info) == 0
        close(descriptor)
        guard written == 1, sized else { return nil }
        return Int(info.st_size)
    }

    /// Removes the journal (before a new checkout of the worktree, or when the lane goes).
    func remove() {
        for file in [stateFile, pathsFile, syncFile, ackFile] { unlink(file) }
    }
}

extension FileTime {
    /// The wall clock now, as file timestamps record it.
    static func now() -> FileTime {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return FileTime(seconds: Int(time.tv_sec), nanoseconds: Int(time.tv_nsec))
    }
}
