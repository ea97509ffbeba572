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
/// `--diff-merges=separate` matters: without it a blob that first appears in a merge commit is
/// never shown (gitleaks#1028). `--root` shows the first commit's files. Gitlinks (submodules)
/// and deletions are left out.
struct GitHistoryLog {
    private(set) var commits: [CommitInfo] = []
    private(set) var introductions: [BlobIntroduction] = []

    /// Reads the log of `revisions` (`--all` when empty), keeping the introductions of blobs
    /// `interesting` accepts (all of them when nil). With `standardInput`, the revisions are
    /// those lines instead (`--stdin`: commits, `^commit` to exclude), however many there are.
    static func read(_ repository: GitRepository, revisions: [String], interesting: Set<String>? = nil, standardInput: [String]? = nil) throws(GitError) -> GitHistoryLog {
        let arguments = [
            "log", "--reverse", "--date-order", "--raw", "--no-abbrev", "--no-renames", "--root",
            "--diff-merges=separate", "-z", "--no-color", "--no-ext-diff", "--no-textconv",
            "--format=%x01%H%x02%an <%ae>%x02%aI%x02%cI",
        ] + (standardInput != nil ? ["--stdin"] : revisions.isEmpty ? ["--all"] : revisions)
        let child = try GitChild(arguments, in: repository.folder, feedsInput: standardInput != nil)
        if let standardInput { child.feed(standardInput) }
        var log = GitHistoryLog()
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var commitIndex = -1
        // A merge is shown once per parent; a blob is introduced by it only if it is new against
        // every parent (otherwise it came from the branch that already had it).
        var sections = 0
        var pending: [String: (introduction: BlobIntroduction, count: Int)] = [:]
        var pendingOrder: [String] = []
        func flush() {
            for key in pendingOrder {
                if let entry = pending[key], entry.count == sections { log.introductions.append(entry.introduction) }
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
                if log.commits.last?.oid == oid {
                    sections += 1
                } else {
                    flush()
                    sections = 1
                    log.commits.append(CommitInfo(
                        oid: oid,
                        author: fields.count > 1 ? fields[1] : "",
                        authorDate: fields.count > 2 ? fields[2] : "",
                        commitDate: fields.count > 3 ? fields[3].trimmingWhitespace() : ""
                    ))
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
                let path = String(decoding: pathBytes, as: UTF8.self)
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
        guard status == 0 else { throw .failed(command: "git log", message: message) }
        return log
    }
}
