import CGit2

/// An error reported by libgit2, with the class, code and message libgit2 gave for it.
///
/// The message is read from libgit2's thread-local slot on the same thread, right after the
/// failing call, so it always belongs to the call named in `operation`.
public struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    /// libgit2's error code (`git_error_code`, e.g. `GIT_ENOTFOUND` = -3).
    public let code: Int32
    /// libgit2's error class (`git_error_t`, e.g. `GIT_ERROR_INDEX`); 0 when libgit2 set none.
    public let errorClass: Int32
    /// libgit2's message, or a generic text when libgit2 left none.
    public let message: String
    /// What spur was doing, e.g. `git_repository_open`.
    public let operation: String

    public init(code: Int32, errorClass: Int32, message: String, operation: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
        self.operation = operation
    }

    /// True when libgit2 said the thing asked for does not exist.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// True when a lock file (`<name>.lock`) kept libgit2 from writing something.
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }

    public var description: String { "\(operation): \(message)" }

    /// Builds the error for a failed call; reads `git_error_last()` (which may be NULL).
    static func last(code: Int32, operation: String) -> GitError {
        if let error = git_error_last(), let text = error.pointee.message {
            return GitError(code: code, errorClass: error.pointee.klass,
                            message: String(cString: text), operation: operation)
        }
        return GitError(code: code, errorClass: 0, message: "libgit2 error \(code)", operation: operation)
    }
}

/// Throws a `GitError` when a libgit2 call returned a negative code.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
    if result < 0 { throw GitError.last(code: result, operation: operation()) }
}
