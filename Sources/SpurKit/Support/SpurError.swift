/// A failure spur reports to the user as one line, with the exit code scripts can rely on.
public struct SpurError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Exit code 2: the request itself is wrong (bad name, not a repository, unknown lane).
    public static let usage: Int32 = 2
    /// Exit code 1: the request is fine but spur refused or failed to carry it out.
    public static let refused: Int32 = 1

    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = SpurError.refused) {
        self.message = message
        self.exitCode = exitCode
    }

    public static func usage(_ message: String) -> SpurError { SpurError(message, exitCode: usage) }

    public var description: String { message }
}
