import Foundation

/// Builds a `RemediationPlan` from a JSON report: groups findings by fingerprint, recovers
/// redacted secrets where history must be rewritten, asks git what was committed and pushed,
/// and writes each provider's steps for the situation. No printing, no network; the only
/// outside calls are git's, in the repository at `target.root`.
public struct RemediationPlanner: Sendable {
    public struct Options: Sendable {
        /// The report file, for commands such as `patrol revoke FILE` (nil: standard input).
        public var reportFile: String?
        /// Where the replacements file will be written; nil: no file (`--no-replace-file`),
        /// and no secret needs recovering.
        public var replacementsFile: String?
        /// The end of the audit-log window.
        public var now = Date()

        public init(reportFile: String? = nil, replacementsFile: String? = nil) {
            self.reportFile = reportFile
            self.replacementsFile = replacementsFile
        }
    }

    public let ruleSet: RuleSet

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// The plan, and the replacements file to write when a secret is (or may be) in a commit.
    /// Throws when such a secret was redacted and cannot be found again.
    public func plan(for report: LeakReport, options: Options) throws(RemediationError) -> (plan: RemediationPlan, replacements: ReplacementsFile?) {
        var digest = ReportDigest(ruleSet: ruleSet)
        for entry in report.entries { digest.add(entry) }
        return try plan(for: digest, target: report.target, options: options)
    }

    /// The plan for the findings folded into `digest` as the report streamed in (one compact
    /// record per distinct secret), for the report's `target`.
    public func plan(for digest: consuming ReportDigest, target: ScanTarget, options: Options) throws(RemediationError) -> (plan: RemediationPlan, replacements: ReplacementsFile?) {
        var warnings: [String] = []
        let lookup = RepositoryLookup(target: target)
        if lookup.root == nil && lookup.isHistoryReport && digest.findingCount > 0 {
            warnings.append("\(target.root.isEmpty ? "the swept repositories" : target.root) cannot be opened as a git repository here, so whether the secrets were pushed is unknown; run remediate where the report was made")
        }
        let recovery = SecretRecovery(ruleSet: ruleSet, target: target, facts: lookup.root).recover(digest.recovery)
        digest.recovery = []

        var secrets = digest.secrets
        digest.secrets = []
        var literals: [String] = []
        var purgeFingerprints: [String] = []
        var pushedCommits: [String] = []
        var pushedCommitSet = Set<String>()
        var remoteNames: [String] = []
        var purgeRepositories: [RepositoryFacts] = []
        // Pushed secrets in commit or tag messages or notes: the purge rewrites those too.
        var purgedOrigins = Set<FindingOrigin>()
        for index in secrets.indices {
            let fingerprint = secrets[index].fingerprint
            let recovered = recovery.found[fingerprint]
            let extra = digest.extras[index]
            digest.extras[index] = ReportDigest.Extra(firstPath: "", firstLine: 0)   // what it held goes into the secret now
            locate(&secrets[index], authors: extra.authors, recovered: recovered, lookup: lookup)
            let fileLocations = secrets[index].locations.filter { $0.origin == .file }
            secrets[index].inWorkTree = workTreeLocations(of: recovered, paths: fileLocations.map(\.path), target: target, facts: lookup.root, reported: fileLocations)
            let secret = secrets[index]
            if secret.committed != false {
                if options.replacementsFile != nil {
                    guard let recovered else {
                        let name = "\(secret.rule) at \(extra.firstPath):\(extra.firstLine) (fingerprint \(fingerprint))"
                        throw .secretNotRecovered(finding: name, reason: recovery.failures[fingerprint] ?? "no readable source")
                    }
                    literals += recovered.literals
                }
                purgeFingerprints.append(fingerprint)
            }
            if secret.pushed != false && secret.committed != false {
                for location in secret.locations {
                    guard let commit = location.commit, location.remoteBranches?.isEmpty != true else { continue }
                    purgedOrigins.insert(location.origin)
                    if pushedCommitSet.insert(commit).inserted { pushedCommits.append(commit) }
                    if let facts = lookup.repository(for: location.path)?.facts, !purgeRepositories.contains(where: { $0.repository.root == facts.repository.root }) {
                        purgeRepositories.append(facts)
                    }
                }
                for branch in secret.remoteBranches {
                    let remote = String(branch.prefix { $0 != "/" })
                    if !remoteNames.contains(remote) { remoteNames.append(remote) }
                }
            }
        }

        let replacements = purgeFingerprints.isEmpty || options.replacementsFile == nil ? nil : ReplacementsFile(literals: literals)
        let anyPushed = secrets.contains { $0.committed != false && $0.pushed != false }
        var purge: HistoryPurge?
        if anyPushed {
            if purgeRepositories.count > 1 {
                warnings.append("the pushed secrets are in \(purgeRepositories.count) repositories (" + purgeRepositories.map(\.repository.root).joined(separator: ", ")
                    + "): the history purge below is written for the first; purge each with the same replacements file")
            }
            purge = HistoryPurgeWriter(
                facts: purgeRepositories.first ?? lookup.root,
                replacementsFile: replacements == nil ? nil : options.replacementsFile,
                remoteNames: remoteNames
            ).purge(secretCount: replacements?.literals.count ?? purgeFingerprints.count, fingerprints: purgeFingerprints, commits: pushedCommits, origins: purgedOrigins)
        }
        let now = Self.timestamp(options.now)
        // One situation per provider, shared by its secrets (a plan of many secrets holds one).
        var situations: [String: StepSituation] = [:]
        for index in secrets.indices {
            let id = secrets[index].provider
            let situation = situations[id] ?? StepSituation(
                provider: ruleSet.provider(id: id),
                target: target,
                reportFile: options.reportFile,
                replacementsFile: replacements == nil ? nil : options.replacementsFile,
                now: options.now
            )
            situations[id] = situation
            secrets[index].stepSituation = situation
        }
        let plan = RemediationPlan(reportFile: options.reportFile, target: target, generatedAt: now, secrets: secrets, historyPurge: purge, warnings: warnings)
        return (plan, replacements)
    }

