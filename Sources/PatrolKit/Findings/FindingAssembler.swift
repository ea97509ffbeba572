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
        // Groups as linked lists of sighting indices (`next`), found by (rule, secret bytes) in
        // a table of indices: no array, no key string and no retain per sighting, so a file
        // where every line is a finding costs a constant amount per finding.
        var table = GroupTable(capacity: occurrences.count)
        var heads: [Int] = [], tails: [Int] = []
        heads.reserveCapacity(occurrences.count)
        tails.reserveCapacity(occurrences.count)
        var next = [Int](repeating: -1, count: occurrences.count)
        var allowed = 0
        // Through a buffer pointer: each occurrence read in place, never copied out of the array
        // (a copy retains and releases its half-dozen references).
        occurrences.withUnsafeBufferPointer { occurrences in
            // First the occurrences kept and their hashes, then the table: a file of distinct
            // secrets looks up a slot at random per occurrence, and a loop that does nothing
            // else has many of those memory reads under way at once.
            var kept: [(index: Int, hash: Int)] = []
            kept.reserveCapacity(occurrences.count)
            for index in occurrences.indices {
                if checkRulePaths, !ruleSet.compiled[occurrences[index].rule].applies(to: path) { continue }
                guard confidence(rule: occurrences[index].rule, validated: occurrences[index].validated) >= minConfidence else { continue }
                guard isCredible(occurrences, index, path: path) else { continue }
                if isAllowed(occurrences[index].secret, scratch: scratch) {
                    allowed += 1
                    continue
                }
                kept.append((index, Self.hash(rule: occurrences[index].rule, secret: occurrences[index].secret)))
            }
            for (index, hash) in kept {
                let rule = occurrences[index].rule
                let group = table.group(hash: hash, new: heads.count) { group in
                    let head = heads[group]
                    return occurrences[head].rule == rule && Self.sameBytes(occurrences[head].secret, occurrences[index].secret)
                }
                if group < heads.count {
                    next[tails[group]] = index
                    tails[group] = index
                } else {
                    heads.append(index)
                    tails.append(index)
                }
            }
        }
        var findings: [Finding] = []
        findings.reserveCapacity(heads.count)
        var members: [Int] = []
        for head in heads {
            members.removeAll(keepingCapacity: true)
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

    /// Of a rule and a secret's bytes (the seeded hash of the standard library, so that text
    /// made to collide cannot make grouping quadratic).
    private static func hash(rule: Int, secret: String) -> Int {
        var hasher = Hasher()
        hasher.combine(rule)
        var secret = secret
        secret.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }

    /// Whether two secrets are the same bytes: what makes them one finding, with one fingerprint
    /// (a secret written in two canonically equivalent ways is two).
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// The groups of one input's occurrences, found by hash: open addressing over group
    /// indices, the table at most half full. A slot holds the group and the hash's top 32 bits,
    /// so a lookup of a new secret reads one slot and nothing else.
    private struct GroupTable {
        private var slots: [UInt64]   // hash's top 32 bits, group + 1 below; 0 for an empty slot
        private var hashes: [Int] = []
        private let mask: Int

        init(capacity: Int) {
            var size = 16
            while size < 2 * capacity { size *= 2 }
            slots = [UInt64](repeating: 0, count: size)
            mask = size - 1
            hashes.reserveCapacity(capacity)
        }

        /// The group whose members `isMember` (given a group) says the occurrence joins, or
        /// `new` (the next group's index), entered in the table, when none does.
        mutating func group(hash: Int, new: Int, isMember: (Int) -> Bool) -> Int {
            let tag = UInt64(UInt(bitPattern: hash)) & 0xFFFF_FFFF_0000_0000
            var slot = hash & mask
            while slots[slot] != 0 {
                let entry = slots[slot]
                let group = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if entry & 0xFFFF_FFFF_0000_0000 == tag, hashes[group] == hash, isMember(group) { return group }
                slot = (slot + 1) & mask
            }
            precondition(new < 0xFFFF_FFFF, "GroupTable: too many groups")
            slots[slot] = tag | UInt64(new + 1)
            hashes.append(hash)
            return new
        }
    }

    /// The finding of one group of occurrences (indices into `occurrences`, in order).
    private func finding(path: String, group: [Int], occurrences: [Occurrence], commitOf: [Int?]?, commits: [CommitInfo]) -> Finding {
        // The first occurrence read in place, field by field: a copy of it would retain and
        // release all its references once more per finding.
        let first = group[0]
        let commit = (commitOf?[first] ?? nil).map { commits[$0] }
        let rule = ruleFacts[occurrences[first].rule]
        var context = occurrences[first].context
        for member in group.dropFirst() { context.merge(occurrences[member].context) }
        // One occurrence: its location is the finding's own (no array made for it).
        var locations: [Location]?
        if group.count > 1 {
            var list: [Location] = []
            list.reserveCapacity(group.count)
            for member in group {
                let info = (commitOf?[member] ?? nil).map { commits[$0] }
                let location = Location(path: path, line: occurrences[member].line, column: occurrences[member].column, commit: info?.oid, authorDate: info?.authorDate)
                if list.last != location { list.append(location) }
            }
            locations = list
        }
        return Finding(
            rule: rule.id,
            ruleName: rule.name,
            provider: rule.providerID,
            confidence: confidence(rule: occurrences[first].rule, validated: occurrences[first].validated),
            secret: occurrences[first].secret,
            fingerprint: Fingerprint(rule: rule.id, secret: occurrences[first].secret),
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
    private func confidence(rule: Int, validated: Bool?) -> Confidence {
        let confidence = ruleConfidence[rule]
        return validated == false ? min(confidence, .medium) : confidence
    }

    /// Whether occurrence `index` stays a finding once its surroundings are read: a generic
    /// match whose name, line or path says it is no secret (`GenericContext`), or a
    /// medium-confidence token whose random part is readable words (`ReadableFake`), does not.
    private func isCredible(_ occurrences: UnsafeBufferPointer<Occurrence>, _ index: Int, path: String) -> Bool {
        let rule = occurrences[index].rule, validated = occurrences[index].validated
        if ruleIsGeneric[rule] {
            return genericContext.keeps(path: path, snippet: occurrences[index].snippet, secret: occurrences[index].secret)
        }
        if validated != true, confidence(rule: rule, validated: validated) == .medium {
            return !ReadableFake.isReadable(occurrences[index].secret)
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
