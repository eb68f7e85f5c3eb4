/// The staging walk's ignore rules, folder by folder: a folder's `.gitignore` is read only when
/// its listing holds one (no extra system call for the folders that have none), never through a
/// link, and not at all inside an ignored folder.
extension WorkdirStager {
    /// The ignore scope of `folder` (listed in `listing`), below `parent` (nil for the root).
    func ignoreScope(of folder: GitPath, listing: FolderListing, parent: IgnoreScope?) -> IgnoreScope {
        let read: (GitPath) -> [UInt8]? = { _ in
            switch listing.kind(named: Self.ignoreFileName) {
            case nil, .link?: return nil  // absent, or a link git does not follow: the index may hold it
            case .file?: return listing.withDescriptor { IgnoreRules.readRuleFile(inFolder: $0) }
            case .folder?, .other?: return []  // git opens it and reads no rules
            }
        }
        guard let parent else { return ignoreRules.rootScope(readRules: read) }
        return parent.child(folder.parentAndName.name, readRules: read)
    }

    static let ignoreFileName = Array(".gitignore".utf8)
}

extension FolderListing {
    /// The kind of the entry called `name`, nil when the folder has none.
    func kind(named name: [UInt8]) -> Kind? {
        for item in items where item.length == name.count && names[item.start..<(item.start + item.length)].elementsEqual(name) {
            return item.kind
        }
        return nil
    }
}
