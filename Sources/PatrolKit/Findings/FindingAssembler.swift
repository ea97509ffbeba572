/// Turns the occurrences found in one input into findings: one per (rule, secret) at that path,
/// holding every location, after the configuration's allow lists and the confidence floor.
struct FindingAssembler: Sendable {
    let ruleSet: RuleSet
    let minConfidence: Confidence
    private let allowRegexes: [PCRE2Pattern]
    private let stopwords: [String]
    private let genericContext: GenericContext

    init(ruleSet: RuleSet, config: PatrolConfig, minConfidence: Confidence) {
        self.ruleSet = ruleSet
        self.minConfidence = minConfidence
        genericContext = GenericContext(providerIDs: ruleSet.compiled.map { $0.rule.providerID })
        // Validated when the configuration was loaded.
        allowRegexes = config.allowRegexes.compactMap { try? PCRE2Pattern($0) }
        stopwords = config.allowStopwords.map { $0.lowercased() }
    }

    /// Findings at `path`, and how many occurrences the allow lists suppressed.
    func findings(path: String, occurrences: [Occurrence], scratch: MatchScratch) -> (findings: [Finding], allowed: Int) {
        // Rule `paths` were applied before the file was read (relative to the repository root).
        findings(path: path, sightings: occurrences.map { Sighting(occurrence: $0, commit: nil) }, commits: [], checkRulePaths: false, scratch: scratch)
    }

    /// An occurrence and, in history, the commit (index into `commits`) that introduced it.
    struct Sighting {
        let occurrence: Occurrence
        let commit: Int?
    }

    /// Findings at `path` from sightings across blobs and commits: one per (rule, secret), first
    /// seen in the earliest commit, with every sighting as a location. `path` is relative to the
    /// repository root, where rule `paths` globs apply, when `checkRulePaths`.
    func findings(path: String, sightings: [Sighting], commits: [CommitInfo], checkRulePaths: Bool = true, scratch: MatchScratch) -> (findings: [Finding], allowed: Int) {
        var order: [String] = []
        var groups: [String: [Sighting]] = [:]
        var allowed = 0
        for sighting in sightings {
            let occurrence = sighting.occurrence
            if checkRulePaths, !ruleSet.compiled[occurrence.rule].applies(to: path) { continue }
            guard Self.confidence(of: occurrence, ruleSet: ruleSet) >= minConfidence else { continue }
            guard isCredible(occurrence, path: path) else { continue }
            if isAllowed(occurrence.secret, scratch: scratch) {
                allowed += 1
                continue
            }
            let key = String(occurrence.rule) + "\u{0}" + occurrence.secret
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(sighting)
        }
        let findings = order.map { key -> Finding in
            let group = groups[key]!.sorted {
                ($0.commit ?? -1, $0.occurrence.line, $0.occurrence.column) < ($1.commit ?? -1, $1.occurrence.line, $1.occurrence.column)
            }
            let first = group[0].occurrence
            let commit = group[0].commit.map { commits[$0] }
            let rule = ruleSet.compiled[first.rule].rule
            var context: [String: String] = [:]
            for sighting in group {
                context.merge(sighting.occurrence.context) { current, _ in current }
            }
            var locations: [Location] = []
            for sighting in group {
                let info = sighting.commit.map { commits[$0] }
                let location = Location(path: path, line: sighting.occurrence.line, column: sighting.occurrence.column, commit: info?.oid, authorDate: info?.authorDate)
                if locations.last != location { locations.append(location) }
            }
            return Finding(
                rule: rule.id,
                ruleName: rule.name,
                provider: rule.providerID,
                confidence: Self.confidence(of: first, ruleSet: ruleSet),
                secret: first.secret,
                fingerprint: Finding.fingerprint(rule: rule.id, secret: first.secret),
                path: path,
                line: first.line,
                column: first.column,
                endLine: first.endLine,
                endColumn: first.endColumn,
                snippet: first.snippet,
                decoded: first.decoding,
                validated: first.validated,
                verified: nil,
                context: context,
                commit: commit?.oid,
                author: commit?.author,
                authorDate: commit?.authorDate,
                commitDate: commit?.commitDate,
                locations: locations
            )
        }
        return (findings, allowed)
    }

    /// The rule's confidence, at most medium when its validator could only say "unverified".
    static func confidence(of occurrence: Occurrence, ruleSet: RuleSet) -> Confidence {
        let confidence = ruleSet.compiled[occurrence.rule].rule.confidence
        return occurrence.validated == false ? min(confidence, .medium) : confidence
    }

    /// Whether an occurrence stays a finding once its surroundings are read: a generic match
    /// whose name, line or path says it is no secret (`GenericContext`), or a medium-confidence
    /// token whose random part is readable words (`ReadableFake`), does not.
    private func isCredible(_ occurrence: Occurrence, path: String) -> Bool {
        let rule = ruleSet.compiled[occurrence.rule].rule
        if rule.providerID == BufferMatcher.genericProvider {
            return genericContext.keeps(path: path, snippet: occurrence.snippet, secret: occurrence.secret)
        }
        if occurrence.validated != true, Self.confidence(of: occurrence, ruleSet: ruleSet) == .medium {
            return !ReadableFake.isReadable(occurrence.secret)
        }
        return true
    }

    private func isAllowed(_ secret: String, scratch: MatchScratch) -> Bool {
        if !stopwords.isEmpty {
            let lowered = secret.lowercased()
            if stopwords.contains(where: { lowered.contains($0) }) { return true }
        }
        return allowRegexes.contains { $0.matches(secret, scratch: scratch) }
    }
}
