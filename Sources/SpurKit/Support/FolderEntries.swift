import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading an open folder (`opendir` or `fdopendir`).
enum FolderEntries {
    /// Its entries except "." and "..", each with the type `readdir` gives (`DT_DIR`,
    /// `DT_UNKNOWN`, ...).
    static func read(_ handle: OpaquePointer) -> [(name: String, type: Int)] {
        var entries: [(name: String, type: Int)] = []
        while let item = readdir(handle) {
            let name = withUnsafePointer(to: item.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { entries.append((name, Int(item.pointee.d_type))) }
        }
        return entries
    }
}

extension FileManager {
    /// True when `path` exists as a folder (not following a final symlink).
    func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
