import CSystem
import Foundation
import SpurGit
import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a lane's `ChangeJournal`: one inotify watch per folder of the lane's worktree as
/// checked out, each changed path appended to the journal once. Start it after the checkout and
/// before anything can change the worktree (the task starts, or the path is printed); then call
/// `drain()` whenever `descriptor` is readable (`KernelWait` keeps it open while it waits).
/// Waiting costs nothing: the kernel queues events.
///
/// A folder created or moved in later is journaled as a whole (readers scan it), so it needs
/// no watch of its own, and build output or dependencies a task writes cost no watches. Ignore
/// rules play no part here: readers apply the rules in force when they read. A lost event
/// (queue overflow, no watch left) marks the journal incomplete, and readers scan instead;
/// after an overflow the owner starts a new watcher with `catchUp`, which rebuilds the journal.
final class WorktreeWatcher {
    let lane: Lane
    let journal: ChangeJournal
    /// Readable when events are queued; nil once the watcher stopped.
    private(set) var descriptor: OwnedDescriptor?
    /// Worktree events read so far (readers' sync requests not counted): a cheap sign of activity.
    private(set) var eventCount = 0
    /// True while the journal is complete and kept. Once it is not (an event was lost, a file
    /// got a second name, the worktree went, or `stop` was called) the watcher lets go of its
    /// watches: readers scan, and nothing is gained by watching on.
    var isWatching: Bool { descriptor != nil }
    private let output: Int32
    private var state: ChangeJournal.State
    private var folders: [Int32: GitPath] = [:]
    private var rootWatch: Int32 = -1
    private var journaled: Set<GitPath> = []
    private var pending: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// The watch on the admin folder, where readers ask to be answered (`ChangeJournal.requestSync`).
    private var syncWatch: Int32 = -1
    private var syncRequested = false
    /// True once the kernel dropped events (its queue overflowed): a new watcher started with
    /// `catchUp` can take over.
    private(set) var lostEvents = false
    /// A caller's own watch in the same inotify instance (`watchAlso`), and whether it fired.
    private var extraWatch: Int32 = -1
    private var extraFired = false

    /// Watches every folder of `lane`'s worktree and publishes the journal as complete. With
    /// `catchUp` (the worktree may have changed already, e.g. a watcher before this one lost
    /// events) every path that differs from the base once the watches are set is journaled
    /// first, from a scan: a change made later raises an event, one made earlier shows in the scan.
    init(lane: Lane, workspace: Workspace, catchUp: Bool = false) throws {
        self.lane = lane
        journal = ChangeJournal(lane: lane.name, workspace: workspace)
        journal.remove()
        guard let inotify = OwnedDescriptor(taking: spur_inotify_init()) else {
            throw SpurError("inotify is not available: \(String(cString: strerror(errno)))")
        }
        descriptor = inotify
        output = open(journal.pathsFile, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw SpurError("cannot write \(journal.pathsFile): \(String(cString: strerror(errno)))") }
        // From here on every stored property is set: deinit closes the output (and inotify goes with its owner).
        let me = ProcessIdentity.current()
        state = ChangeJournal.State(pid: me.pid, startTicks: me.startTicks, base: lane.base.hex,
                                    watchingSince: FileTime.now(), complete: true, gap: nil)
        watchTree("")
        guard rootWatch >= 0, state.complete else {
            throw SpurError("cannot watch \(lane.worktree): \(state.gap ?? String(cString: strerror(errno)))")
        }
        // Only closes count: the journal's own appends and renames must not wake us.
        syncWatch = inotify.withRaw { spur_inotify_watch($0, journal.folder, UInt32(SPUR_IN_CLOSE_WRITE)) }
        guard syncWatch >= 0 else { throw SpurError("cannot watch \(journal.folder): \(String(cString: strerror(errno)))") }
        if catchUp { try recordWhatDiffers(workspace: workspace) }
        state.watchingSince = FileTime.now()
        try journal.writeState(state)
    }

    /// Journals every path that differs from the base now (one scan of the worktree).
    private func recordWhatDiffers(workspace: Workspace) throws {
        let repository = try LaneWorktree.open(lane, workspace: workspace)
        let scan = try WorktreeScan(lane: lane, workspace: workspace, base: BaseTree(repository: repository, commit: lane.base),
                                    stamp: CheckoutStamp.of(lane, workspace: workspace))
        try scan.scan()
        for change in scan.changes {
            record(change.oldPath)
            record(change.newPath)
        }
        flush()
    }

    deinit { close(output) }

    /// Also watches `path` for `mask` in the same inotify instance (one instance per lane is
    /// all a watcher takes); `takeExtraEvents` says whether it fired since last asked.
    func watchAlso(_ path: String, mask: UInt32) {
        extraWatch = descriptor?.withRaw { spur_inotify_watch($0, path, mask) } ?? -1
    }

    func takeExtraEvents() -> Bool {
        defer { extraFired = false }
        return extraFired
    }

    /// Reads every queued event, journals the paths they name, and answers readers' sync
    /// requests. An answer states the sync file's size read *before* the last pass over the
    /// queue: every request counted in it, and every change made before that request, was
    /// queued by then, so that pass has journaled them.
    func drain() {
        readQueue()
        while syncRequested && isWatching {
            syncRequested = false
            guard let size = FileStat.of(journal.syncFile)?.size else { break }
            readQueue()
            guard isWatching else { break }
            try? AtomicFile.write(Data(String(size).utf8), to: journal.ackFile, sync: false)
        }
    }

