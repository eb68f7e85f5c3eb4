import Foundation
import SpurGit
#if canImport(Glibc)
import Glibc
#endif

/// Blocks of 10 TCP ports, one per live lane (`SPUR_PORT_BASE`), distinct across every live lane
/// of every repository of this user on this machine.
///
/// Guarantees: a block is handed out under an exclusive lock on a per-user registry
/// (`$SPUR_PORT_REGISTRY`, else `$XDG_RUNTIME_DIR/spur/ports.json`, else
/// `~/.cache/spur/ports.json`), and the lane record holding it is saved before that lock is
/// released, so concurrent spawns in any repository get distinct blocks. A block's base is a
/// multiple of 10 inside `git config spur.portRange` (default 20000-29999), and each of its ports
/// could be bound on 127.0.0.1 (and ::1 where the machine has IPv6) when it was handed out.
/// An entry is kept only while the record of its lane (read in the repository the entry names,
/// for that lane name only) still holds the block and is live (`Lane.holdsPortBlock`); any
/// other entry (lane ended, discarded, record damaged or missing) is reclaimed by the next
/// allocation. A damaged registry is read as empty (the bind check still skips ports in use).
public struct PortBlocks: Sendable {
    public static let size = 10
    public static let defaultRange = 20000...29999

    /// One handed-out block.
    struct Entry: Codable, Equatable {
        var base: Int
        /// The repository's common git dir.
        var commonDir: String
        var lane: String
        var allocatedAt: Date
    }

    struct Registry: Codable {
        var blocks: [Entry]
    }

