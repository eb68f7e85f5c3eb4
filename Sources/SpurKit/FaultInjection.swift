import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test-only fault points. With `SPUR_FAULT=NAME` in the environment, `point(NAME)` throws;
/// with `SPUR_FAULT=NAME:kill` the process kills itself with SIGKILL there, as a crash would.
/// Without the variable, a point costs one dictionary lookup.
enum FaultInjection {
    private static let configured: (name: String, kill: Bool)? = {
        guard let value = ProcessInfo.processInfo.environment["SPUR_FAULT"], !value.isEmpty else { return nil }
        if value.hasSuffix(":kill") { return (String(value.dropLast(5)), true) }
        return (value, false)
    }()

    static func point(_ name: String) throws {
        guard let configured, configured.name == name else { return }
        if configured.kill { kill(getpid(), SIGKILL) }
        throw SpurError("fault injected at \(name)")
    }
}
