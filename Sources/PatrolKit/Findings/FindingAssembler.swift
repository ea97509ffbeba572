/// Turns the occurrences found in one input into findings: one per (rule, secret) at that path,
/// holding every location, after the configuration's allow lists and the confidence floor.
struct FindingAssembler: Sendable {
    let ruleSet: RuleSet
    let minConfidence: Confidence
    private let allowRegexes: [PCRE2Pattern]
    private let stopwords: [String]

    init(ruleSet: RuleSet, config: PatrolConfig, minConfidence: Confidence) {
        self.ruleSet = ruleSet
        self.minConfidence = minConfidence
        // Validated when the configuration was loaded.
        allowRegexes = config.allowRegexes.compactMap { try? PCRE2Pattern($0) }
        stopwords = config.allowStopwords.map { $0.lowercased() }
    }

    /// Findings at `path`, and how many occurrences the allow lists suppressed.
    func findings(path: String, occurrences: [Occurrence], scratch: MatchScratch) -> (findings: [Finding], allowed: Int) {
        var order: [String] = []
        var groups: [String: [Occurrence]] = [:]
        var allowed = 0
        for occurrence in occurrences {
            guard Self.confidence(of: occurrence, ruleSet: ruleSet) >= minConfidence else { continue }
            if isAllowed(occurrence.secret, scratch: scratch) {
                allowed += 1
                continue
            }
            let key = String(occurrence.rule) + "\u{0}" + occurrence.secret
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(occurrence)
        }
        let findings = order.map { key -> Finding in
            let group = groups[key]!
            let first = group[0]
            let rule = ruleSet.compiled[first.rule].rule
            var context: [String: String] = [:]
            for occurrence in group {
                context.merge(occurrence.context) { current, _ in current }
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
                decoded: "none",
                validated: first.validated,
                verified: nil,
                context: context,
                commit: nil,
                author: nil,
                authorDate: nil,
                commitDate: nil,
                locations: group.map { Location(path: path, line: $0.line, column: $0.column) }
            )
        }
        return (findings, allowed)
    }

    /// The rule's confidence, at most medium when its validator could only say "unverified".
    static func confidence(of occurrence: Occurrence, ruleSet: RuleSet) -> Confidence {
        let confidence = ruleSet.compiled[occurrence.rule].rule.confidence
        return occurrence.validated == false ? min(confidence, .medium) : confidence
    }

    private func isAllowed(_ secret: String, scratch: MatchScratch) -> Bool {
        if !stopwords.isEmpty {
            let lowered = secret.lowercased()
            if stopwords.contains(where: { lowered.contains($0) }) { return true }
        }
        return allowRegexes.contains { $0.matches(secret, scratch: scratch) }
    }
}