    /// The registry file.
    public let path: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = Self.registryPath(environment)
    }

    static func registryPath(_ environment: [String: String]) -> String {
        if let explicit = environment["SPUR_PORT_REGISTRY"], !explicit.isEmpty { return explicit }
        var isFolder: ObjCBool = false
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"),
           FileManager.default.fileExists(atPath: runtime, isDirectory: &isFolder), isFolder.boolValue {
            return runtime + "/spur/ports.json"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/spur/ports.json"
    }

    /// `git config spur.portRange` (`LOW-HIGH`), or the default; a usage error for anything
    /// that holds no block of 10.
    public static func range(in repository: Repository) throws -> ClosedRange<Int> {
        guard let text = try repository.config().string("spur.portRange") else { return defaultRange }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low >= 1, high <= 65535, low <= high,
              firstBase(low) + size - 1 <= high else {
            throw SpurError.usage("git config spur.portRange is '\(text.escapingControlCharacters)'; give LOW-HIGH within 1-65535 holding at least one block of 10 ports aligned on a multiple of 10, such as 20000-29999")
        }
        return low...high
    }

    static func firstBase(_ low: Int) -> Int { (low + size - 1) / size * size }

    /// Picks a free block for lane `lane` of the repository at `commonDir` and runs `record` with
    /// its base while the registry is locked (`record` saves the lane record that holds it).
    /// When `record` throws, the block is given back.
    func allocate<T>(lane: String, commonDir: String, range: ClosedRange<Int>, record: (Int) throws -> T) throws -> T {
        try withRegistry { entries in
            // Only entries whose lanes still hold their blocks count; an earlier entry of this
            // very lane (a spawn that failed before saving its record) is replaced.
            let live = entries.filter { !($0.commonDir == commonDir && $0.lane == lane) && Self.isHeld($0) }
            let taken = Set(live.map(\.base))
            var base = Self.firstBase(range.lowerBound)
            var chosen: Int?
            while base + Self.size - 1 <= range.upperBound {
                if !taken.contains(base), (base..<(base + Self.size)).allSatisfy(PortProbe.isFree) { chosen = base; break }
                base += Self.size
            }
            guard let chosen else {
                throw SpurError("no free block of \(Self.size) ports in \(range.lowerBound)-\(range.upperBound) (\(live.count) live lanes hold blocks, other programs listen on the rest); end or discard lanes, or widen git config spur.portRange")
            }
            entries = live + [Entry(base: chosen, commonDir: commonDir, lane: lane, allocatedAt: Date())]
            try write(entries)
            do {
                return try record(chosen)
            } catch {
                entries.removeLast()
                try? write(entries)
                throw error
            }
        }
    }

    /// Gives back the block of lane `lane` of the repository at `commonDir`, if it has one.
    func release(lane: String, commonDir: String) throws {
        try withRegistry { entries in
            let kept = entries.filter { !($0.commonDir == commonDir && $0.lane == lane) }
            if kept.count != entries.count { try write(kept) }
        }
    }

    /// True while the lane an entry names still holds the block: its record (at the path the
    /// entry's repository and a valid lane name give, nothing the record says is followed)
    /// reads whole, names the same block and is live.
    static func isHeld(_ entry: Entry) -> Bool {
        guard LaneName.problem(with: entry.lane) == nil, entry.commonDir.hasPrefix("/") else { return false }
        let file = entry.commonDir + "/spur/lanes/\(entry.lane).json"
        guard let data = FileManager.default.contents(atPath: file),
              case .success(let lane) = LaneStore.decode(data, name: entry.lane, file: file) else { return false }
        return lane.portBase == entry.base && lane.holdsPortBlock
    }

    private func withRegistry<T>(_ body: (inout [Entry]) throws -> T) throws -> T {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SpurError("cannot make the port registry's folder \(folder): \(error.localizedDescription)")
        }
        let lock = try FileLock(path: path + ".lock")
        defer { lock.unlock() }
        var entries = FileManager.default.contents(atPath: path)
            .flatMap { try? Self.decoder.decode(Registry.self, from: $0) }?.blocks ?? []
        return try body(&entries)
    }

    private func write(_ entries: [Entry]) throws {
        try AtomicFile.write(try Self.encoder.encode(Registry(blocks: entries)), to: path, mode: 0o600, sync: false)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

extension Lane {
    /// A lane holds its port block while it is queued, created (`--no-run`, handwork not
    /// finished) or running, and while its check runs after the task (`settling`).
    public var holdsPortBlock: Bool {
        state == .queued || state == .created || state == .running || settling == true
    }
}

extension Lanes {
    /// Saves `lane`'s record; a lane without a port block gets one first, and its record is
    /// on disk before any other spawn can look at the registry. Called holding the spur lock.
    func saveHoldingPortBlock(_ lane: Lane, in repository: Repository) throws -> Lane {
        guard lane.portBase == nil else {
            try store.save(lane)
            return lane
        }
        let range = try PortBlocks.range(in: repository)
        return try PortBlocks().allocate(lane: lane.name, commonDir: workspace.commonDir, range: range) { base in
            var holding = lane
            holding.portBase = base
            try store.save(holding)
            return holding
        }
    }

    /// Gives back a removed lane's block at once (the next allocation would reclaim it anyway).
    func releasePortBlock(of name: String) {
        try? PortBlocks().release(lane: name, commonDir: workspace.commonDir)
    }
}

/// Whether a TCP port can be bound on the loopback addresses right now.
enum PortProbe {
    static func isFree(_ port: Int) -> Bool {
        bindable(port, ipv6: false) && bindable(port, ipv6: true)
    }

    /// Binds a fresh socket (`SO_REUSEADDR`, so a port left in TIME_WAIT counts as free and a
    /// listening one does not) to 127.0.0.1 or ::1. A machine without IPv6 answers true for ::1.
    static func bindable(_ port: Int, ipv6: Bool) -> Bool {
        let family = ipv6 ? AF_INET6 : AF_INET
        let socketDescriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketDescriptor >= 0 else { return ipv6 && (errno == EAFNOSUPPORT) }
        defer { close(socketDescriptor) }
        var one: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if ipv6 {
            setsockopt(socketDescriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = in6addr_loopback
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            if result != 0 && errno == EADDRNOTAVAIL { return true }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        return result == 0
    }
}
