import Foundation

/// The end of a task's output, read from the end of the file: the cost is bounded by `window`
/// bytes whatever the log's size, and a line of a megabyte without a newline is cut, not read whole.
public enum OutputTail {
    /// Bytes read from the end of a file at most.
    public static let window = 16 * 1024

    /// The last `window` bytes before `end` (default: the file's end) and from `from` on;
    /// `truncated` when the file holds more between `from` and them. Nil when the file cannot be read.
    public static func lastBytes(of path: String, from first: UInt64 = 0, end: UInt64? = nil, window: Int = window) -> (bytes: [UInt8], truncated: Bool)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let size = min(UInt64(max(info.st_size, 0)), end ?? UInt64.max)
        let start = max(size > UInt64(window) ? size - UInt64(window) : 0, min(first, size))
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + filled, buffer.count - filled, off_t(start) + off_t(filled))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        return (Array(bytes.prefix(filled)), start > first)
    }

    /// The last line holding something visible, made safe (`SafeText.line`); nil when there is
    /// none. A line longer than the window shows its last part, starting with "…".
    public static func lastLine(of path: String, end: UInt64? = nil) -> String? {
        guard let (bytes, truncated) = lastBytes(of: path, end: end) else { return nil }
        var stop = bytes.endIndex
        while stop > bytes.startIndex {
            let start = bytes[..<stop].lastIndex(of: 0x0A).map { $0 + 1 } ?? bytes.startIndex
            let line = SafeText.line(bytes[start..<stop]).trimmingCharacters(in: .whitespaces)
            if !line.isEmpty { return start == bytes.startIndex && truncated ? "…" + line : line }
            stop = start == bytes.startIndex ? start : start - 1
        }
        return nil
    }

    /// The last `count` lines before `end`, made safe (`SafeText.line` each), without trailing
    /// blank lines; `cut` when the window ended inside the first of them (a line longer than
    /// the window), which then starts with "…".
    public static func lastLines(of path: String, count: Int, from first: UInt64 = 0, end: UInt64? = nil) -> (text: String, cut: Bool)? {
        guard let (bytes, truncated) = lastBytes(of: path, from: first, end: end) else { return nil }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { SafeText.line($0) }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        let cut = truncated && lines.count <= count
        if cut, !lines.isEmpty { lines[0] = "…" + lines[0] }
        let kept = lines.suffix(count)
        guard !kept.isEmpty else { return nil }
        return (kept.joined(separator: "\n"), cut)
    }
}

extension OutputTail {
    /// The most a `lastLine` keeps, in characters.
    public static let lastLineLimit = 500

    /// A lane's latest line: the last line the task wrote to `$SPUR_PROGRESS`, or else the last
    /// line of its output; made safe and at most `lastLineLimit` characters. Nil when there is
    /// none, or no task ran (the files may be a discarded lane's of the same name).
    public static func latestLine(_ workspace: Workspace, lane: Lane) -> String? {
        guard lane.startedAt != nil else { return nil }
        let name = lane.name
        let line = lastLine(of: TaskResult.progressPath(workspace, name)) ?? lastLine(of: Supervisor.logPath(workspace, name))
        return line.map { $0.count > lastLineLimit ? String($0.prefix(lastLineLimit - 1)) + "…" : $0 }
    }
}
