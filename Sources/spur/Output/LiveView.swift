import ArgumentParser
import Foundation
import SpurKit
#if canImport(Glibc)
import Glibc
#endif

/// `list --watch` and `status --watch`: draws a view, then redraws it whenever a lane changes
/// (`LaneActivity`: inotify, no timer), at most four times a second.
///
/// On a terminal the view replaces the screen (the alternate screen, so your scrollback is
/// kept) and q, Q, ^C or ^D ends it; the terminal is put in raw mode for that and restored on
/// every way out, a termination signal included. When standard output is not a terminal each
/// new view is printed in full after a blank line (a view equal to the last one is not
/// printed again). When standard input is not a terminal, the watch ends at its end or at a
/// "q": `spur list --watch < /dev/null` prints once.
struct LiveView {
    let workspace: Workspace
    /// The shortest time between two draws; changes in between are drawn together.
    static let minimumInterval: TimeInterval = 0.25

    /// Runs until the user ends it; throws what `render` throws (after restoring the terminal).
    func run(title: String, render: () throws -> String) throws {
        signal(SIGPIPE, SIG_IGN)
        let activity = try LaneActivity(workspace: workspace, readInput: true)
        let keyboard = isatty(STDIN_FILENO) == 1 ? RawTerminal(STDIN_FILENO) : nil
        let screen = Terminal.stdoutIsTerminal
        defer {
            if screen { _ = write(Data("\u{1B}[?25h\u{1B}[?1049l".utf8)) }
            keyboard?.restore()
        }
        if screen { guard write(Data("\u{1B}[?1049h\u{1B}[?25l".utf8)) else { return } }
        var shown: String?
        var drawnAt = Date.distantPast
        while true {
            activity.watchLanes()
            let view = try render()
            if view != shown {
                let time = ISO8601DateFormatter.string(from: Date(), timeZone: .current, formatOptions: [.withTime, .withColonSeparatorInTime])
                let text = screen
                    ? "\u{1B}[H\u{1B}[2J" + Terminal.paint("\(title) · \(time) · q quits", .dim) + "\n\n" + view
                    : (shown == nil ? "" : "\n") + view
                guard write(Data(text.utf8)) else { return }
                shown = view
                drawnAt = Date()
            }
            // Sleep until something changes; then let changes that follow quickly pile up.
            var deadline: Date?
            waiting: while true {
                switch activity.wait(until: deadline) {
                case .changed:
                    if deadline == nil { deadline = max(Date(), drawnAt.addingTimeInterval(Self.minimumInterval)) }
                case .timeout:
                    break waiting
                case .input(let bytes):
                    if ends(on: bytes, terminal: keyboard != nil) { return }
                case .signal(let number):
                    throw ExitCode(128 + number)
                }
            }
        }
    }

    /// Whether input ends the watch: its end, a q, or on a terminal ^C or ^D.
    func ends(on bytes: [UInt8], terminal: Bool) -> Bool {
        if bytes.isEmpty || bytes.contains(UInt8(ascii: "q")) || bytes.contains(UInt8(ascii: "Q")) { return true }
        return terminal && (bytes.contains(3) || bytes.contains(4))
    }

    /// Writes all of `data` to standard output; false when it cannot (the reader went away).
    func write(_ data: Data) -> Bool {
        do {
            try FileHandle.standardOutput.write(contentsOf: data)
            return true
        } catch {
            return false
        }
    }
}

/// A terminal in raw mode (no echo, no line editing, keys such as ^C read as bytes) until
/// `restore()` puts back the settings it found.
final class RawTerminal {
    let descriptor: Int32
    var saved: termios?

    init?(_ descriptor: Int32) {
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else { return nil }
        self.descriptor = descriptor
        saved = settings
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else { return nil }
    }

    func restore() {
        guard var settings = saved else { return }
        tcsetattr(descriptor, TCSANOW, &settings)
        saved = nil
    }

    deinit { restore() }
}
