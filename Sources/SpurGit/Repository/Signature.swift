import CGit2

/// An author/committer signature.
final class Signature {
    let pointer: UnsafeMutablePointer<git_signature>
    init(owning pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
    deinit { git_signature_free(pointer) }

    /// The configured user, or "spur <spur@localhost>" when user.name/email are not set.
    static func `default`(for repository: Repository) throws -> Signature {
        var handle: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&handle, repository.pointer) == 0, let handle {
            return Signature(owning: handle)
        }
        try check(git_signature_now(&handle, "spur", "spur@localhost"), "git_signature_now")
        guard let handle else { throw GitError(code: -1, errorClass: 0, message: "no signature", operation: "git_signature_now") }
        return Signature(owning: handle)
    }
}
