import Foundation

/// What scanning one blob left in the cache: enough to rebuild every finding in it later
/// without reading the blob again.
struct CachedBlob: Sendable, Equatable {
    enum Kind: Int, Sendable {
        /// Scanned; `occurrences` holds its matches (often none).
        case scanned = 0
        /// Not text: sniffed as binary and not matched.
        case binary = 2
    }

    let kind: Kind
    let occurrences: [Occurrence]
}

/// An `Occurrence` as stored in the cache (JSON), naming its rule by id rather than by index.
struct StoredOccurrence: Codable {
    var rule: String
    var secret: String
    var line: Int
    var column: Int
    var endLine: Int
    var endColumn: Int
    var snippet: Data
    var spans: [[Int]]
    var context: [String: String]
    var validated: Bool?
    var decoding: String
    var archivePath: String?

    init(_ occurrence: Occurrence, ruleSet: RuleSet) {
        rule = ruleSet.rules[occurrence.rule].id
        secret = occurrence.secret
        line = occurrence.line
        column = occurrence.column
        endLine = occurrence.endLine
        endColumn = occurrence.endColumn
        snippet = Data(occurrence.snippet.bytes)
        spans = occurrence.snippet.secretSpans.map { [$0.lowerBound, $0.upperBound] }
        context = occurrence.context.dictionary
        validated = occurrence.validated
        decoding = occurrence.decoding
        archivePath = occurrence.archivePath
    }

    /// The occurrence again; nil when its rule is no longer in `ruleIndex` (which a rule-set
    /// version mismatch would already have caught).
    func occurrence(ruleIndex: [String: Int]) -> Occurrence? {
        guard let index = ruleIndex[rule] else { return nil }
        let secretSpans = spans.compactMap { $0.count == 2 && $0[0] <= $0[1] ? $0[0]..<$0[1] : nil }
        return Occurrence(
            rule: index,
            secret: secret,
            line: line,
            column: column,
            endLine: endLine,
            endColumn: endColumn,
            snippet: Snippet(bytes: Array(snippet), secretSpans: secretSpans),
            context: FindingContext(context),
            validated: validated,
            decoding: decoding,
            archivePath: archivePath
        )
    }

    enum CodingKeys: String, CodingKey {
        case rule = "r", secret = "s", line = "l", column = "c", endLine = "el", endColumn = "ec"
        case snippet = "sn", spans = "sp", context = "cx", validated = "v", decoding = "d", archivePath = "a"
    }
}

/// Who introduced the blobs of one repository that have matches, as of its recorded ref tips:
/// what a later sweep needs to report the repository's findings again (nothing changed) or to
/// extend them with only the new commits (refs moved forward).
struct RepositoryAttribution: Codable, Sendable, Equatable {
    struct Introduction: Codable, Sendable, Equatable, Hashable {
        var blob: String
        var path: String
        /// Index into `commits`.
        var commit: Int
    }

    struct Commit: Codable, Sendable, Equatable {
        var oid: String
        var author: String
        var authorDate: String
        var commitDate: String
    }

    /// In the order findings are attributed: ancestors before descendants; commits found by a
    /// later incremental sweep come after those already recorded.
    var commits: [Commit] = []
    var introductions: [Introduction] = []
    /// Blobs the repository was known to hold (listed in full, plus those new commits
    /// introduced since): what an unchanged repository reports as skipped.
    var blobCount = 0
    /// `--max-file-size` of the sweep that recorded this: a larger limit now means blobs then
    /// skipped as too large must be read, so the repository is swept in full.
    var maxFileSize = 0
    /// Warnings about the repository (shallow, partial), repeated when it is unchanged.
    var warnings: [String] = []

    var blobs: Set<String> { Set(introductions.map(\.blob)) }

    var commitInfos: [CommitInfo] {
        commits.map { CommitInfo(oid: $0.oid, author: $0.author, authorDate: $0.authorDate, commitDate: $0.commitDate) }
    }

    /// Adds the introductions of `log` whose blobs have matches, keeping only the commits they
    /// name; an introduction already recorded (same blob, path and commit) is not added twice.
    mutating func append(_ log: GitHistoryLog, matching: Set<String>) {
        var known = Set(introductions.map { Key(blob: $0.blob, path: $0.path, commit: commits[$0.commit].oid) })
        var commitIndex = Dictionary(uniqueKeysWithValues: commits.enumerated().map { ($1.oid, $0) })
        for introduction in log.introductions where matching.contains(introduction.blob) {
            let info = log.commits[introduction.commit]
            guard known.insert(Key(blob: introduction.blob, path: introduction.path, commit: info.oid)).inserted else { continue }
            let index: Int
            if let existing = commitIndex[info.oid] {
                index = existing
            } else {
                index = commits.count
                commits.append(Commit(oid: info.oid, author: info.author, authorDate: info.authorDate, commitDate: info.commitDate))
                commitIndex[info.oid] = index
            }
            introductions.append(Introduction(blob: introduction.blob, path: introduction.path, commit: index))
        }
    }

    private struct Key: Hashable {
        let blob: String
        let path: String
        let commit: String
    }
}

/// A repository's state as the last complete sweep of it left it.
struct RepositoryState: Sendable, Equatable {
    /// The rule set the attribution was built under: another one matches other blobs.
    let ruleSet: Int64
    /// Commits the refs pointed to (peeled), sorted.
    let tips: [String]
    let attribution: RepositoryAttribution
}
