import CGit2

/// The outcome of merging one file's content three ways.
public struct MergeFileResult: Sendable, Equatable {
    /// True when the two sides' changes did not collide, so `bytes` is a clean merge.
    public let automergeable: Bool
    /// The merged content; where the sides collided it holds conflict markers.
    public let bytes: [UInt8]
}

extension Repository {
    /// Merges `ours` and `theirs` line by line against `ancestor` (nil: the file did not exist,
    /// as in an add/add), the way git's default merge does (myers diff, zealous conflict
    /// refinement). Touches no repository. Contents with a NUL byte in their first 8000 bytes
    /// are binary: they merge only when one side equals the other.
    public static func mergeFile(ancestor: [UInt8]?, ours: [UInt8], theirs: [UInt8],
                                 ourLabel: String = "ours", theirLabel: String = "theirs") throws -> MergeFileResult {
        Libgit2.ensureInitialised()
        var options = git_merge_file_options()
        try check(git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)), "git_merge_file_options_init")
        var result = git_merge_file_result()
        // A trailing NUL keeps every buffer non-empty, so each has an address even for size 0.
        let buffers = [(ancestor ?? []) + [0], ours + [0], theirs + [0]]
        try buffers[0].withUnsafeBytes { a in
            try buffers[1].withUnsafeBytes { o in
                try buffers[2].withUnsafeBytes { t in
                    var inputs: [git_merge_file_input] = []
                    for raw in [a, o, t] {
                        var input = git_merge_file_input()
                        try check(git_merge_file_input_init(&input, UInt32(GIT_MERGE_FILE_INPUT_VERSION)), "git_merge_file_input_init")
                        input.ptr = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
                        input.size = raw.count - 1
                        inputs.append(input)
                    }
                    try ourLabel.withCString { ourName in
                        try theirLabel.withCString { theirName in
                            options.our_label = ourName
                            options.their_label = theirName
                            try check(git_merge_file(&result, &inputs[0], &inputs[1], &inputs[2], &options), "git_merge_file")
                        }
                    }
                }
            }
        }
        defer { git_merge_file_result_free(&result) }
        var merged: [UInt8] = []
        if let pointer = result.ptr, result.len > 0 {
            merged = Array(UnsafeRawBufferPointer(start: pointer, count: result.len))
        }
        return MergeFileResult(automergeable: result.automergeable != 0, bytes: merged)
    }
}
