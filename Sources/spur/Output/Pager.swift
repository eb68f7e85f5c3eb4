import Foundation
import SpurKit

/// Shows long output the way git does: through GIT_PAGER, core.pager, PAGER or `less`
/// (with LESS=FRX unless set), only when standard output is a terminal.
enum Pager {
    static func show(_ text: String, workspace: Workspace) {
        guard Terminal.stdoutIsTerminal, let command = pagerCommand(workspace), !command.isEmpty, command != "cat" else {
            FileHandle.standardOutput.write(Data(text.utf8))
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
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        } catch {
            FileHandle.standardOutput.write(Data(text.utf8))
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
enum PatchColor {
    static func paint(_ patch: String) -> String {
        guard Terminal.useColor else { return patch }
        var inHeader = false
        return patch.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let text = String(line)
            if text.hasPrefix("diff --git") { inHeader = true; return Terminal.paint(text, .bold) }
            if text.hasPrefix("@@") { inHeader = false; return "\u{1B}[36m\(text)\u{1B}[0m" }
            if inHeader { return Terminal.paint(text, .bold) }
            if text.hasPrefix("+") { return Terminal.paint(text, .green) }
            if text.hasPrefix("-") { return Terminal.paint(text, .red) }
            return text
        }.joined(separator: "\n")
    }
}
