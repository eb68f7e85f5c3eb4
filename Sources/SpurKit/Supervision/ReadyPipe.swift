import CSystem
import Foundation
import SpurGit

/// The pipe a detached `spur __supervise` answers its launcher on (`startDetached` reads it).
enum ReadyPipe {
    /// Writes `text` ("ok", or why not) and closes the pipe; does nothing without one.
    static func answer(_ descriptor: Int32?, _ text: String) {
        guard let descriptor else { return }
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        close(descriptor)
    }
}
