import Testing
import SpurGit
import SpurKit

/// A link target is resolved as the kernel resolves it, at "/" bytes: a combining mark right
/// after "/" must not glue to it and hide a ".." or a ".git" from the check.
@Suite struct PathBytesOutsideLinkTests {
    @Test(arguments: [
        ("../\u{301}x", "a", true), (".git/\u{301}hooks", "a", true), ("sub/../../\u{301}", "a", true),
        ("\u{301}x/../b", "a", false), ("../\u{301}x", "d/a", false),
    ])
    func aTargetWithACombiningMarkAfterASlashIsResolvedByBytes(_ target: String, _ path: String, _ leaves: Bool) {
        #expect(OutsideLink.leavesRepository(target: Array(target.utf8), at: GitPath(path), root: "/repo") == leaves, "\(path) -> \(target)")
    }
}
