import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Proof that a file in a lane's worktree still holds what checkout wrote there, from its
/// status-change time alone: checkout finished before `checkedOutBy`, and the kernel moves a
/// file's ctime forward on every write, chmod, rename or replacement (user space cannot set
/// it back). So a file whose ctime is older than the stamp is untouched and equals the base.
///
/// The stamp is the modification time of a file spur writes right after the checkout. When
/// it is on another device (whose timestamps may be coarser), only whole seconds are compared.
struct CheckoutStamp: Sendable {
    let checkedOutBy: FileTime
    /// The stamp's device; nil when only whole seconds can be trusted.
    let device: UInt64?

    /// Where the stamp of lane `name` lives: in git's admin folder of its worktree, so that
    /// removing the worktree's record removes the stamp too.
    static func path(forLane name: String, workspace: Workspace) -> String {
        workspace.commonDir + "/worktrees/" + Lane.worktreeAdminName(name) + "/spur-checkout-stamp"
    }

    /// Writes the stamp of lane `name`, certifying that its worktree holds commit `base`;
    /// call right after checking it out (again after any new checkout of another base).
    static func record(forLane name: String, base: ObjectID, workspace: Workspace) throws {
        let file = path(forLane: name, workspace: workspace)
        try Data(base.hex.utf8).write(to: URL(fileURLWithPath: file))
        let descriptor = open(file, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpurError("cannot stamp \(file): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // The write set the times already; this makes "now" explicit.
        guard futimens(descriptor, nil) == 0 else { throw SpurError("cannot stamp \(file): \(String(cString: strerror(errno)))") }
    }

    /// The stamp of `lane`. A stamp written for another base proves nothing. Without a stamp
    /// (a lane from an older spur) the lane's creation time stands in: it is recorded after
    /// the checkout, in whole seconds, so one second is taken off.
    static func of(_ lane: Lane, workspace: Workspace) -> CheckoutStamp {
        let file = path(forLane: lane.name, workspace: workspace)
        if let stamp = FileStat.of(file), stamp.kind == .file {
            guard let data = FileManager.default.contents(atPath: file), String(decoding: data, as: UTF8.self) == lane.base.hex else {
                return CheckoutStamp(checkedOutBy: FileTime(seconds: Int.min, nanoseconds: 0), device: nil)
            }
            return CheckoutStamp(checkedOutBy: FileTime(seconds: stamp.mtimeSeconds, nanoseconds: stamp.mtimeNanoseconds),
                                 device: stamp.device)
        }
        let seconds = Int(lane.createdAt.timeIntervalSince1970.rounded(.down)) - 1
        return CheckoutStamp(checkedOutBy: FileTime(seconds: seconds, nanoseconds: 0), device: nil)
    }

    /// True when `file` provably was not changed since the checkout.
    func provesUntouched(_ file: FileStat) -> Bool {
        if let device, device == file.device {
            return FileTime(seconds: file.ctimeSeconds, nanoseconds: file.ctimeNanoseconds) < checkedOutBy
        }
        return file.ctimeSeconds < checkedOutBy.seconds
    }
}
