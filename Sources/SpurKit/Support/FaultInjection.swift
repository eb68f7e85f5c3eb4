import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test-only fault points. With `SPUR_FAULT=NAME` in the environment, `point(NAME)` throws;
/// with `SPUR_FAULT=NAME:kill` the process kills itself with SIGKILL there, as a crash would;
/// with `SPUR_FAULT=NAME:exec` it runs the shell command in `SPUR_FAULT_EXEC` there and waits for
/// it (the command sees `SPUR_FAULT_POINT`, `SPUR_FAULT_HIT` and `SPUR_FAULT_DETAIL`, e.g. the
/// path about to be written). `NAME@N` acts only on the N-th time the point is reached.
/// Without the variable, a point costs one dictionary lookup.
enum FaultInjection {
    enum Action { case fail, kill, exec }
    struct Configuration { let name: String; let hit: Int?; let action: Action }

    private static let configured: Configuration? = {
        guard let value = ProcessInfo.processInfo.environment["SPUR_FAULT"], !value.isEmpty else { return nil }
        var spec = value
        var action = Action.fail
        if spec.hasSuffix(":kill") { action = .kill; spec.removeLast(5) }
        else if spec.hasSuffix(":exec") { action = .exec; spec.removeLast(5) }
        var hit: Int?
        if let at = spec.lastIndex(of: "@"), let number = Int(spec[spec.index(after: at)...]) {
            hit = number
            spec = String(spec[..<at])
        }
        return Configuration(name: spec, hit: hit, action: action)
    }()

    private static let hits = HitCounter()

    static func point(_ name: String, detail: @autoclosure () -> String = "") throws {
        guard let configured, configured.name == name else { return }
        let count = hits.next()
        if let wanted = configured.hit, wanted != count { return }
        switch configured.action {
        case .kill: kill(getpid(), SIGKILL)
        case .fail: throw SpurError("fault injected at \(name)")
        case .exec: runHook(point: name, hit: count, detail: detail())
        }
    }

    private static func runHook(point: String, hit: Int, detail: String) {
        guard let command = ProcessInfo.processInfo.environment["SPUR_FAULT_EXEC"] else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["SPUR_FAULT_POINT"] = point
        environment["SPUR_FAULT_HIT"] = String(hit)
        environment["SPUR_FAULT_DETAIL"] = detail
        process.environment = environment
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            FileHandle.standardError.write(Data("spur: fault hook failed: \(error)\n".utf8))
        }
    }
}

/// Counts how often the configured fault point was reached.
private final class HitCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
