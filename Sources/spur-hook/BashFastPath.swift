import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

/// The two answers to a Bash call's hooks that are asked most and need neither libgit2 nor
/// Foundation, each exactly what `spur hook claude` (SpurKit's `BashWriteGuard`) answers:
///
/// - PreToolUse while the stat cache holds: fingerprint the files live lanes changed into the
///   call's record (or nothing, when they changed none); no answer.
/// - PostToolUse (or PostToolUseFailure) whose record shows no watched file changed: remove
///   the record; no answer. So does one with no record at all.
///
/// Anything else is `handOff`: a cache that does not hold, a changed file (the answer names
/// lanes and follows `spur.guard`), a repository found other than plainly or whose config
/// changed since spur made the cache (spur might not open it: bare, broken), `SPUR_LANE`,
/// `SPUR_JOURNAL=off`, git config given through the environment, a record that cannot be read
/// or written.
struct BashFastPath {
    enum Outcome: Equatable { case answered, handOff }

    let event: BashHookEvent
    let environment: (String) -> String?

    func run() -> Outcome {
        // Settings these paths do not read: SpurKit's guard reads them.
        for name in ["SPUR_LANE", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"] where environment(name) != nil { return .handOff }
        if environment("SPUR_JOURNAL") == "off" { return .handOff }
        return event.event == "PreToolUse" ? before() : after()
    }

    /// The hook process's own folder.
    static func processFolder() -> String? {
        guard let folder = getcwd(nil, 0) else { return nil }
        defer { free(folder) }
        return String(validatingCString: folder)
    }

    private func before() -> Outcome {
        guard let given = event.cwd.flatMap({ $0.isEmpty ? nil : $0 }) ?? Self.processFolder(),
              let cwd = PlainRepositoryLookup.canonical(given),
              case .repository(let root, let layout) = PlainRepositoryLookup.from(cwd),
              let cache = WatchedPathsCache.load(layout), cache.holds(root: root, inputs: WatchedPathsCache.stampInputs(layout))
        else { return .handOff }
        // A lane's agent works in its own worktree; spur does not watch it.
        for lane in cache.lanes where lane.worktreePresent {
            guard let worktree = PlainRepositoryLookup.canonical(lane.worktree) else { return .handOff }
            if PlainRepositoryLookup.isInside(cwd, worktree) { return .answered }
        }
        BashWriteRecord.prune(layout, now: time(nil))
        guard !cache.lanesByPath.isEmpty else { return .answered }
        let record = BashWriteRecord.fingerprinting(cache.lanesByPath, root: root, session: event.session, toolUseID: event.toolUseID)
        return record.save(at: BashWriteRecord.file(session: event.session, toolUseID: event.toolUseID, in: layout)) ? .answered : .handOff
    }

    /// The record is looked for as `spur hook claude` looks: from the event's folder, then the
    /// project's, then the hook's own.
    private func after() -> Outcome {
        let candidates = [event.cwd, environment("CLAUDE_PROJECT_DIR"), Self.processFolder()].compactMap { $0 }.filter { !$0.isEmpty }
        for folder in candidates {
            switch PlainRepositoryLookup.from(folder) {
            case .unsure: return .handOff
            case .none: continue
            case .repository(_, let layout):
                let file = BashWriteRecord.file(session: event.session, toolUseID: event.toolUseID, in: layout)
                guard let bytes = PlainFile.read(file) else { continue }
                guard WatchedPathsCache.load(layout)?.holdsConfig(layout) == true, let record = BashWriteRecord.decoded(bytes),
                      !record.files.contains(where: { $0.changed(under: record.root) }) else {
                    return .handOff
                }
                unlink(file)
                return .answered
            }
        }
        return .answered
    }
}
