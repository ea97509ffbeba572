import Foundation

/// A rule compiled for matching: the anchored and searching PCRE2 patterns, the validator and
/// the allow patterns it names.
struct CompiledRule: Sendable {
    let rule: Rule
    /// Confirms a match at a known start (keyword hit minus a fixed offset, or a candidate).
    let anchored: LazyPattern
    /// Finds a match near a keyword whose offset in the match varies; compiled with
    /// `PCRE2_USE_OFFSET_LIMIT` so the search cannot run past the keyword.
    let search: LazyPattern
    let validator: Validator?
    let allow: [PCRE2Pattern]
    let include: [Glob]
    let exclude: [Glob]

    var hasPathFilter: Bool { !include.isEmpty || !exclude.isEmpty }

    func applies(to path: String) -> Bool {
        if !include.isEmpty && !include.contains(where: { $0.matches(path) }) { return false }
        return !exclude.contains { $0.matches(path) }
    }
}

/// Where a keyword sends the matcher: which rule, and how far before the keyword its match
/// starts when that is fixed.
struct KeywordTarget: Sendable {
    let rule: Int
    let fixedOffset: Int?
}

/// The compiled rules: immutable and shared by every scanning thread.
public final class RuleSet: Sendable {
    public let providers: [Provider]
    public let rules: [Rule]
    let compiled: [CompiledRule]
    let prefilter: KeywordPrefilter
    /// For each prefilter keyword, the rules it triggers.
    let keywordTargets: [[KeywordTarget]]
    /// Prefilter keywords from this index on are encoded forms of the rule keywords: a hit marks
    /// encoded text to decode (`EncodedText`, `EscapedText`), not a rule to run.
    let encodedKeywordStart: Int
    /// For each prefilter keyword, the decodings its hits open (its gates as an encoded form of
    /// other keywords): empty for nearly every clear keyword.
    let decodingGates: [[DecodingGate]]
    /// Candidate scans and the rules that use each.
    let candidateScans: [(scan: CandidateScan, rules: [Int])]
    /// Provider context patterns, by provider id.
    let contextPatterns: [String: [(name: String, pattern: LazyPattern)]]
    let anyPathFilter: Bool

