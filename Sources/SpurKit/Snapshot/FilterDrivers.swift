import Foundation
import SpurGit

/// The content filters libgit2 does not apply as git does, applied to the files a snapshot
/// hashed from the working tree (issue #15): a clean filter driver (`filter=NAME` with
/// `filter.NAME.clean`, run as git runs it: `sh -c`, `%f` the path, the file on standard input,
/// the blob from standard output, `filter.NAME.required` honoured), and `ident` collapsing every
/// `$Id…$` (libgit2 collapses only the first). Refused with one line naming the attribute and the
/// path, never recorded differently: a driver with only the long-running `filter.NAME.process`
/// (Git LFS) and `working-tree-encoding`.
enum FilterDrivers {
    private static let names = ["filter", "ident", "working-tree-encoding", "text", "eol"]

    /// `tree` with the blobs of the files it took from the working tree corrected; the same id
    /// when nothing needed it. Looks only at files that differ from HEAD and that an attribute
    /// file could reach.
    static func correct(tree: ObjectID, of repository: Repository) throws -> ObjectID {
        guard let workdir = repository.workdir else { return tree }
        let base = try repository.headCommitID().map { try repository.treeID(ofCommit: $0) } ?? repository.tree(nil, applying: [])
        let differences = try repository.treeDifferences(from: base, to: tree)
        try refuseLinkedGitmodules(differences)
        let changed = differences.compactMap { difference -> (GitPath, NamedTreeEntry)? in
            guard let new = difference.new, new.mode == .blob || new.mode == .executable else { return nil }
            return (difference.path, new)
        }
        guard !changed.isEmpty else { return tree }
        let reach = try ContentFilters(repository: repository)
        let config = try repository.config()
        let autocrlf = try config.string("core.autocrlf")?.lowercased()
        var index: Index?
        var edits: [TreeEdit] = []
        for (path, entry) in changed where reach.mayApply(to: path) {
            let values = try repository.attributes(names, path: path.text)
            if let encoding = values[2], encoding != "false" {
                throw SpurError("\(path): attribute working-tree-encoding=\(encoding) is set; spur does not convert encodings, so it cannot record the file as git would")
            }
            var clean: (name: String, command: String, required: Bool)?
            if let name = values[0], name != "true", name != "false" {
                let command = try config.string("filter.\(name).clean")
                let required = try config.bool("filter.\(name).required") ?? false
                if command == nil, try config.string("filter.\(name).process") != nil {
                    throw SpurError("\(path): attribute filter=\(name) needs the long-running filter.\(name).process, which spur does not run; configure filter.\(name).clean or snapshot without it")
                }
                if let command { clean = (name, command, required) } else if required {
                    throw SpurError("\(path): attribute filter=\(name) is required but filter.\(name).clean is not configured (git refuses it too)")
                }
            }
            let ident = values[1] == "true"
            let auto = values[3] == "auto" || (values[3] == nil && values[4] == nil && (autocrlf == "true" || autocrlf == "input"))
            if clean == nil && !ident && auto {
                // libgit2 keeps CRLF when the staged blob holds any CR; git only when it holds a CRLF.
                if index == nil { index = try? repository.index() }
                if let id = try normalisedAgainstLoneCR(path: path, recorded: entry.id, index: index, repository: repository, workdir: workdir),
                   id != entry.id {
                    edits.append(TreeEdit(path: path, action: .upsert(id, entry.mode)))
                }
                continue
            }
            guard clean != nil || ident else { continue }
            var bytes = try readFile(path.under(workdir))
            if let clean { bytes = try run(clean, path: path, input: bytes, workdir: workdir) }
            bytes = try repository.filteredForStaging(bytes, path: path.text)
            if ident { bytes = collapsingIdent(bytes) }
            let id = try repository.writeBlob(bytes)
            if id != entry.id { edits.append(TreeEdit(path: path, action: .upsert(id, entry.mode))) }
        }
        return edits.isEmpty ? tree : try repository.tree(tree, applying: edits)
    }

