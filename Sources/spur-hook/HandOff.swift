import CSystem
import SpurHookCore
#if canImport(Glibc)
import Glibc
#endif

/// Gives a hook event to `spur hook claude`: the same process becomes `spur` (exec), with the
/// payload already read put back as its standard input, so Claude Code sees spur's own answer
/// and exit code.
enum HandOff {
    /// `spur` beside this executable (as the two are installed), else the one on PATH.
    static func spurExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 {
            let own = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let beside = PlainRepositoryLookup.parentFolder(of: own) + "/spur"
            if access(beside, X_OK) == 0 { return beside }
        }
        return "spur"
    }

    static func run(payload: [UInt8]) -> Never {
        let replaced = payload.withUnsafeBytes { spur_replace_stdin($0.baseAddress, $0.count) }
        guard replaced == 0 else { failOpen("cannot pass the hook input on (\(String(cString: strerror(errno))))") }
        let spur = spurExecutable()
        let arguments = [spur, "hook", "claude"]
        var argv = arguments.map { strdup($0) } + [nil]
        if spur.utf8.contains(UInt8(ascii: "/")) { execv(spur, &argv) } else { execvp(spur, &argv) }
        failOpen("cannot run \(spur) hook claude (\(String(cString: strerror(errno))))")
    }

    /// One warning line, exit 0: a hook never blocks because of spur's own trouble.
    static func failOpen(_ reason: String) -> Never {
        writeStandardError("spur: warning: hook: \(reason) (allowing)")
        exit(0)
    }

    /// `line` and a newline on standard error.
    static func writeStandardError(_ line: String) {
        _ = (line + "\n").utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
