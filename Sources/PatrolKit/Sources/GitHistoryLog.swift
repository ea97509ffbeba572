/// A commit as the history log describes it.
public struct CommitInfo: Sendable, Equatable {
    public let oid: String
    public let author: String
    public let authorDate: String
    public let commitDate: String
}

/// One blob appearing at a path in a commit (added or changed there, against any parent).
struct BlobIntroduction: Sendable, Equatable {
    let blob: String
    let path: String
    /// Index into `GitHistoryLog.commits`: ancestors before descendants, then by commit date.
    let commit: Int
}

/// The blobs that commits introduce, read from
/// `git log --reverse --date-order --raw --no-renames --root --diff-merges=separate`.
///
/// A merge introduces a blob at a path only when it is new against every parent (otherwise it
/// came from the branch that already had it); without merge diffs a blob that first appears in a
/// merge commit is never shown (gitleaks#1028). With a boundary (`A..B`, `NEW --not OLD`) each
/// merge is diffed against every parent (`--diff-merges=separate`). Over a whole history
/// (`wholeHistory`: no commit excluded) the first parent is enough: with `--reverse
/// --date-order` every parent comes before its merge, so a blob at a path that a second parent
/// holds was already introduced there by one of its ancestors, and a merge introduces what its
/// first-parent diff shows and no commit before it introduced. On git/git that is 281 thousand
/// entries instead of 9.1 million and a third of the time. (A blob one unrelated branch had
/// introduced at the same path earlier is then not a second location for the merge.) `--root`
/// shows the first commit's files. Gitlinks (submodules) and deletions are left out.
struct GitHistoryLog {
    private(set) var commits: [CommitInfo] = []
    private(set) var introductions: [BlobIntroduction] = []

    /// Reads the log of `revisions` (`--all` when empty), keeping the introductions of blobs
    /// `interesting` accepts (all of them when nil). With `standardInput`, the revisions are
    /// those lines instead (`--stdin`: commits, `^commit` to exclude), however many there are,
    /// and `revisions` holds options only (`--no-walk`).
    static func read(_ repository: GitRepository, revisions: [String], interesting: Set<String>? = nil, standardInput: [String]? = nil, wholeHistory: Bool = false) throws(GitError) -> GitHistoryLog {
        let (log, failure) = try readPartial(repository, revisions: revisions, interesting: interesting, standardInput: standardInput, wholeHistory: wholeHistory)
        if let failure { throw failure }
        return log
    }

    /// Like `read`, but when git stops part way (a corrupt commit or tree object) the commits
    /// and introductions read up to there come back with the error, instead of nothing. Throws
    /// only when git cannot be run.
    static func readPartial(_ repository: GitRepository, revisions: [String], interesting: Set<String>? = nil, standardInput: [String]? = nil, wholeHistory: Bool = false) throws(GitError) -> (log: GitHistoryLog, failure: GitError?) {
        let arguments = [
            "log", "--reverse", "--date-order", "--raw", "--no-abbrev", "--no-renames", "--root",
            wholeHistory ? "--diff-merges=first-parent" : "--diff-merges=separate",
            "-z", "--no-color", "--no-ext-diff", "--no-textconv",
            "--format=%x01%H%x02%an <%ae>%x02%aI%x02%cI%x02%P",
        ] + (standardInput != nil ? revisions + ["--stdin"] : revisions.isEmpty ? ["--all"] : revisions)
        let child = try GitChild(arguments, in: repository.folder, feedsInput: standardInput != nil)
        if let standardInput { child.feed(standardInput) }
        var log = GitHistoryLog()
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var commitIndex = -1
        // With separate merge diffs a merge is shown once per parent it differs from; a blob is
        // introduced by it only if it is new against every parent (otherwise it came from the
        // branch that already had it).
        var pending: [String: (introduction: BlobIntroduction, count: Int)] = [:]
        var pendingOrder: [String] = []
        // Whole history: the (blob, path) pairs introduced so far, and whether this commit is a merge.
        var introducedKeys = Set<String>()
        var isMerge = false
        // Diffs a commit must appear in to be introduced by it: one per parent (one for a root).
        // Not the sections seen: git leaves out the section of a parent the merge does not differ
        // from, and counting sections then made such a merge introduce its other parent's changes.
        var parents = 1
        func flush() {
            for key in pendingOrder {
                guard let entry = pending[key] else { continue }
                if wholeHistory {
                    if isMerge && introducedKeys.contains(key) { continue }
                    introducedKeys.insert(key)
                } else if entry.count < parents {
                    continue
                }
                log.introductions.append(entry.introduction)
            }
            pending.removeAll(keepingCapacity: true)
            pendingOrder.removeAll(keepingCapacity: true)
        }
        while let byte = stream.peek() {
            switch byte {
            case 0x01:
                stream.skip(1)
                guard let header = stream.field(until: 0) else { break }
                let fields = header.split(separator: 0x02, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                let oid = fields.first.map { String($0.prefix { $0 != "\n" }) } ?? ""
                // The same merge again: its diff against the next parent.
                if log.commits.last?.oid != oid {
                    flush()
                    log.commits.append(CommitInfo(
                        oid: oid,
                        author: fields.count > 1 ? fields[1] : "",
                        authorDate: fields.count > 2 ? fields[2] : "",
                        commitDate: fields.count > 3 ? fields[3].trimmingWhitespace() : ""
                    ))
                    let parentCount = fields.count > 4 ? fields[4].trimmingWhitespace().split(separator: " ").count : 1
                    parents = max(1, parentCount)
                    isMerge = parentCount > 1
                    commitIndex = log.commits.count - 1
                }
            case UInt8(ascii: "\n"):
                stream.skip(1)
            case UInt8(ascii: ":"):
                // ":<old mode> <new mode> <old oid> <new oid> <status>", then the path. Take what is
                // needed from the first field before reading the second: that may move the buffer.
                guard let meta = stream.field(until: 0) else { break }
                let parts = meta.split(separator: UInt8(ascii: " "))
                let usable = parts.count >= 5 && commitIndex >= 0
                    && !parts[1].elementsEqual("160000".utf8) && !parts[1].elementsEqual("000000".utf8)
                let newOid = usable ? String(decoding: parts[3], as: UTF8.self) : ""
                guard let pathBytes = stream.field(until: 0) else { break }
                guard usable, !newOid.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) else { continue }
                if let interesting, !interesting.contains(newOid) { continue }
                let path = ReportPath.display(pathBytes)   // bytes, quoted git-style when not UTF-8: lossless, as in a worktree scan
                let key = newOid + "\u{0}" + path
                if let entry = pending[key] {
                    pending[key] = (entry.introduction, entry.count + 1)
                } else {
                    pending[key] = (BlobIntroduction(blob: newOid, path: path, commit: commitIndex), 1)
                    pendingOrder.append(key)
                }
            default:
                // Unexpected byte: skip to the next NUL.
                _ = stream.field(until: 0)
            }
        }
        flush()
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { return (log, .failed(command: "git log", message: message)) }
        return (log, nil)
    }
}
