/// The commits a repository's refs and `HEAD` point to, and questions about how they moved
/// since the last sweep: all a sweep of an unchanged repository has to ask git.
enum RepositoryTips {
    /// Sorted, distinct object ids of `HEAD` and every ref, annotated tags peeled: one git call,
    /// all an unchanged repository costs.
    static func read(folder: String) throws(GitError) -> [String] {
        try readWithHead(folder: folder).tips
    }

    /// The tips as `read` gives them, and the commit `HEAD` points to (nil in an empty
    /// repository): the tip a sweep's coverage record names.
    static func readWithHead(folder: String) throws(GitError) -> (tips: [String], head: String?) {
        // show-ref exits 1 when there is no ref at all (an empty repository).
        let child = try GitChild(["show-ref", "--head", "--dereference"], in: folder)
        let output = child.readAll()
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 || (status == 1 && output.isEmpty) else { throw .failed(command: "git show-ref", message: message) }
        // "<oid> <ref>", and "<oid> <ref>^{}" after an annotated tag for the object it tags.
        var byRef: [Substring: Substring] = [:]
        let text = String(decoding: output, as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let oid = line[..<space]
            var ref = line[line.index(after: space)...]
            if ref.hasSuffix("^{}") {
                ref = ref.dropLast(3)
            } else if byRef[ref] != nil {
                continue   // the peeled line came first (not git's order, but harmless)
            }
            byRef[ref] = oid
        }
        return (Set(byRef.values.map(String.init)).sorted(), byRef["HEAD"].map(String.init))
    }

    /// The ids in `oids` that name commits: refs to trees or blobs (rare) are left out of the
    /// log, which takes commits only; they introduce nothing a commit could be named for.
    static func commits(among oids: [String], in repository: GitRepository) throws(GitError) -> [String] {
        guard !oids.isEmpty else { return [] }
        let child = try GitChild(["cat-file", "--batch-check=%(objecttype) %(objectname)"], in: repository.folder, feedsInput: true)
        child.feed(oids)
        let output = child.readAll()
        let (status, message) = child.wait()
        guard status == 0 else { throw .failed(command: "git cat-file --batch-check", message: message) }
        return String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.hasPrefix("commit ") ? String(line.dropFirst(7)) : nil
        }.sorted()
    }

    /// True when every commit reachable from `old` is still reachable from `new`: refs only
    /// moved forward or were added, so the attribution recorded for `old` still holds and only
    /// `new --not old` needs reading. False after a force-push, a deleted branch, or when an
    /// old tip is gone from the repository.
    static func onlyMovedForward(from old: [String], to new: [String], in repository: GitRepository) -> Bool {
        guard !old.isEmpty else { return true }
        guard let child = try? GitChild(["rev-list", "--max-count=1", "--stdin"], in: repository.folder, feedsInput: true) else { return false }
        child.feed(old + new.map { "^" + $0 })
        let output = child.readAll()
        let (status, _) = child.wait()
        return status == 0 && output.allSatisfy { $0 == 0x0A || $0 == 0x20 }
    }
}
