/// Turns the occurrences found in one input into findings: one per (rule, secret) at that path,
/// holding every location, after the configuration's allow lists and the confidence floor.
struct FindingAssembler: Sendable {
    let ruleSet: RuleSet
    let minConfidence: Confidence
    private let allowRegexes: [PCRE2Pattern]
    private let stopwords: [String]
    private let genericContext: GenericContext
    /// Per rule, what a finding takes from it, read once: reading `ruleSet.compiled[i].rule`
    /// copies the whole compiled rule (a dozen references retained and released), at every
    /// occurrence of a file where every line is one.
    private let ruleFacts: [RuleFacts]
    /// Per rule, its confidence and whether it is part of the generic heuristic, apart: read
    /// at every occurrence, where reading them from `ruleFacts` retains and releases its strings.
    private let ruleConfidence: [Confidence]
    private let ruleIsGeneric: [Bool]

    private struct RuleFacts: Sendable {
        let id: String
        let name: String
        let providerID: String
        let confidence: Confidence
        var isGeneric: Bool { providerID == BufferMatcher.genericProvider }
    }

    init(ruleSet: RuleSet, config: PatrolConfig, minConfidence: Confidence) {
        self.ruleSet = ruleSet
        self.minConfidence = minConfidence
        genericContext = GenericContext(providerIDs: ruleSet.compiled.map { $0.rule.providerID })
        ruleFacts = ruleSet.compiled.map { RuleFacts(id: $0.rule.id, name: $0.rule.name, providerID: $0.rule.providerID, confidence: $0.rule.confidence) }
        ruleConfidence = ruleFacts.map(\.confidence)
        ruleIsGeneric = ruleFacts.map(\.isGeneric)
        // Validated when the configuration was loaded.
        allowRegexes = config.allowRegexes.compactMap { try? PCRE2Pattern($0) }
        stopwords = config.allowStopwords.map { $0.lowercased() }
    }

    /// Findings at `path`, and how many occurrences the allow lists suppressed.
    func findings(path: String, occurrences: [Occurrence], scratch: MatchScratch) -> (findings: [Finding], allowed: Int) {
        // Rule `paths` were applied before the file was read (relative to the repository root).
        // The occurrences are read where they are: no sighting made (and copied) per occurrence.
        assemble(path: path, occurrences: occurrences, commitOf: nil, commits: [], checkRulePaths: false, scratch: scratch)
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
        assemble(path: path, occurrences: sightings.map(\.occurrence), commitOf: sightings.map(\.commit), commits: commits, checkRulePaths: checkRulePaths, scratch: scratch)
    }

    /// `findings(path:sightings:…)` with the sightings as two arrays: the occurrences, and the
    /// commit of each (`commitOf[i]`, an index into `commits`), or nil when none has one.
    private func assemble(path: String, occurrences: [Occurrence], commitOf: [Int?]?, commits: [CommitInfo], checkRulePaths: Bool, scratch: MatchScratch) -> (findings: [Finding], allowed: Int) {
        // Groups as linked lists of sighting indices (`next`), found by (rule, secret): no
        // array and no key string made per sighting, so a file where every line is a finding
        // costs a constant amount per finding.
        var groupOf: [GroupKey: Int] = [:]
        groupOf.reserveCapacity(occurrences.count)
        var heads: [Int] = [], tails: [Int] = [], sizes: [Int] = []
        var next = [Int](repeating: -1, count: occurrences.count)
        var allowed = 0
        // By index, each occurrence borrowed from the array rather than copied out of it.
        for index in occurrences.indices {
            if checkRulePaths, !ruleSet.compiled[occurrences[index].rule].applies(to: path) { continue }
            guard confidence(of: occurrences[index]) >= minConfidence else { continue }
            guard isCredible(occurrences[index], path: path) else { continue }
            if isAllowed(occurrences[index].secret, scratch: scratch) {
                allowed += 1
                continue
            }
            let key = GroupKey(rule: occurrences[index].rule, secret: occurrences[index].secret)
            // One hash and one probe whether the key is new or not: the default is stored when
            // the key is missing, and only a new group can have the index `heads.count`.
            let candidate = heads.count
            let group = Self.value(&groupOf[key, default: candidate])
            if group != candidate {
                next[tails[group]] = index
                tails[group] = index
                sizes[group] += 1
            } else {
                heads.append(index)
                tails.append(index)
                sizes.append(1)
            }
        }
        var findings: [Finding] = []
        findings.reserveCapacity(heads.count)
        for (group, head) in heads.enumerated() {
            var members: [Int] = []
            members.reserveCapacity(sizes[group])
            var member = head
            while member >= 0 {
                members.append(member)
                member = next[member]
            }
            if members.count > 1 {
                members.sort {
                    let a = commitOf?[$0] ?? nil, b = commitOf?[$1] ?? nil
                    return (a ?? -1, occurrences[$0].line, occurrences[$0].column) < (b ?? -1, occurrences[$1].line, occurrences[$1].column)
                }
            }
            findings.append(finding(path: path, group: members, occurrences: occurrences, commitOf: commitOf, commits: commits))
        }
        return (findings, allowed)
    }