    /// Where it is: every location (gathered in `secret` as the report streamed in); which
    /// commits hold it (for a scan report, asked of git); which of them reached a remote branch.
    private func locate(_ secret: inout SecretRemediation, authors known: [String: CommitInfo], recovered: SecretRecovery.Recovered?, lookup: RepositoryLookup) {
        var locations = secret.locations
        secret.locations = []
        var authors = known
        var historyKnown = true
        if !locations.contains(where: { $0.commit != nil }) {
            // A scan, or a diff of uncommitted changes: ask git whether any commit holds it.
            if lookup.target.kind == "stdin" {
                historyKnown = false
            } else {
                for path in Set(locations.map(\.path)).sorted() {
                    guard let (facts, pathInRepository) = lookup.repository(for: path) else { continue }   // not in a repository
                    guard let recovered, let found = facts.commitsIntroducing(Array(recovered.secret.utf8), at: pathInRepository) else {
                        historyKnown = false   // in a repository, but the secret or git could not answer
                        continue
                    }
                    for item in found {
                        authors[item.commit.oid] = item.commit
                        locations.append(PlanLocation(path: path, line: item.line, column: item.column, commit: item.commit.oid, authorDate: item.commit.authorDate, remoteBranches: nil))
                    }
                }
            }
        }
        let commits = locations.compactMap(\.commit)
        var allAnswered = true
        var remoteBranches: [String] = []
        for index in locations.indices {
            guard let commit = locations[index].commit else { continue }
            let answer = lookup.repository(for: locations[index].path).flatMap { lookup.remoteBranches(containing: commit, in: $0.facts) }
            locations[index].remoteBranches = answer
            if let answer {
                for branch in answer where !remoteBranches.contains(branch) { remoteBranches.append(branch) }
            } else {
                allAnswered = false
            }
        }
        secret.locations = locations
        secret.remoteBranches = remoteBranches
        if !commits.isEmpty {
            secret.committed = true
            secret.pushed = !remoteBranches.isEmpty ? true : (allAnswered ? false : nil)
        } else {
            secret.committed = historyKnown ? false : nil
            secret.pushed = historyKnown ? false : nil
        }
        // The introducing commit: the earliest by author date.
        let dated = locations.compactMap { location -> (String, Date?)? in
            location.commit.map { ($0, location.authorDate.flatMap(Self.date)) }
        }
        if let earliest = dated.min(by: { ($0.1 ?? .distantFuture) < ($1.1 ?? .distantFuture) }) {
            let facts = locations.first { $0.commit == earliest.0 }.flatMap { lookup.repository(for: $0.path)?.facts }
            secret.introduced = authors[earliest.0] ?? facts?.commitInfo(earliest.0)
                ?? CommitInfo(oid: earliest.0, author: "", authorDate: "", commitDate: "")
        }
    }

    /// Where the current files still hold the secret: under the scanned folder, or in the
    /// repository's work tree for history and diff reports (none for a bare repository).
    private func workTreeLocations(of recovered: SecretRecovery.Recovered?, paths: [String], target: ScanTarget, facts: RepositoryFacts?, reported: [PlanLocation]) -> [Location]? {
        guard let recovered, target.kind != "stdin" else { return nil }
        let top: String
        if target.kind == "git" || target.kind == "diff" || target.kind == "sweep" {
            guard let facts, !facts.repository.isBare else { return nil }
            top = facts.repository.root
        } else {
            top = target.root
        }
        var found: [Location] = []
        var seen = Set<Location>()
        for path in Set(paths).sorted() {
            if let archive = ArchivePath.outermost(of: path) {
                // Inside an archive the literal is compressed: while the archive is there, the
                // places the scan reported inside it stand.
                let absolute = archive.hasPrefix("/") ? archive : PathText.appending(archive, to: top)
                guard FileManager.default.fileExists(atPath: absolute) else { continue }
                for location in reported where location.path == path {
                    let place = Location(path: path, line: location.line, column: location.column)
                    if seen.insert(place).inserted { found.append(place) }
                }
                continue
            }
            let absolute = path.hasPrefix("/") ? path : PathText.appending(path, to: top)
            guard let data = FileManager.default.contents(atPath: absolute) else { continue }
            let bytes = Array(data)
            for literal in recovered.literals {
                for position in ByteSearch.positions(of: ByteSearch.offsets(of: Array(literal.utf8), in: bytes), in: bytes) {
                    let location = Location(path: path, line: position.line, column: position.column)
                    if seen.insert(location).inserted { found.append(location) }
                }
            }
        }
        return found.sorted { ($0.path, $0.line, $0.column) < ($1.path, $1.line, $1.column) }
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
