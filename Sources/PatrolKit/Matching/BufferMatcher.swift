/// A rule match in a buffer, before it is placed in a file: offsets are the buffer's.
struct RawMatch: Sendable, Equatable {
    let rule: Int
    let start: Int
    let end: Int
    let secretStart: Int
    let secretEnd: Int
    /// true: a validator proved it; false: its layout is unverified; nil: the rule has no validator.
    let validated: Bool?
    /// -1, or for a secret found inside encoded text (the span above is the encoded text): where
    /// the matcher keeps its decoded secret and outermost decoding (`BufferMatcher.decodedSecret(of:)`).
    /// An index, not the values, so that a match holds no reference: a buffer with a match on
    /// every line sorts and moves hundreds of thousands, and each copy retained them.
    var decoded: Int32 = -1
}

/// A secret found inside encoded text: its decoded bytes and the outermost decoding, e.g.
/// `base64` or `basic-auth`.
struct DecodedSecret {
    let secret: [UInt8]
    let decoding: String
}

/// Runs a rule set over one buffer: keyword hits and candidate runs first, then the rule's
/// regex only there, then the validator, the entropy floor and the rule's allow list.
///
/// One per scanning thread: it owns PCRE2 match data and scratch arrays, reused for every buffer.
///
/// Its mutable state is marked `@exclusivity(unchecked)`: a matcher belongs to one thread and
/// no access to a property overlaps another (none is passed `inout` to code that reaches the
/// matcher again), so the runtime's dynamic exclusivity check — a thread-local access set
/// updated at every keyword hit — proves nothing; it was a sixth of the time on text with a
/// keyword every few bytes. The compiler's static checks still apply.
final class BufferMatcher {
    let ruleSet: RuleSet
    private let scratch: MatchScratch
    @exclusivity(unchecked) private var hits: [KeywordHit] = []
    /// Positions of base64 forms of keywords (admitted by their gates) seen by the last `matches` call.
    @exclusivity(unchecked) private var encodedHits: [Int] = []
    /// Per rule: the position up to which bounded searches have already looked.
    @exclusivity(unchecked) private var searchedUpTo: [Int]
    /// Per rule with a fixed keyword offset: where its last confirmed match ended.
    @exclusivity(unchecked) private var matchedUpTo: [Int]
    /// Candidates that had the shape of a token but failed their validator.
    @exclusivity(unchecked) private(set) var rejectedByValidator = 0
    /// Per rule: how many of its match calls ran out of `MatchBudget` in the current input.
    @exclusivity(unchecked) private(set) var limitHits: [Int]
    /// The rules with a non-zero `limitHits`, in the order they first hit the limit.
    @exclusivity(unchecked) private(set) var limitedRules: [Int] = []
    /// After this many exhausted match calls in one input, a rule is not run on the rest of it:
    /// a backtracking custom rule then costs a bounded amount per file, not per keyword hit.
    static let limitHitsBeforeSkipping = 64
    /// Secret spans of the candidates rejected by a validator, for the `matches` calls under
    /// way (a decoding recurses): a generic match there is a look-alike, not a secret.
    @exclusivity(unchecked) var rejectedSpans: [Range<Int>] = []
    /// Where specific rules' keywords put a token's start (hit minus fixed offset), for the
    /// `matches` calls under way: a generic value starting there has a known token's prefix
    /// but not its shape or checksum, so it is a look-alike too.
    @exclusivity(unchecked) var tokenStarts: [Int] = []
    /// Per rule: part of the generic heuristic (provider `generic`), which yields to every
    /// specific rule.
    let isGeneric: [Bool]
    private let anyGeneric: Bool
    /// Per rule: a low-confidence rule of a provider other than the generic heuristic, which
    /// yields to its provider's other rules (`dropYieldingMatches`).
    let yieldsToProvider: [Bool]
    private let anyYielding: Bool
    /// Per rule: its provider's position among the rule set's providers.
    let providerIndex: [Int]
    /// The decoded secrets of the matches of the last `matches` call (and of the calls it made
    /// on decoded text), by `RawMatch.decoded`.
    @exclusivity(unchecked) private var decodedSecrets: [DecodedSecret] = []
    /// Per provider: -1, or its slot in the `dropYieldingMatches` call under way.
    @exclusivity(unchecked) var yieldSlot: [Int]
    /// Per prefilter keyword: whether its hits may sit in percent- or JSON-escaped text that
    /// is worth decoding (keywords of specific rules).
    let decodesEscapes: [Bool]
    /// The rules of the legacy Azure DevOps candidate scan, whose base64 forms have no keyword.
    let legacyTokenRules: [Int]

