import CGit2

/// An author/committer signature. Owns its libgit2 value (freed on deinit), reachable only
/// inside `withPointer`, which keeps the signature alive.
final class Signature {
    private let pointer: UnsafeMutablePointer<git_signature>
    init(owning pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
    deinit { git_signature_free(pointer) }

    func withPointer<R>(_ body: (UnsafeMutablePointer<git_signature>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// The configured user, or "spur <spur@localhost>" when user.name/email are not set.
    static func `default`(for repository: Repository) throws -> Signature {
        var handle: UnsafeMutablePointer<git_signature>?
        if repository.withPointer({ git_signature_default(&handle, $0) }) == 0, let handle {
            return Signature(owning: handle)
        }
        try check(git_signature_now(&handle, "spur", "spur@localhost"), "git_signature_now")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no signature", operation: "git_signature_now") }
        return Signature(owning: handle)
    }
}
