import CGit2
import Foundation

extension Repository {
    /// Makes a submodule's repository at `gitDir` for the empty folder `workdir` (which gets a
    /// `.git` file naming it, and the repository `core.worktree` naming the folder back, both
    /// relative, as git lays out a submodule of a linked worktree), borrowing every object
    /// from the repository at `sourceGitDir` (`objects/info/alternates`: nothing is copied,
    /// nothing fetched; its `remote.*` and `submodule.*` settings are copied, so its remote
    /// and nested submodules are known), with HEAD detached at `commit`, and checks that
    /// commit out into `workdir` with an index git reads as clean. `applyFilters`: as for
    /// `addWorktree`. Fails without writing into `workdir` when the commit is not there.
    @discardableResult
    public static func checkOutSubmodule(gitDir: String, workdir: String, borrowingFrom sourceGitDir: String,
                                         commit: ObjectID, applyFilters: Bool) throws -> Repository {
        Libgit2.ensureInitialised()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)), "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
            | GIT_REPOSITORY_INIT_RELATIVE_GITLINK.rawValue | GIT_REPOSITORY_INIT_NO_DOTGIT_DIR.rawValue
        var handle: OpaquePointer?
        try workdir.withCString { workdirPath in
            options.workdir_path = workdirPath
            try check(git_repository_init_ext(&handle, gitDir, &options), "git init \(gitDir)")
        }
        git_repository_free(handle)
        try copySettings(from: sourceGitDir + "/config", to: gitDir + "/config")
        let sourceObjects = sourceGitDir + "/objects"
        let alternates = gitDir + "/objects/info/alternates"
        try FileManager.default.createDirectory(atPath: gitDir + "/objects/info", withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: alternates, contents: Data((sourceObjects + "\n").utf8)) else {
            throw GitError(code: -1, errorClass: 0, message: "cannot write \(alternates)", operation: "submodule checkout")
        }
        // Opened again, so the object database reads the alternates just written.
        let submodule = try Repository(path: gitDir)
        var oid = commit.raw
        try check(submodule.withPointer { git_repository_set_head_detached($0, &oid) }, "detach HEAD at \(commit.short) in \(gitDir)")
        let tree = try submodule.treeID(ofCommit: commit)
        if try applyFilters || submodule.tree(tree).containsEntry(named: ".gitattributes") {
            try submodule.checkOutWithFilters(tree: tree)
        } else {
            try submodule.checkOutIntoEmptyWorktree(tree: tree)
        }
        return submodule
    }

    /// Copies the `remote.*` and `submodule.*` settings of one config file into another (a
    /// setting that holds several values keeps the first).
    private static func copySettings(from source: String, to target: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { return }
        let settings = try Config.file(source).entries(matching: #"^(remote|submodule)\."#)
        guard !settings.isEmpty else { return }
        var handle: OpaquePointer?
        try check(git_config_open_ondisk(&handle, target), "git_config_open_ondisk(\(target))")
        defer { git_config_free(handle) }
        var written = Set<String>()
        for setting in settings where written.insert(setting.name).inserted {
            try check(git_config_set_string(handle, setting.name, setting.value), "set \(setting.name) in \(target)")
        }
    }

    /// True when `id` names a commit this repository has.
    public func hasCommit(_ id: ObjectID) -> Bool {
        (try? commit(id)) != nil
    }

    /// True when the working tree differs from HEAD: a changed, staged, deleted or untracked
    /// (not ignored) file, as `git status` would list it.
    public func hasUncommittedChanges() throws -> Bool {
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var list: OpaquePointer?
        try check(withPointer { git_status_list_new(&list, $0, &options) }, "git status")
        defer { git_status_list_free(list) }
        return git_status_list_entrycount(list) > 0
    }
}

extension Config {
    /// Each submodule's (name, path) in a `.gitmodules` file (`submodule.NAME.path`), in file
    /// order; empty when the file does not exist.
    public static func submodulePaths(inGitmodules file: String) throws -> [(name: String, path: String)] {
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        return try Config.file(file).entries(matching: #"^submodule\..*\.path$"#).map { entry in
            (String(entry.name.dropFirst("submodule.".count).dropLast(".path".count)), entry.value)
        }
    }
}