    /// Per rule, what `record` checks after the validator, read from the matcher's own arrays:
    /// reading them through the rule set retained and released its storage at every match.
    private let hasValidator: [Bool]
    private let entropyFloors: [Double?]
    private let allowLists: AllowLists

    /// The provider whose rules are the generic heuristic.
    static let genericProvider = "generic"

    /// Per rule, its compiled regexes once this matcher has used them: `LazyPattern.pattern`
    /// takes a lock, and it was taken at every keyword hit (a sixth of the time on text with a
    /// keyword every ten bytes).
    @exclusivity(unchecked) private var anchoredPatterns: [PCRE2Pattern?]
    @exclusivity(unchecked) private var searchPatterns: [PCRE2Pattern?]
    /// Per rule: its provider's context patterns, compiled, each with its slot in `contextSpans`.
    @exclusivity(unchecked) private var contextPatternsOfRule: [[ContextPattern]?]
    @exclusivity(unchecked) private var contextSlots: [ObjectIdentifier: Int] = [:]

    /// Matches of one `matches` call after which the room made for more follows their rate.
    static let matchesBeforeExtrapolating = 4096

    /// How far before a keyword a bounded search starts, for rules whose keyword offset varies.
    static let searchWindow = 1024

    init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
        scratch = MatchScratch()
        searchedUpTo = Array(repeating: 0, count: ruleSet.compiled.count)
        matchedUpTo = Array(repeating: 0, count: ruleSet.compiled.count)
        limitHits = Array(repeating: 0, count: ruleSet.compiled.count)
        isGeneric = ruleSet.compiled.map { $0.rule.providerID == Self.genericProvider }
        anyGeneric = isGeneric.contains(true)
        yieldsToProvider = ruleSet.compiled.map { $0.rule.confidence == .low && $0.rule.providerID != Self.genericProvider }
        anyYielding = yieldsToProvider.contains(true)
        var providers: [String: Int] = [:]
        providerIndex = ruleSet.compiled.map { compiled in
            if let index = providers[compiled.rule.providerID] { return index }
            providers[compiled.rule.providerID] = providers.count
            return providers.count - 1
        }
        yieldSlot = Array(repeating: -1, count: providers.count)
        hasValidator = ruleSet.compiled.map { $0.validator != nil }
        entropyFloors = ruleSet.compiled.map(\.rule.entropy)
        allowLists = AllowLists(sources: ruleSet.compiled.map(\.rule.allow), compiled: ruleSet.compiled.map(\.allow))
        decodesEscapes = ruleSet.keywordTargets.enumerated().map { keyword, targets in
            keyword < ruleSet.encodedKeywordStart && targets.contains { ruleSet.compiled[$0.rule].rule.providerID != Self.genericProvider }
        }
        legacyTokenRules = ruleSet.candidateScans.filter { $0.scan.name == EncodedText.legacyTokenScan }.flatMap(\.rules)
        anchoredPatterns = Array(repeating: nil, count: ruleSet.compiled.count)
        searchPatterns = Array(repeating: nil, count: ruleSet.compiled.count)
        contextPatternsOfRule = Array(repeating: nil, count: ruleSet.compiled.count)
    }

    @inline(__always)
    private func anchoredPattern(_ rule: Int) -> PCRE2Pattern {
        Self.cached(&anchoredPatterns[rule]) { ruleSet.compiled[rule].anchored.pattern }
    }

    @inline(__always)
    private func searchPattern(_ rule: Int) -> PCRE2Pattern {
        Self.cached(&searchPatterns[rule]) { ruleSet.compiled[rule].search.pattern }
    }

    /// The pattern in `slot`, taken from the rule set (and kept there) the first time.
    @inline(__always)
    private static func cached(_ slot: inout PCRE2Pattern?, _ pattern: () -> PCRE2Pattern) -> PCRE2Pattern {
        if let cached = slot { return cached }
        let compiled = pattern()
        slot = compiled
        return compiled
    }

    /// Starts a new input: forgets which rules ran out of their match budget.
    func beginInput() {
        for rule in limitedRules { limitHits[rule] = 0 }
        limitedRules.removeAll(keepingCapacity: true)
    }

    /// Counts a match call of `rule` that ran out of its budget, if the last one did.
    @inline(__always)
    private func noteLimit(_ rule: Int) {
        guard scratch.limitHits > 0 else { return }
        scratch.limitHits = 0
        if limitHits[rule] == 0 { limitedRules.append(rule) }
        limitHits[rule] += 1
    }

    /// Match calls made so far by this matcher (rules, allow lists, context patterns).
    var matchCalls: Int { scratch.matchCalls }
    /// Bytes the rules' regexes were run over so far: for each search, from its start to the
    /// end of its match (or to the keyword when none). A measure of repeated matching over
    /// the same bytes, which counting calls does not show.
    @exclusivity(unchecked) var matchedBytes = 0
    /// Encoded bytes handed to a decoder so far (base64 runs, percent and JSON escapes), each
    /// time it was asked: a measure of the decoders' work per input byte.
    @exclusivity(unchecked) var decodedBytes = 0

    /// Finds the matches in `buffer` whose start lies in `accept`. `atStart`/`atEnd` say whether
    /// the buffer's edges are the input's real edges (not a chunk boundary). `enabled`, when
    /// given, says which rules apply to this input. Results are sorted by secret start.
    func matches(
        in buffer: UnsafeRawBufferPointer,
        accept: Range<Int>,
        atStart: Bool = true,
        atEnd: Bool = true,
        enabled: [Bool]? = nil,
        depth: Int = 0,
        into results: inout [RawMatch]
    ) {
        if depth == 0 { decodedSecrets.removeAll(keepingCapacity: true) }
        let first = results.count
        let firstRejected = rejectedSpans.count, firstTokenStart = tokenStarts.count
        defer {
            rejectedSpans.removeSubrange(firstRejected...)
            tokenStarts.removeSubrange(firstTokenStart...)
        }
        let decodes = depth < EncodedText.maxDepth
        var escapeHits: [Int] = []
        hits.removeAll(keepingCapacity: true)
        encodedHits.removeAll(keepingCapacity: true)
        ruleSet.prefilter.collectHits(in: buffer, into: &hits)
        if !hits.isEmpty {
            for index in searchedUpTo.indices {
                searchedUpTo[index] = 0
                matchedUpTo[index] = 0
            }
            for (done, hit) in hits.enumerated() {
                // Once matches have come by the thousand, a full array makes room for the rest
                // of the hits at the rate seen so far, at once: a buffer with a key on every
                // line fills hundreds of thousands, and each doubling copied them into fresh
                // pages. A buffer with few matches never comes here.
                if results.count == results.capacity, results.count - first >= Self.matchesBeforeExtrapolating {
                    let rest = Double(results.count - first) / Double(done) * Double(hits.count - done)
                    results.reserveCapacity(max(results.count + Int(rest) + 1, 2 * results.capacity))
                }
                if decodes, !ruleSet.decodingGates[hit.keyword].isEmpty {
                    openDecodings(at: hit, in: buffer, escapeHits: &escapeHits)
                }
                if hit.keyword >= ruleSet.encodedKeywordStart { continue }
                if decodes, decodesEscapes[hit.keyword], escapeHits.last != hit.position {
                    escapeHits.append(hit.position)
                }
                for target in ruleSet.keywordTargets[hit.keyword] {
                    if let enabled, !enabled[target.rule] { continue }
                    if let offset = target.fixedOffset {
                        let start = hit.position - offset
                        if anyGeneric, !isGeneric[target.rule] { tokenStarts.append(start) }
                        // Matches of one rule do not overlap (as in a global search): a keyword
                        // inside an earlier match (`password=` repeated) is not confirmed again.
                        guard start >= 0, accept.contains(start), start >= matchedUpTo[target.rule] else { continue }
                        if let end = confirm(rule: target.rule, at: start, in: buffer, into: &results) {
                            matchedUpTo[target.rule] = end
                        }
                    } else {
                        search(rule: target.rule, before: hit.position, in: buffer, accept: accept, into: &results)
                    }
                }
            }
        }
        for (scan, rules) in ruleSet.candidateScans {
            scan.forEachRun(in: buffer, range: accept, atStart: atStart, atEnd: atEnd) { start in
                for rule in rules {
                    if let enabled, !enabled[rule] { continue }
                    confirm(rule: rule, at: start, in: buffer, into: &results)
                }
            }
        }
        if decodes {
            var runs = encodedHits.isEmpty ? [] : EncodedText.runs(around: encodedHits, in: buffer)
            if !legacyTokenRules.isEmpty, legacyTokenRules.contains(where: { enabled?[$0] ?? true }) {
                EncodedText.legacyTokenRuns(in: buffer, range: accept, into: &runs)
            }
            if !runs.isEmpty { decodeAndMatch(runs, in: buffer, accept: accept, enabled: enabled, depth: depth, into: &results) }
            if !escapeHits.isEmpty { decodeEscapes(around: escapeHits, in: buffer, accept: accept, enabled: enabled, depth: depth, first: first, into: &results) }
        }
        // Only generic matches are dropped there: a buffer without one (a file of AWS key pairs)
        // skips building the blocked spans of every other match.
        if anyGeneric && (first..<results.count).contains(where: { isGeneric[results[$0].rule] }) {
            dropGenericOverlaps(from: first, rejectedFrom: firstRejected, tokenStartsFrom: firstTokenStart, in: &results)
        }
        if anyYielding && results.count - first > 1 {
            dropYieldingMatches(from: first, in: &results)
        }
        if results.count - first > 1 {
            results[first...].sort { ($0.secretStart, $0.rule, $0.start) < ($1.secretStart, $1.rule, $1.start) }
            // One per rule and start, and one per rule and secret span (the AWS rule's two
            // branches find the same key from its id and from the next id): each match is
            // compared with the last one kept, and the kept ones move down in place.
            let end = results.withUnsafeMutableBufferPointer { all in
                var last = first   // the last one kept
                for index in (first + 1)..<all.count {
                    // Fields read in place: a copy of a match retains its optional decoding.
                    guard all[last].rule != all[index].rule
                        || (all[last].start != all[index].start
                            && (all[last].secretStart, all[last].secretEnd) != (all[index].secretStart, all[index].secretEnd))
                    else { continue }
                    last += 1
                    if last != index { all.swapAt(last, index) }
                }
                return last + 1
            }
            results.removeSubrange(end...)
        }
    }

    /// Keeps a decoded secret for a match of the `matches` call under way; returns its index.
    func keepDecoded(_ secret: [UInt8], decoding: String) -> Int32 {
        decodedSecrets.append(DecodedSecret(secret: secret, decoding: decoding))
        return Int32(decodedSecrets.count - 1)
    }

    /// The decoded secret of a match of the last `matches` call, if it was found in encoded text.
    func decodedSecret(of match: RawMatch) -> [UInt8]? {
        match.decoded < 0 ? nil : decodedSecrets[Int(match.decoded)].secret
    }

    /// The outermost decoding of a match of the last `matches` call, if it was found in encoded text.
    func decoding(of match: RawMatch) -> String? {
        match.decoded < 0 ? nil : decodedSecrets[Int(match.decoded)].decoding
    }

    /// A hit of an encoded form of a keyword: the base64 run or the percent-encoded run around it
    /// is to be decoded, when the gate admits it (a three-character base64 form whose neighbours
    /// do not carry the rest of the keyword's bits is a chance match).
    private func openDecodings(at hit: KeywordHit, in buffer: UnsafeRawBufferPointer, escapeHits: inout [Int]) {
        let length = ruleSet.prefilter.keywords[hit.keyword].bytes.count
        for gate in ruleSet.decodingGates[hit.keyword] where gate.admits(hit.position, length: length, in: buffer) {
            switch gate {
            case .base64:
                if encodedHits.last != hit.position { encodedHits.append(hit.position) }
            case .escaped:
                if escapeHits.last != hit.position { escapeHits.append(hit.position) }
            }
        }
    }

    /// Matches the rule at `start`; returns where the match ended, if it matched.
    @discardableResult
    private func confirm(rule index: Int, at start: Int, in buffer: UnsafeRawBufferPointer, into results: inout [RawMatch]) -> Int? {
        guard limitHits[index] < Self.limitHitsBeforeSkipping else { return nil }
        let pattern = anchoredPattern(index)
        let found = pattern.match(buffer, from: start, scratch: scratch)
        noteLimit(index)
        guard let match = found else { return nil }
        matchedBytes += match.end - start
        record(rule: index, match: match, pattern: pattern, in: buffer, into: &results)
        return match.end
    }

    /// For a keyword whose distance from the match start varies: search from a little before the
    /// keyword for matches starting no later than it. `searchedUpTo` keeps repeated keywords
    /// from searching the same bytes twice, so the work stays linear: it moves past each hit
    /// and past each match, as a global regex search does (matches of one rule do not overlap),
    /// so `password=` repeated, whose every match spans the next 256 bytes, is matched once per
    /// 256 bytes, not once per keyword.
    private func search(rule index: Int, before position: Int, in buffer: UnsafeRawBufferPointer, accept: Range<Int>, into results: inout [RawMatch]) {
        guard limitHits[index] < Self.limitHitsBeforeSkipping else { return }
        let pattern = searchPattern(index)
        var from = max(0, position - Self.searchWindow, searchedUpTo[index])
        while from <= position {
            let found = pattern.match(buffer, from: from, startingNoLaterThan: position, scratch: scratch)
            noteLimit(index)
            matchedBytes += max(found?.end ?? position, from) - from
            guard let match = found else { break }
            if accept.contains(match.start) {
                record(rule: index, match: match, pattern: pattern, in: buffer, into: &results)
            }
            from = max(match.end, match.start + 1)
        }
        searchedUpTo[index] = max(searchedUpTo[index], position + 1, from)
    }

    private func record(rule index: Int, match: (start: Int, end: Int), pattern: PCRE2Pattern, in buffer: UnsafeRawBufferPointer, into results: inout [RawMatch]) {
        // The rule's fields read where they are: a copy of the compiled rule retains and
        // releases a dozen references, at every match of a file where every line has one.
        let secret = pattern.secretGroup == 0 ? match.start..<match.end : (pattern.groupSpan(pattern.secretGroup, scratch: scratch) ?? match.start..<match.end)
        guard !secret.isEmpty else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[secret])
        var validated: Bool?
        if hasValidator[index], let validator = ruleSet.compiled[index].validator {
            switch validator.check(bytes) {
            case .valid: validated = validator.provesSecret ? true : nil
            case .unverified: validated = false
            case .invalid:
                if validator.provesSecret {
                    rejectedByValidator += 1
                    rejectedSpans.append(secret)
                }
                return
            }
        }
        if let floor = entropyFloors[index], Entropy.bitsPerByte(bytes) < floor { return }
        // A typed placeholder (`0123456789abcdef`, `xxxxxxxx`) is no secret; a look-alike for the
        // generic heuristic too. A checksum that holds is not typed by chance, so it is kept.
        if validated != true, ObviousFake.isFake(bytes) {
            rejectedSpans.append(secret)
            return
        }
        let allowed = allowLists.allows(bytes, rule: index) { allow in
            let allowed = allow.match(bytes, from: 0, scratch: scratch) != nil
            noteLimit(index)
            return allowed
        }
        if allowed { return }
        results.append(RawMatch(
            rule: index, start: match.start, end: match.end,
            secretStart: secret.lowerBound, secretEnd: secret.upperBound, validated: validated
        ))
    }

    /// Where the context patterns' values lie in the buffer whose matches are being placed:
    /// found once, as the windows of successive matches move forward, so a buffer with a match
    /// every line costs one pass of each pattern, not one search of a 4 KiB window per match.
    private struct ContextSpans {
        var spans: [Range<Int>] = []
        /// Starts before this offset have been searched.
        var next = 0
    }

    /// A context pattern of a provider, compiled, with its `value` group and its slot in
    /// `contextSpans` (one per pattern, shared by the provider's rules).
    private struct ContextPattern {
        let name: String
        let pattern: PCRE2Pattern
        let group: Int
        let slot: Int
    }

    @exclusivity(unchecked) private var contextSpans: [ContextSpans] = []
    /// The slots of `contextSpans` used since `beginPlacing`.
    @exclusivity(unchecked) private var usedContextSlots: [Int] = []

    /// Starts placing the matches of a new buffer (`context` calls with windows that only move
    /// forward).
    func beginPlacing() {
        for slot in usedContextSlots { contextSpans[slot] = ContextSpans() }
        usedContextSlots.removeAll(keepingCapacity: true)
    }

    private func contextPatterns(of rule: Int) -> [ContextPattern] {
        if let patterns = contextPatternsOfRule[rule] { return patterns }
        var patterns: [ContextPattern] = []
        for (name, lazy) in ruleSet.contextPatterns[ruleSet.compiled[rule].rule.providerID] ?? [] {
            let pattern = lazy.pattern
            guard let group = pattern.namedGroups["value"] else { continue }
            let key = ObjectIdentifier(lazy)
            let slot: Int
            if let known = contextSlots[key] {
                slot = known
            } else {
                slot = contextSpans.count
                contextSlots[key] = slot
                contextSpans.append(ContextSpans())
            }
            patterns.append(ContextPattern(name: name, pattern: pattern, group: group, slot: slot))
        }
        contextPatternsOfRule[rule] = patterns
        return patterns
    }

    /// The value of the provider's context patterns nearest to `secret` within `window`; the
    /// windows of successive calls after `beginPlacing` must not move backwards.
    func context(for rule: Int, secret: Range<Int>, window: Range<Int>, in buffer: UnsafeRawBufferPointer) -> FindingContext {
        let patterns = contextPatterns(of: rule)
        guard !patterns.isEmpty else { return .empty }
        var values: [String: String] = [:]
        var alone = FindingContext.empty
        for context in patterns {
            let pattern = context.pattern
            // Taken out of the array while it grows, so that appending never copies it.
            var state = contextSpans[context.slot]
            contextSpans[context.slot] = ContextSpans()
            if state.next == 0 && state.spans.isEmpty { usedContextSlots.append(context.slot) }
            state.next = max(state.next, window.lowerBound)
            while state.next < window.upperBound,
                  let match = pattern.match(buffer, from: state.next, startingNoLaterThan: window.upperBound - 1, scratch: scratch) {
                if let span = pattern.groupSpan(context.group, scratch: scratch), !span.isEmpty { state.spans.append(span) }
                state.next = max(match.end, match.start + 1)
            }
            state.next = max(state.next, window.upperBound)
            if let span = Self.nearest(state.spans, to: secret, within: window) {
                let value = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span]), as: UTF8.self)
                if patterns.count == 1 {
                    alone = .one(name: context.name, value: value)
                } else {
                    values[context.name] = value
                }
            }
            contextSpans[context.slot] = state
        }
        scratch.limitHits = 0   // a context pattern is no rule: its exhausted calls are not reported
        return patterns.count == 1 ? alone : FindingContext(values)
    }

    /// Of `spans` (sorted, not overlapping), the one inside `window` and not overlapping
    /// `secret` that is nearest to it; on a tie, the one before it.
    static func nearest(_ spans: [Range<Int>], to secret: Range<Int>, within window: Range<Int>) -> Range<Int>? {
        var low = 0, high = spans.count   // the first span starting at or after the secret's end
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].lowerBound < secret.upperBound { low = middle + 1 } else { high = middle }
        }
        var before = low - 1
        while before >= 0, spans[before].overlaps(secret) { before -= 1 }
        var best: (distance: Int, span: Range<Int>)?
        if before >= 0, spans[before].lowerBound >= window.lowerBound {
            best = (max(0, secret.lowerBound - spans[before].upperBound), spans[before])
        }
        if low < spans.count, spans[low].upperBound <= window.upperBound {
            let distance = spans[low].lowerBound - secret.upperBound
            if distance < best?.distance ?? .max { best = (distance, spans[low]) }
        }
        return best?.span
    }
}
