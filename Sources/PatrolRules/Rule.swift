/// How sure patrol is that a match is a real secret.
public enum Confidence: String, Sendable, Comparable, CaseIterable, Codable {
    /// A generic heuristic (a credential-like name and an entropy floor).
    case low
    /// A distinctive shape with no checksum, or a checksum layout marked unverified.
    case medium
    /// Proven by a checksum or a fixed structure.
    case high

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rank < rhs.rank }
}

/// One provider's block of a rule file: who issues the tokens and how to recover from a leak.
public struct Provider: Sendable, Equatable {
    public let id: String
    public let name: String
    /// Name of a verifier in PatrolRevoke, if any.
    public let verify: String?
    /// Name of a revoker in PatrolRevoke, if any.
    public let revoke: String?
    /// Markdown; may use `{org}`, `{path}`, `{commit}`.
    public let remediation: String
    /// Values looked for near a finding (e.g. `org` from a `dev.azure.com/org` URL): each name
    /// with its regexes, which capture the value in a group named `value`.
    public let context: [ContextPattern]
    /// The rule file this provider came from, for messages.
    public let sourceFile: String

    package init(id: String, name: String, verify: String?, revoke: String?, remediation: String, context: [ContextPattern], sourceFile: String) {
        self.id = id
        self.name = name
        self.verify = verify
        self.revoke = revoke
        self.remediation = remediation
        self.context = context
        self.sourceFile = sourceFile
    }
}

/// A named value extracted near a finding, such as the Azure DevOps organisation.
public struct ContextPattern: Sendable, Equatable {
    public let name: String
    public let regexes: [String]

    package init(name: String, regexes: [String]) {
        self.name = name
        self.regexes = regexes
    }
}

/// One detection rule, as written in a `patterns/*.yml` file. Rules are data: validators,
/// candidate scans and generators are code that a rule names.
public struct Rule: Sendable, Equatable {
    public let id: String
    public let name: String
    public let providerID: String
    /// PCRE2 pattern; the secret is the named group `secret`, else the whole match.
    public let regex: String
    /// Literals that must occur for the rule to run; the regex is confirmed around each hit.
    public let keywords: [String]
    public let keywordsCaseInsensitive: Bool
    /// A named candidate scan used instead of keywords for rules with no literal.
    public let candidates: String?
    /// A named offline validator (checksum or structure).
    public let validate: String?
    /// Minimum Shannon entropy in bits per byte of the secret.
    public let entropy: Double?
    public let confidence: Confidence
    public let includePaths: [String]
    public let excludePaths: [String]
    /// Regexes: a secret matching one is not reported.
    public let allow: [String]
    public let examples: [String]
    public let negativeExamples: [String]
    /// Replaces a built-in rule with the same id.
    public let isOverride: Bool
    /// The rule file this rule came from, for messages.
    public let sourceFile: String

    package init(
        id: String, name: String, providerID: String, regex: String, keywords: [String], keywordsCaseInsensitive: Bool,
        candidates: String?, validate: String?, entropy: Double?, confidence: Confidence, includePaths: [String],
        excludePaths: [String], allow: [String], examples: [String], negativeExamples: [String], isOverride: Bool, sourceFile: String
    ) {
        self.id = id
        self.name = name
        self.providerID = providerID
        self.regex = regex
        self.keywords = keywords
        self.keywordsCaseInsensitive = keywordsCaseInsensitive
        self.candidates = candidates
        self.validate = validate
        self.entropy = entropy
        self.confidence = confidence
        self.includePaths = includePaths
        self.excludePaths = excludePaths
        self.allow = allow
        self.examples = examples
        self.negativeExamples = negativeExamples
        self.isOverride = isOverride
        self.sourceFile = sourceFile
    }
}