    /// The value of a dictionary entry reached in place (`&dictionary[key, default: …]`).
    private static func value(_ entry: inout Int) -> Int { entry }

    /// (rule, secret): what makes occurrences one finding.
    private struct GroupKey: Hashable {
        let rule: Int
        let secret: String
    }

    /// The finding of one group of occurrences (indices into `occurrences`, in order).
    private func finding(path: String, group: [Int], occurrences: [Occurrence], commitOf: [Int?]?, commits: [CommitInfo]) -> Finding {
        // The first occurrence read in place, field by field: a copy of it would retain and
        // release all its references once more per finding.
        let first = group[0]
        let commit = (commitOf?[first] ?? nil).map { commits[$0] }
        let rule = ruleFacts[occurrences[first].rule]
        var context = occurrences[first].context
        for member in group.dropFirst() {
            context.merge(occurrences[member].context) { current, _ in current }
        }
        var locations: [Location] = []
        locations.reserveCapacity(group.count)
        for member in group {
            let info = (commitOf?[member] ?? nil).map { commits[$0] }
            let location = Location(path: path, line: occurrences[member].line, column: occurrences[member].column, commit: info?.oid, authorDate: info?.authorDate)
            if locations.last != location { locations.append(location) }
        }
        return Finding(
            rule: rule.id,
            ruleName: rule.name,
            provider: rule.providerID,
            confidence: confidence(of: occurrences[first]),
            secret: occurrences[first].secret,
            fingerprint: Finding.fingerprint(rule: rule.id, secret: occurrences[first].secret),
            path: path,
            line: occurrences[first].line,
            column: occurrences[first].column,
            endLine: occurrences[first].endLine,
            endColumn: occurrences[first].endColumn,
            snippet: occurrences[first].snippet,
            decoded: occurrences[first].decoding,
            validated: occurrences[first].validated,
            verified: nil,
            context: context,
            commit: commit?.oid,
            author: commit?.author,
            authorDate: commit?.authorDate,
            commitDate: commit?.commitDate,
            locations: locations
        )
    }

    /// The rule's confidence, at most medium when its validator could only say "unverified".
    private func confidence(of occurrence: Occurrence) -> Confidence {
        let confidence = ruleConfidence[occurrence.rule]
        return occurrence.validated == false ? min(confidence, .medium) : confidence
    }

    /// Whether an occurrence stays a finding once its surroundings are read: a generic match
    /// whose name, line or path says it is no secret (`GenericContext`), or a medium-confidence
    /// token whose random part is readable words (`ReadableFake`), does not.
    private func isCredible(_ occurrence: Occurrence, path: String) -> Bool {
        if ruleIsGeneric[occurrence.rule] {
            return genericContext.keeps(path: path, snippet: occurrence.snippet, secret: occurrence.secret)
        }
        if occurrence.validated != true, confidence(of: occurrence) == .medium {
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
