import CGit2

/// Three-way merge of file contents, as git's merge does it (libgit2's xdiff; patience diff
/// by default, see `MergeDiffAlgorithm`).
public enum FileMerge {
    /// Merges `ours` and `theirs`, both derived from `base` (nil: both sides added the file).
    public static func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8],
                             options: MergeFileOptions = MergeFileOptions()) throws -> MergeFileResult {
        Libgit2.ensureInitialised()
        var cOptions = git_merge_file_options()
        try check(git_merge_file_options_init(&cOptions, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)), "git_merge_file_options_init")
        switch options.favor {
        case .none: cOptions.favor = GIT_MERGE_FILE_FAVOR_NORMAL
        case .ours: cOptions.favor = GIT_MERGE_FILE_FAVOR_OURS
        case .theirs: cOptions.favor = GIT_MERGE_FILE_FAVOR_THEIRS
        case .union: cOptions.favor = GIT_MERGE_FILE_FAVOR_UNION
        }
        cOptions.flags = options.style == .diff3 ? GIT_MERGE_FILE_STYLE_DIFF3.rawValue : GIT_MERGE_FILE_STYLE_MERGE.rawValue
        if options.diffAlgorithm == .patience { cOptions.flags |= GIT_MERGE_FILE_DIFF_PATIENCE.rawValue }
        cOptions.marker_size = UInt16(clamping: max(1, options.markerSize))
        let labels = [options.baseLabel, options.oursLabel, options.theirsLabel].map { $0.map { strdup($0) } ?? nil }
        defer { labels.forEach { free($0) } }
        cOptions.ancestor_label = UnsafePointer(labels[0])
        cOptions.our_label = UnsafePointer(labels[1])
        cOptions.their_label = UnsafePointer(labels[2])

        let binary = [base ?? [], ours, theirs].contains(where: looksBinary)
        var result = git_merge_file_result()
        defer { git_merge_file_result_free(&result) }
        try withInput(base ?? []) { baseInput in
            try withInput(ours) { oursInput in
                try withInput(theirs) { theirsInput in
                    try check(git_merge_file(&result, base == nil ? nil : baseInput, oursInput, theirsInput, &cOptions),
                              "git_merge_file")
                }
            }
        }
        var bytes: [UInt8] = []
        if let pointer = result.ptr, result.len > 0 {
            bytes = Array(UnsafeRawBufferPointer(start: pointer, count: result.len))
        }
        return MergeFileResult(isClean: result.automergeable != 0, isBinary: binary, bytes: bytes)
    }

    /// libgit2's test for binary merge input: a NUL byte in the first 8000 bytes.
    public static func looksBinary(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(8000).contains(0)
    }

    private static func withInput<R>(_ bytes: [UInt8], _ body: (UnsafePointer<git_merge_file_input>) throws -> R) throws -> R {
        var input = git_merge_file_input()
        try check(git_merge_file_input_init(&input, UInt32(GIT_MERGE_FILE_INPUT_VERSION)), "git_merge_file_input_init")
        return try bytes.withUnsafeBufferPointer { buffer in
            input.ptr = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            input.size = buffer.count
            return try body(&input)
        }
    }
}

extension Repository {
    /// Merges three blobs of this repository (`base` nil: both sides added the file).
    public func mergeFile(base: ObjectID?, ours: ObjectID, theirs: ObjectID,
                          options: MergeFileOptions = MergeFileOptions()) throws -> MergeFileResult {
        try FileMerge.merge(base: base.map { try blob($0).bytes }, ours: blob(ours).bytes, theirs: blob(theirs).bytes,
                            options: options)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
