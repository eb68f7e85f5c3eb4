import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Reading an open folder (`opendir` or `fdopendir`).
enum FolderEntries {
    /// Its entries except "." and "..", each name as its bytes, with the type `readdir` gives (`DT_DIR`,
    /// `DT_UNKNOWN`, ...).
    static func read(_ handle: OpaquePointer) -> [(name: GitPath, type: Int)] {
        var entries: [(name: GitPath, type: Int)] = []
        // The name is read in place: an entry takes only the bytes its name needs, so copying
        // the 256-byte `d_name` field of the last entry read past the end of the folder buffer.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let item = readdir(handle) {
            let name = GitPath(cString: (UnsafeRawPointer(item) + nameOffset).assumingMemoryBound(to: CChar.self))
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
