import Yams

/// Reads one `patterns/*.yml` file into its provider and rules. It checks the file's shape
/// (keys, types, required fields); regexes, names and examples are checked by `RuleSet`.
package enum RuleFileParser {
    package static let providerKeys: Set<String> = ["id", "name", "verify", "revoke", "remediation", "context"]
    package static let ruleKeys: Set<String> = [
        "id", "name", "regex", "keywords", "keywords-case", "candidates", "validate", "entropy",
        "confidence", "paths", "allow", "examples", "negative-examples", "override",
    ]

    package static func parse(_ text: String, file: String) throws(RuleError) -> (Provider, [Rule]) {
        try parse(document: YAMLFields.document(text, file: file, what: "a rule file"), file: file)
    }

    /// A rule file already parsed into its YAML node (the built-in files, parsed at build time).
    package static func parse(_ node: Node, file: String) throws(RuleError) -> (Provider, [Rule]) {
        try parse(document: YAMLFields(node, file: file, what: "a rule file"), file: file)
    }

    private static func parse(document: YAMLFields, file: String) throws(RuleError) -> (Provider, [Rule]) {
        try document.rejectUnknownKeys(["provider", "rules"])
        guard let providerFields = try document.mapping("provider", what: "'provider'") else {
            throw RuleError(file: file, reason: "'provider' is required")
        }
        let provider = try parseProvider(providerFields, file: file)
        let ruleNodes = try document.sequence("rules")
        if ruleNodes.isEmpty { throw RuleError(file: file, reason: "'rules' must list at least one rule") }
        var rules: [Rule] = []
        for node in ruleNodes {
            rules.append(try parseRule(node, provider: provider, file: file))
        }
        return (provider, rules)
    }

    private static func parseProvider(_ fields: YAMLFields, file: String) throws(RuleError) -> Provider {
        try fields.rejectUnknownKeys(providerKeys)
        let id = try fields.requiredString("id")
        try checkIdentifier(id, fields: fields, key: "id")
        var context: [ContextPattern] = []
        if let contextFields = try fields.mapping("context", what: "'context'") {
            for name in contextFields.keys {
                let regexes = try contextFields.stringList(name)
                context.append(ContextPattern(name: name, regexes: regexes))
            }
        }
        let verify = try fields.string("verify"), revoke = try fields.string("revoke")
        for (key, name) in [("verify", verify), ("revoke", revoke)] {
            if let name, !ProviderAPICoverage.clients.contains(name) {
                throw fields.error(key, "names no client patrol has: '\(name)' (known: \(ProviderAPICoverage.clients.sorted().joined(separator: ", ")))")
            }
        }
        return Provider(
            id: id,
            name: try fields.requiredString("name"),
            verify: verify,
            revoke: revoke,
            remediation: try fields.string("remediation") ?? "",
            context: context,
            sourceFile: file
        )
    }

    private static func parseRule(_ node: Node, provider: Provider, file: String) throws(RuleError) -> Rule {
        let probe = try YAMLFields(node, file: file, what: "a rule")
        let id = try probe.requiredString("id")
        let fields = try YAMLFields(node, file: file, rule: id, what: "a rule")
        try fields.rejectUnknownKeys(ruleKeys)
        try checkIdentifier(id, fields: fields, key: "id")

        let keywords = try fields.stringList("keywords")
        let candidates = try fields.string("candidates")
        if keywords.isEmpty && candidates == nil {
            throw fields.error("keywords", "is required (or 'candidates' for a rule with no literal)")
        }
        if !keywords.isEmpty && candidates != nil {
            throw fields.error("candidates", "cannot be combined with 'keywords'")
        }
        for keyword in keywords where keyword.utf8.count < 3 {
            throw fields.error("keywords", "entry '\(keyword)' is shorter than 3 bytes, which would run the regex almost everywhere")
        }
        let caseInsensitive: Bool
        switch try fields.string("keywords-case") {
        case nil, "sensitive": caseInsensitive = false
        case "insensitive": caseInsensitive = true
        case let other?: throw fields.error("keywords-case", "must be 'sensitive' or 'insensitive', not '\(other)'")
        }
        let confidenceText = try fields.string("confidence") ?? "medium"
        guard let confidence = Confidence(rawValue: confidenceText) else {
            throw fields.error("confidence", "must be high, medium or low, not '\(confidenceText)'")
        }
        var include: [String] = []
        var exclude: [String] = []
        if let paths = try fields.mapping("paths", what: "'paths'") {
            try paths.rejectUnknownKeys(["include", "exclude"])
            include = try paths.stringList("include")
            exclude = try paths.stringList("exclude")
        }
        let entropy = try fields.double("entropy")
        if let entropy, !(0...8).contains(entropy) {
            throw fields.error("entropy", "must be between 0 and 8 bits per byte")
        }
        return Rule(
            id: id,
            name: try fields.requiredString("name"),
            providerID: provider.id,
            regex: try fields.requiredString("regex"),
            keywords: keywords,
            keywordsCaseInsensitive: caseInsensitive,
            candidates: candidates,
            validate: try fields.string("validate"),
            entropy: entropy,
            confidence: confidence,
            includePaths: include,
            excludePaths: exclude,
            allow: try fields.stringList("allow"),
            examples: try fields.stringList("examples"),
            negativeExamples: try fields.stringList("negative-examples"),
            isOverride: try fields.bool("override") ?? false,
            sourceFile: file
        )
    }

    private static func checkIdentifier(_ id: String, fields: YAMLFields, key: String) throws(RuleError) {
        let valid = !id.isEmpty && id.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
        if !valid { throw fields.error(key, "'\(id)' must be lowercase letters, digits, '-', '.' or '_'") }
    }
}