    /// Compiles `providers` and `rules`. Validator and candidate names are checked here; regexes
    /// too for rules from files in `checkedFiles` (all files when nil), so a broken rule fails at
    /// start-up with its file and id, not in the middle of a scan. The built-in rules, proven by
    /// the test suite, skip that check: PCRE2 compiles each pattern the first time it is needed.
    public init(providers: [Provider], rules: [Rule], checkRegexesOf checkedFiles: Set<String>? = nil) throws(RuleError) {
        self.providers = providers
        self.rules = rules
        var compiled: [CompiledRule] = []
        var keywordIndex: [KeywordPrefilter.Keyword: Int] = [:]
        // The rules' keywords and their encoded forms (base64, UTF-16 base64, percent), some
        // twenty per rule: growing the table step by step rehashed it a dozen times at every start.
        keywordIndex.reserveCapacity(rules.count * 32)
        var keywords: [KeywordPrefilter.Keyword] = []
        var targets: [[KeywordTarget]] = []
        var scans: [String: (scan: CandidateScan, rules: [Int])] = [:]
        func mustCheck(_ file: String) -> Bool { checkedFiles?.contains(file) ?? true }
        /// The prefilter slot of `keyword`, entered the first time it is asked for.
        func slot(of keyword: KeywordPrefilter.Keyword) -> Int {
            if let existing = keywordIndex[keyword] { return existing }
            keywordIndex[keyword] = keywords.count
            keywords.append(keyword)
            targets.append([])
            return keywords.count - 1
        }

        for (index, rule) in rules.enumerated() {
            func fail(_ reason: String) -> RuleError { RuleError(file: rule.sourceFile, rule: rule.id, reason: reason) }
            if mustCheck(rule.sourceFile) {
                do {
                    _ = try PCRE2Pattern(rule.regex, anchored: true)
                } catch {
                    throw fail("invalid regex: \(error.message) at offset \(error.offset) in '\(rule.regex)'")
                }
            }
            var validator: Validator?
            if let name = rule.validate {
                guard let found = Validator.builtIn[name] else {
                    throw fail("unknown validator '\(name)' (known: \(Validator.builtIn.keys.sorted().joined(separator: ", ")))")
                }
                validator = found
            }
            var allow: [PCRE2Pattern] = []
            for text in rule.allow {
                do {
                    allow.append(try PCRE2Pattern(text))
                } catch {
                    throw fail("invalid allow regex '\(text)': \(error.message) at offset \(error.offset)")
                }
            }
            if let name = rule.candidates {
                guard let scan = CandidateScan(named: name) else {
                    throw fail("unknown candidate scan '\(name)' (use <alphabet>-run-<length>, alphabets: \(CandidateScan.alphabets.keys.sorted().joined(separator: ", ")))")
                }
                scans[name, default: (scan, [])].rules.append(index)
            }
            for text in rule.keywords {
                let keyword = KeywordPrefilter.Keyword(bytes: Array(text.utf8), caseInsensitive: rule.keywordsCaseInsensitive)
                let offset = KeywordOffset.fixedOffset(of: text, in: rule.regex, caseInsensitive: rule.keywordsCaseInsensitive)
                targets[slot(of: keyword)].append(KeywordTarget(rule: index, fixedOffset: offset))
            }
            compiled.append(CompiledRule(
                rule: rule,
                anchored: LazyPattern(rule.regex, anchored: true),
                search: LazyPattern(rule.regex, useOffsetLimit: true),
                validator: validator,
                allow: allow,
                include: rule.includePaths.map(Glob.init),
                exclude: rule.excludePaths.map(Glob.init)
            ))
        }

        var contextPatterns: [String: [(name: String, pattern: LazyPattern)]] = [:]
        for provider in providers {
            for context in provider.context {
                for regex in context.regexes {
                    if mustCheck(provider.sourceFile) {
                        let pattern: PCRE2Pattern
                        do {
                            pattern = try PCRE2Pattern(regex)
                        } catch {
                            throw RuleError(file: provider.sourceFile, reason: "provider '\(provider.id)': invalid context regex for '\(context.name)': \(error.message) at offset \(error.offset)")
                        }
                        guard pattern.namedGroups["value"] != nil else {
                            throw RuleError(file: provider.sourceFile, reason: "provider '\(provider.id)': context regex for '\(context.name)' needs a group named 'value'")
                        }
                    }
                    contextPatterns[provider.id, default: []].append((context.name, LazyPattern(regex, useOffsetLimit: true)))
                }
            }
        }

        // Encoded forms of the keywords: base64 (of the bytes and of their UTF-16LE), and
        // percent-encoding, JSON and markup escapes for keywords of provider rules (the generic heuristic's keywords are
        // names, not tokens). A form equal to a clear keyword gates through that keyword.
        encodedKeywordStart = keywords.count
        var gates = [[DecodingGate]](repeating: [], count: keywords.count)
        func addGate(_ gate: DecodingGate, form: [UInt8], caseInsensitive: Bool) {
            let slot = slot(of: KeywordPrefilter.Keyword(bytes: form, caseInsensitive: caseInsensitive))
            if slot == gates.count { gates.append([]) }
            if !gates[slot].contains(gate) { gates[slot].append(gate) }
        }
        for (index, keyword) in keywords[..<encodedKeywordStart].enumerated() where !keyword.caseInsensitive {
            // Keywords that enumerate a token's possible starts (Discord's 100 three-character
            // ones) rather than name it: their encoded forms, hundreds of short mixed-case
            // strings, made the prefilter stop everywhere in source code (a tenth of a scan's time).
            guard targets[index].contains(where: { !Self.enumeratesStarts(compiled[$0.rule].rule) }) else { continue }
            for form in EncodedForms.base64(of: keyword.bytes) + EncodedForms.utf16Base64(of: keyword.bytes) {
                addGate(.base64(form.neighbours), form: form.characters, caseInsensitive: false)
            }
            if targets[index].contains(where: { compiled[$0.rule].rule.providerID != BufferMatcher.genericProvider }) {
                for form in EncodedForms.percent(of: keyword.bytes) + EncodedForms.escaped(of: keyword.bytes) {
                    addGate(.escaped, form: form, caseInsensitive: true)
                }
            }
        }
        // Containers that are themselves base64-encoded around base64 credentials (a docker
        // config.json or an .npmrc as a Kubernetes Secret's data): their keys' forms open the
        // outer run, and the credential inside is found one level down.
        for container in Self.encodedContainers {
            for form in EncodedForms.base64(of: Array(container.utf8)) {
                addGate(.base64(form.neighbours), form: form.characters, caseInsensitive: false)
            }
        }
        self.decodingGates = gates
        self.compiled = compiled
        self.prefilter = KeywordPrefilter(keywords: keywords)
        self.keywordTargets = targets
        self.candidateScans = scans.values.sorted { $0.scan.name < $1.scan.name }
        self.contextPatterns = contextPatterns
        self.anyPathFilter = compiled.contains { $0.hasPathFilter }
    }

    /// Whether a rule's keywords enumerate the possible starts of its token — more than 16 of
    /// them, none longer than three bytes (Discord's) — rather than name it: such a rule is not
    /// looked for inside base64 or percent-encoding.
    static func enumeratesStarts(_ rule: Rule) -> Bool {
        rule.keywords.count > 16 && rule.keywords.allSatisfy { $0.utf8.count <= 3 }
    }

    /// Keys whose values are base64 credentials, looked for in base64 themselves.
    static let encodedContainers = ["\"auth\":\"", "_auth=", "_password=", "Basic "]

    public func provider(id: String) -> Provider? { providers.first { $0.id == id } }

    public func rule(id: String) -> Rule? { rules.first { $0.id == id } }

    func index(ofRule id: String) -> Int? { rules.firstIndex { $0.id == id } }
}