    private func readQueue() {
        while let descriptor {
            let count = descriptor.withRaw { raw in buffer.withUnsafeMutableBytes { read(raw, $0.baseAddress, $0.count) } }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            handle(count)
        }
        flush()
    }

    /// Marks the journal as no longer kept and lets go of the watches; readers scan from now on.
    func stop(reason: String) {
        markIncomplete(reason)
    }

    private func handle(_ count: Int) {
        var offset = 0
        let headerSize = 16
        while offset + headerSize <= count {
            let (watch, mask, length) = buffer.withUnsafeBytes { bytes in
                (bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                 bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                 Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
            }
            let nameBytes = buffer[(offset + headerSize)..<min(count, offset + headerSize + length)]
            let name = GitPath(bytes: nameBytes.prefix { $0 != 0 })
            offset += headerSize + length
            event(watch: watch, mask: mask, name: name)
        }
    }

    private func event(watch: Int32, mask: UInt32, name: GitPath) {
        guard isWatching else { return }
        if mask & UInt32(SPUR_IN_Q_OVERFLOW) != 0 {
            lostEvents = true
            return markIncomplete("the kernel's event queue overflowed")
        }
        if watch == syncWatch {
            if name == GitPath(ChangeJournal.syncFileName) { syncRequested = true }
            return
        }
        if watch == extraWatch {
            extraFired = true
            return
        }
        guard let folder = folders[watch] else { return }
        eventCount += 1
        if mask & UInt32(SPUR_IN_IGNORED) != 0 {
            folders[watch] = nil
            if watch == rootWatch { endBecauseWorktreeWent() }
            return
        }
        if name.isEmpty {
            if watch == rootWatch && mask & UInt32(SPUR_IN_DELETE_SELF | SPUR_IN_MOVE_SELF) != 0 {
                endBecauseWorktreeWent()
            }
            return
        }
        if folder.isEmpty && name == ".git" { return }
        let path = folder.appending(name)
        if mask & UInt32(SPUR_IN_ISDIR) != 0 {
            // A folder's own attributes mean nothing to git; its entries have watches of their own,
            // or, for a folder that arrived since, its journal entry covers them.
            guard mask & UInt32(SPUR_IN_CREATE | SPUR_IN_DELETE | SPUR_IN_MOVED_FROM | SPUR_IN_MOVED_TO) != 0 else { return }
            record(path)
            return
        }
        record(path)
        // A second name for a file: writes through either name change both, but only the
        // folder of the name written through hears of it. From here on only a scan can tell.
        if mask & UInt32(SPUR_IN_CREATE | SPUR_IN_MOVED_TO) != 0, let links = linkCount(of: path), links > 1 {
            markIncomplete("\(path) has \(links) names (hard links): writes through another name are not seen")
        }
    }

    private func linkCount(of path: GitPath) -> UInt64? {
        var info = stat()
        guard lstat(path.under(lane.worktree).cString, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return UInt64(info.st_nlink)
    }

    /// Watches `path` and every folder below it (each folder is watched before it is listed, so
    /// a subfolder made meanwhile is either listed or reported). A folder moved later keeps its
    /// watch under its old path: harmless, since both its old and new paths are journaled.
    private func watchTree(_ path: GitPath) {
        let full = path.under(lane.worktree)
        let watch = descriptor?.withRaw { spur_inotify_watch_folder($0, full.cString) } ?? -1
        guard watch >= 0 else {
            // Gone already (its removal is journaled), or no watch left: then events may be lost.
            switch errno {
            case ENOENT, ENOTDIR: break
            case ENOSPC: markIncomplete("no inotify watch left for \(path) (raise fs.inotify.max_user_watches)")
            default: markIncomplete("cannot watch \(path): \(String(cString: strerror(errno)))")
            }
            return
        }
        folders[watch] = path
        if path.isEmpty { rootWatch = watch }
        guard let handle = opendir(full.cString) else { return }
        defer { closedir(handle) }
        let children = FolderEntries.read(handle).filter { entry in
            entry.name != ".git" && (entry.type == Int(DT_DIR)
                || (entry.type == Int(DT_UNKNOWN) && FileStat.of(full.appending(entry.name))?.kind == .directory))
        }.map(\.name)
        for child in children { watchTree(path.appending(child)) }
    }

    private func record(_ path: GitPath) {
        guard journaled.insert(path).inserted else { return }
        pending.append(contentsOf: path.bytes)
        pending.append(0)
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        let failed = pending.withUnsafeBytes { bytes -> Bool in
            guard let start = bytes.baseAddress else { return false }
            var offset = 0
            while offset < bytes.count {
                let written = write(output, start + offset, bytes.count - offset)
                if written < 0 { if errno == EINTR { continue }; return true }
                offset += written
            }
            return false
        }
        pending.removeAll(keepingCapacity: true)
        if failed { markIncomplete("cannot append to the journal: \(String(cString: strerror(errno)))") }
    }

    /// The worktree itself was removed or moved: watching ends, and nothing is written. Whoever
    /// removes a worktree (`git worktree remove`) removes its admin folder next, where the journal
    /// lives; a file written there meanwhile makes that removal fail ("Directory not empty").
    /// Readers stop trusting the journal once the worktree is gone or this process has ended.
    private func endBecauseWorktreeWent() {
        state.complete = false
        descriptor = nil
    }

    private func markIncomplete(_ reason: String) {
        guard state.complete else { return }
        state.complete = false
        state.gap = reason
        // If even this cannot be written, readers still stop trusting the journal once this
        // process ends (they check that its watcher runs).
        try? journal.writeState(state)
        descriptor = nil
    }
}
