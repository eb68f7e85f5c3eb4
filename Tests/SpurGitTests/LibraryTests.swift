import Testing
import SpurGit
import SpurTestSupport

@Suite struct LibraryTests {
    @Test func errorsCarryLibgit2sCodeClassAndMessage() throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        do {
            _ = try Repository(path: repository.root + "/does-not-exist")
            Issue.record("opening a missing repository succeeded")
        } catch let error as GitError {
            #expect(error.isNotFound)
            #expect(error.errorClass != 0)
            #expect(error.message.contains("does-not-exist"))
        }
    }
}
