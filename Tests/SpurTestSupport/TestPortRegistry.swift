import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Lanes made in-process (SpurKit tests) take their port blocks from a registry of this test
/// process, never from the developer's own (`~/.cache/spur/ports.json`).
public enum TestPortRegistry {
    private static let isolated: Bool = {
        let path = NSTemporaryDirectory() + "/spur-test-ports-\(getpid())/ports.json"
        return setenv("SPUR_PORT_REGISTRY", path, 1) == 0
    }()

    /// Points `SPUR_PORT_REGISTRY` of this process at its own registry (once; later calls do nothing).
    public static func isolateThisProcess() { _ = isolated }
}
