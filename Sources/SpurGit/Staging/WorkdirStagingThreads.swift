import CGit2
import Dispatch

/// One tracked subfolder to scan: its name, its run of index entries and the length of the
/// path prefix they share (`folder/name/`).
struct SubfolderScan: Sendable {
    let name: GitPath
    let range: Range<Int>
    let prefix: Int
}

/// A file the scan found changed per its stat data, or untracked: hashed after the scan.
struct PendingFile {
    let folder: GitPath
    let name: GitPath
    let isLink: Bool
    let mode: UInt32
    /// Its index entry, when tracked.
    let entry: Int?
}

/// What a stager found in its part of the tree.
struct StagerFindings {
    var edits: [GitPath: [GitPath: StagedChange]]
    var newFolders: [GitPath: [GitPath]]
    var dirty: Set<GitPath>
    var pending: [PendingFile]
    var sawAttributesFile: Bool
}

/// Slots the scanning threads fill, one each.
private final class FindingSlots: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<StagerFindings?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit { slots.deinitialize().deallocate() }
}

extension WorkdirStager {
    /// A folder holding at least this many index entries has its subfolders scanned in parallel.
    static let parallelThreshold = 8192

    /// Scans `scans` (subfolders of `folder`, open at `parent`) on several threads, each with
    /// its own stager and repository handle, then takes in what they found. Listing and
    /// `lstat`ing is kernel work that runs in parallel across folders, as git's preloaded index.
    func scanConcurrently(_ scans: [SubfolderScan], of folder: GitPath, parent: Int32, scope: IgnoreScope) throws {
        let results = FindingSlots(count: scans.count)
        let index = self.index, gitDir = self.gitDir, workdir = self.workdir, fileMode = trustFileMode, ctime = trustCtime
        let rules = ignoreRules
        DispatchQueue.concurrentPerform(iterations: scans.count) { k in
            let stager = WorkdirStager(repository: nil, gitDir: gitDir, workdir: workdir, index: index,
                                       trustFileMode: fileMode, trustCtime: ctime, ignoreRules: rules)
            stager.parallel = false
            do {
                try stager.scanSubfolder(scans[k], of: folder, parent: parent, scope: scope)
                results.slots[k] = stager.findings
            } catch {
                results.slots[k] = nil
            }
        }
        for slot in results.slots {
            guard let found = slot else { throw StagingDeclined() }
            take(found)
        }
    }

    var findings: StagerFindings {
        StagerFindings(edits: edits, newFolders: newFolders, dirty: dirty, pending: pending, sawAttributesFile: sawAttributesFile)
    }

    private func take(_ found: StagerFindings) {
        edits.merge(found.edits) { mine, theirs in mine.merging(theirs) { $1 } }
        newFolders.merge(found.newFolders) { $0 + $1 }
        dirty.formUnion(found.dirty)
        pending.append(contentsOf: found.pending)
        sawAttributesFile = sawAttributesFile || found.sawAttributesFile
    }
}
