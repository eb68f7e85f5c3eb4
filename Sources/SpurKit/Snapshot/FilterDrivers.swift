import Foundation
import SpurGit

/// Clean filter drivers for a snapshot (issue #15; `CheckinFilters` decides where they apply):
/// `filter=NAME` with `filter.NAME.clean` is run as git runs it (`sh -c`, `%f` the path, the file
/// on standard input, the blob from standard output, `filter.NAME.required` honoured). Refused
/// with one line naming the attribute and the path, never recorded differently: a driver with
/// only the long-running `filter.NAME.process` (Git LFS). Also git's refusal of a `.gitmodules`
/// that is a symbolic link.
enum FilterDrivers {
    /// `input`, the bytes of `path`, through the clean driver of `filter=name`: run when
    /// `filter.NAME.clean` is configured; refused in one line when only the long-running
    /// `filter.NAME.process` is, or when the driver is required and has no clean command; the
    /// bytes as they are when git has no such driver.
    static func clean(_ name: String, path: GitPath, input: [UInt8], workdir: String, config: Config) throws -> [UInt8] {
        let command = try config.string("filter.\(name).clean")
        let required = try config.bool("filter.\(name).required") ?? false
        if command == nil, try config.string("filter.\(name).process") != nil {
            throw SpurError("\(path): attribute filter=\(name) needs the long-running filter.\(name).process, which spur does not run; configure filter.\(name).clean or snapshot without it")
        }
        guard let command else {
            if required { throw SpurError("\(path): attribute filter=\(name) is required but filter.\(name).clean is not configured (git refuses it too)") }
            return input
        }
        return try run((name, command, required), path: path, input: input, workdir: workdir)
    }

    /// git refuses to stage a symbolic link named `.gitmodules` ("invalid path"), in any folder.
    static func refuseLinkedGitmodules(_ differences: [TreeDifference]) throws {
        for difference in differences where difference.new?.mode == .link {
            let name = difference.path.parentAndName.name.bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
            if name == Array(".gitmodules".utf8) {
                throw SpurError("invalid path '\(difference.path)': a .gitmodules that is a symbolic link (git add -A refuses it too)")
            }
        }
    }

    /// Runs a clean command as git does; a failure is git's: fatal when the driver is required,
    /// else the file's own bytes are kept.
    private static func run(_ clean: (name: String, command: String, required: Bool), path: GitPath, input: [UInt8], workdir: String) throws -> [UInt8] {
        let quoted = "'" + path.text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let command = clean.command.replacingOccurrences(of: "%f", with: quoted)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: workdir)
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            if clean.required { throw SpurError("\(path): clean filter '\(clean.name)' failed to start (filter.\(clean.name).required)") }
            return input
        }
        // Feed standard input on another thread so a filter that writes before reading everything cannot block both sides.
        // A filter that exits without reading all of it must not kill spur (SIGPIPE) either.
        signal(SIGPIPE, SIG_IGN)
        let writer = stdin.fileHandleForWriting
        let feeding = Thread { try? writer.write(contentsOf: Data(input)); try? writer.close() }
        feeding.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit && process.terminationStatus == 0 else {
            if clean.required { throw SpurError("\(path): clean filter '\(clean.name)' failed (filter.\(clean.name).required); git add -A fails too") }
            return input
        }
        return [UInt8](output)
    }
}
