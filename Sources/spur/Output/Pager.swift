import Foundation
import SpurKit

/// Shows long output the way git does: through GIT_PAGER, core.pager, PAGER or `less`
/// (with LESS=FRX unless set), only when standard output is a terminal.
enum Pager {
    static func show(_ text: String, workspace: Workspace) {
        show(bytes: Array(text.utf8), workspace: workspace)
    }

    /// The same for output that is bytes (a patch: file content and names need not be UTF-8).
    static func show(bytes: [UInt8], workspace: Workspace) {
        let data = Data(bytes)
        guard Terminal.stdoutIsTerminal, let command = pagerCommand(workspace), !command.isEmpty, command != "cat" else {
            FileHandle.standardOutput.write(data)
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        if environment["LESS"] == nil { environment["LESS"] = "FRX" }
        if environment["LV"] == nil { environment["LV"] = "-c" }
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        } catch {
            FileHandle.standardOutput.write(data)
        }
    }

    static func pagerCommand(_ workspace: Workspace) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let pager = environment["GIT_PAGER"] { return pager }
        if let configured = try? workspace.openRepository().config().string("core.pager") { return configured }
        return environment["PAGER"] ?? "less"
    }
}

/// Colours a patch like git: headers bold, hunk lines cyan, additions green, removals red.
/// Works on the patch's bytes, line by line, so content and names that are not UTF-8 pass
/// through unchanged.
enum PatchColor {
    static func paint(_ patch: [UInt8]) -> [UInt8] {
        guard Terminal.useColor else { return patch }
        var inHeader = false
        func wrap(_ line: ArraySlice<UInt8>, _ code: String) -> [UInt8] {
            Array("\u{1B}[\(code)m".utf8) + line + Array("\u{1B}[0m".utf8)
        }
        let lines = patch.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> [UInt8] in
            if line.starts(with: "diff --git".utf8) { inHeader = true; return wrap(line, Terminal.Color.bold.rawValue) }
            if line.starts(with: "@@".utf8) { inHeader = false; return wrap(line, "36") }
            if inHeader { return wrap(line, Terminal.Color.bold.rawValue) }
            if line.first == 0x2B { return wrap(line, Terminal.Color.green.rawValue) }
            if line.first == 0x2D { return wrap(line, Terminal.Color.red.rawValue) }
            return Array(line)
        }
        return Array(lines.joined(separator: [0x0A]))
    }
}
