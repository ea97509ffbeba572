/// A report's findings folded, as they stream in, into one compact record per distinct secret
/// (by fingerprint): what the plan says of it (rule, provider, redacted form, the strongest
/// confidence, proof, liveness, reach, access map, every location once) and what recovering
/// its real secret needs. No finding is kept whole (snippets, contexts, the Foundation values
/// they were parsed from), so `remediate` of a 200,000-finding report holds 200,000 small
/// records, not 200,000 findings and a plan beside them.
public struct ReportDigest: Sendable {
    let ruleSet: RuleSet
    /// In the order the report first names each secret: the plan's order.
    var secrets: [SecretRemediation] = []
    var extras: [Extra] = []
    /// What `SecretRecovery` reads, in report order: the first finding with the secret in
    /// clear, or the redacted findings until one is in clear (only those can still matter).
    var recovery: [SecretRecovery.Input] = []
    private var index: [String: Int] = [:]
    /// The provider's opening paragraph, by provider id: one string for all its secrets.
    private var summaries: [String: String] = [:]
    /// Findings folded in.
    public private(set) var findingCount = 0

    /// Per secret, besides what the plan shows: where its first finding was (for errors), the
    /// authors its findings named, and what deduplicates its locations.
    struct Extra: Sendable {
        var firstPath: String
        var firstLine: Int
        var authors: [String: CommitInfo] = [:]
        /// Built once a secret has many locations; a few are compared one by one.
        var seen: Set<PlanLocation>? = nil
        var sawClear = false
    }

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// Distinct secrets so far.
    public var secretCount: Int { secrets.count }

    public mutating func add(_ entry: LeakReport.Entry) {
        findingCount += 1
        let finding = entry.finding
        let position: Int
        if let known = index[finding.fingerprint] {
            position = known
        } else {
            position = secrets.count
            index[finding.fingerprint] = position
            secrets.append(describe(entry))
            extras.append(Extra(firstPath: finding.path, firstLine: finding.line))
        }
        merge(entry, into: position)
    }

    /// What the secret is: rule, provider, redacted form; the rest is merged from every finding.
    private mutating func describe(_ entry: LeakReport.Entry) -> SecretRemediation {
        let finding = entry.finding
        let rule = ruleSet.rule(id: finding.rule)
        let provider = ruleSet.provider(id: finding.provider)
        let summary: String
        if let known = summaries[finding.provider] {
            summary = known
        } else {
            summary = ProviderRemediation(markdown: provider?.remediation ?? "").summary
            summaries[finding.provider] = summary
        }
        return SecretRemediation(
            fingerprint: finding.fingerprint,
            rule: finding.rule,
            ruleName: rule?.name ?? finding.ruleName,
            provider: finding.provider,
            providerName: provider?.name ?? finding.provider,
            redactedSecret: entry.isRedacted ? finding.secret : Redaction.redact(finding.secret),
            confidence: finding.confidence,
            validated: finding.validated,
            verified: nil,
            reach: [:],
            summary: summary,
            locations: [],
            committed: nil,
            pushed: nil,
            remoteBranches: [],
            inWorkTree: nil
        )
    }

    /// One more finding of the secret at `position`: the strongest confidence, proof if any
    /// finding has it, live if any is live (else not live if any is not), the first finding's
    /// value for each reach key, the access map of the first live finding, its new locations.
    private mutating func merge(_ entry: LeakReport.Entry, into position: Int) {
        let finding = entry.finding
        if finding.confidence > secrets[position].confidence { secrets[position].confidence = finding.confidence }
        if finding.validated == true { secrets[position].validated = true }
        if finding.verified == true {
            secrets[position].verified = true
            if secrets[position].access == nil, let access = finding.access { secrets[position].access = access }
        } else if finding.verified == false, secrets[position].verified != true {
            secrets[position].verified = false
        }
        for (key, value) in finding.context where secrets[position].reach[key] == nil { secrets[position].reach[key] = value }
        if let commit = finding.commit, let author = finding.author {
            extras[position].authors[commit] = CommitInfo(oid: commit, author: author, authorDate: finding.authorDate ?? "", commitDate: finding.commitDate ?? finding.authorDate ?? "")
        }
        for location in finding.locations {
            let place = PlanLocation(path: location.path, line: location.line, column: location.column, commit: location.commit, authorDate: location.authorDate, remoteBranches: nil, origin: location.origin)
            if extras[position].seen == nil {
                if secrets[position].locations.contains(place) { continue }
                secrets[position].locations.append(place)
                // A finding with 200,000 locations: no linear search per location.
                if secrets[position].locations.count > 16 { extras[position].seen = Set(secrets[position].locations) }
            } else if extras[position].seen!.insert(place).inserted {
                secrets[position].locations.append(place)
            }
        }
        // Recovery reads findings in order and stops looking at a secret once one finding has
        // it in clear: later redacted findings, and later clear ones that were not decoded
        // (they add no literal), change nothing.
        if !entry.isRedacted {
            if finding.decoded != "none" {
                recovery.append(.finding(SecretRecovery.Input.slim(entry)))
            } else if !extras[position].sawClear {
                recovery.append(.clear(fingerprint: finding.fingerprint, secret: finding.secret))
            }
            extras[position].sawClear = true
        } else if !extras[position].sawClear {
            recovery.append(.finding(SecretRecovery.Input.slim(entry)))
        }
    }
}
