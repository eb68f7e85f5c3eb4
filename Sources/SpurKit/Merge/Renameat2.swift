import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// `renameat2` (Linux 3.15+, glibc 2.28+), looked up at run time: Swift's Glibc module does not
/// export it. Filesystems without support answer EINVAL; callers then fall back.
enum Renameat2 {
    typealias Function = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    static let function: Function? = {
        guard let symbol = dlsym(nil, "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()
    static let noReplace: UInt32 = 1
    static let exchange: UInt32 = 2
    static func unsupported(_ error: Int32) -> Bool { error == EINVAL || error == ENOSYS || error == EOPNOTSUPP }
}
