import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished subprocess printed and how it exited.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// Standard output exactly as printed (`stdout` decodes it as UTF-8, which is lossy).
    public var stdoutBytes: [UInt8] = []
    public var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// Runs a program to completion, capturing its output (read concurrently so pipes never fill).
public enum ProcessRunner {
    public static func run(_ executable: String, _ arguments: [String], cwd: String,
                           environment: [String: String], stdin: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try withNoSignalsBlocked { try process.run() }
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: [UInt8](outData))
    }
}

/// Runs `body` (which starts a child process) with no signal blocked on the calling thread.
///
/// A child inherits the signal mask of the thread that spawns it, and the test runner's worker
/// threads block most signals (SIGCHLD, SIGTERM, ...). Children started with that mask misbehave:
/// `sh -c 'cmd & wait'` waits forever, SIGTERM is never delivered. So the mask is cleared for the
/// moment of the spawn and restored afterwards.
public func withNoSignalsBlocked<T>(_ body: () throws -> T) rethrows -> T {
    var empty = sigset_t(), saved = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &saved)
    defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
    return try body()
}

/// A byte-for-byte description of a folder tree (excluding `.git`), to compare before and after.
public enum Fingerprint {
    public static func of(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        func walk(_ relative: String) throws {
            let full = relative.isEmpty ? root : root + "/" + relative
            for name in try fm.contentsOfDirectory(atPath: full) where !(relative.isEmpty && name == ".git") {
                let rel = relative.isEmpty ? name : relative + "/" + name
                let path = root + "/" + rel
                let attributes = try fm.attributesOfItem(atPath: path)
                let type = attributes[.type] as? FileAttributeType
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
                if type == .typeSymbolicLink {
                    result[rel] = "link:" + (try fm.destinationOfSymbolicLink(atPath: path))
                } else if type == .typeDirectory {
                    result[rel] = "dir"
                    try walk(rel)
                } else {
                    let data = fm.contents(atPath: path) ?? Data()
                    result[rel] = "file:\(String(mode, radix: 8)):" + data.base64EncodedString()
                }
            }
        }
        try walk("")
        return result
    }
}

/// True while process `pid` exists and is not a zombie (an exited child nobody reaped yet).
public func processIsRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].dropFirst().first
    return state != "Z" && state != "X"
}