    /// For `text=auto` (or `core.autocrlf`): the blob git stores when libgit2 kept a file's CRLF
    /// because the staged blob holds a CR, but git converts since that CR is not part of a CRLF.
    /// nil when that is not the case.
    private static func normalisedAgainstLoneCR(path: GitPath, recorded: ObjectID, index: Index?, repository: Repository,
                                                workdir: String) throws -> ObjectID? {
        guard let staged = index?.entry(path: path), staged.mode != .commit else { return nil }
        let stagedBytes = try repository.blob(staged.id).bytes
        guard stagedBytes.contains(0x0D), !containsCRLF(stagedBytes) else { return nil }
        guard containsCRLF(try repository.blob(recorded).bytes) else { return nil }
        let bytes = try readFile(path.under(workdir))
        // git's text heuristics: a NUL or a lone CR makes the file binary (kept as it is).
        var converted: [UInt8] = []
        converted.reserveCapacity(bytes.count)
        var printable = 0, nonPrintable = 0
        for (i, byte) in bytes.enumerated() {
            if byte == 0x0D {
                guard i + 1 < bytes.count, bytes[i + 1] == 0x0A else { return nil }
                continue
            }
            if byte == 0 { return nil }
            if byte == 0x7F || (byte < 0x20 && byte != 0x08 && byte != 0x09 && byte != 0x0A && byte != 0x1B && byte != 0x0C) {
                nonPrintable += 1
            } else {
                printable += 1
            }
            converted.append(byte)
        }
        guard printable >> 7 >= nonPrintable else { return nil }
        return try repository.writeBlob(converted)
    }

    private static func containsCRLF(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > 1 else { return false }
        for i in 0..<(bytes.count - 1) where bytes[i] == 0x0D && bytes[i + 1] == 0x0A { return true }
        return false
    }

    /// git refuses to stage a symbolic link named `.gitmodules` ("invalid path"), in any folder.
    private static func refuseLinkedGitmodules(_ differences: [TreeDifference]) throws {
        for difference in differences where difference.new?.mode == .link {
            let name = difference.path.parentAndName.name.bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
            if name == Array(".gitmodules".utf8) {
                throw SpurError("invalid path '\(difference.path)': a .gitmodules that is a symbolic link (git add -A refuses it too)")
            }
        }
    }

    private static func readFile(_ path: GitPath) throws -> [UInt8] {
        guard let bytes = FileBytes.contents(path) else { throw SpurError("cannot read \(path.display)") }
        return bytes
    }

    /// Runs a clean command as git does; a failure is git's: fatal when the driver is required,
    /// else the file's own bytes are kept.
    private static func run(_ clean: (name: String, command: String, required: Bool), path: GitPath, input: [UInt8], workdir: String) throws -> [UInt8] {
        let quoted = "'" + path.text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let command = clean.command.replacingOccurrences(of: "%f", with: quoted)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: workdir)
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            if clean.required { throw SpurError("\(path): clean filter '\(clean.name)' failed to start (filter.\(clean.name).required)") }
            return input
        }
        // Feed standard input on another thread so a filter that writes before reading everything cannot block both sides.
        // A filter that exits without reading all of it must not kill spur (SIGPIPE) either.
        signal(SIGPIPE, SIG_IGN)
        let writer = stdin.fileHandleForWriting
        let feeding = Thread { try? writer.write(contentsOf: Data(input)); try? writer.close() }
        feeding.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit && process.terminationStatus == 0 else {
            if clean.required { throw SpurError("\(path): clean filter '\(clean.name)' failed (filter.\(clean.name).required); git add -A fails too") }
            return input
        }
        return [UInt8](output)
    }

    /// git's ident_to_git: every `$Id: …$` not broken by a newline becomes `$Id$`.
    static func collapsingIdent(_ bytes: [UInt8]) -> [UInt8] {
        let dollar: UInt8 = 0x24, newline: UInt8 = 0x0A
        let id: [UInt8] = Array("Id:".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var i = 0
        while let found = bytes[i...].firstIndex(of: dollar) {
            result.append(contentsOf: bytes[i...found])
            i = found + 1
            guard bytes.count - i > 3, bytes[i..<(i + 3)].elementsEqual(id) else { continue }
            guard let close = bytes[(i + 3)...].firstIndex(of: dollar) else { break }
            if bytes[(i + 3)..<close].contains(newline) { continue }
            result.append(contentsOf: Array("Id$".utf8))
            i = close + 1
        }
        result.append(contentsOf: bytes[i...])
        return result
    }
}
