import Foundation

/// A rule example that did not behave: a positive one that found nothing, a negative one that
/// found something, or a placeholder the rule cannot fill.
public struct ExampleFailure: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let rule: String
    /// The example as written in the rule file (placeholders not expanded).
    public let example: String
    public let reason: String

    public var description: String {
        "example \(Self.quote(example)) \(reason)"
    }

    static func quote(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}

/// Runs rule examples through the real engine (prefilter, regex, validator, entropy, allow).
///
/// `{{generate}}` in an example becomes a fresh token from the rule's validator,
/// `{{generate-bad-checksum}}` one of the right shape whose checksum fails, and
/// `{{base62:24}}` (or hex, HEX, base64, base64url, base32, lower, upper, digits, alnum) that many
/// random characters, so no token-shaped literal is ever committed whole in a rule file.
public enum RuleExamples {
    public static let generatePlaceholder = "{{generate}}"
    public static let badChecksumPlaceholder = "{{generate-bad-checksum}}"

    /// An example with its placeholders filled.
    public struct Expanded: Sendable {
        public let text: String
        /// The valid tokens put in for `{{generate}}`, in order.
        public let tokens: [String]
    }

    public enum ExpansionError: Error, Equatable {
        case noValidator
        /// The validator checks structure that changing a character does not break.
        case cannotCorrupt
    }

    /// Alphabets of `{{alphabet:N}}` placeholders: N random characters, so examples of rules
    /// without a checksum do not commit a whole token-shaped literal either.
    static let placeholderAlphabets: [String: [UInt8]] = [
        "base62": Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8),
        "alnum": Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8),
        "hex": Array("0123456789abcdef".utf8),
        "HEX": Array("0123456789ABCDEF".utf8),
        "base64": Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8),
        "base64url": Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8),
        "base32": Array("abcdefghijklmnopqrstuvwxyz234567".utf8),
        "lower": Array("abcdefghijklmnopqrstuvwxyz".utf8),
        "upper": Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8),
        "digits": Array("0123456789".utf8),
    ]

    static func expand(_ template: String, validator: Validator?, using rng: inout SeededGenerator) throws(ExpansionError) -> Expanded {
        guard template.contains("{{") else { return Expanded(text: template, tokens: []) }
        var text = ""
        var tokens: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            text += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
            switch name {
            case "generate":
                guard let validator else { throw .noValidator }
                let token = validator.generate(&rng)
                tokens.append(token)
                text += token
            case "generate-bad-checksum":
                guard let validator else { throw .noValidator }
                guard let corrupted = validator.generateCorrupted(using: &rng) else { throw .cannotCorrupt }
                text += corrupted
            default:
                let parts = name.split(separator: ":")
                if parts.count == 2, let alphabet = placeholderAlphabets[String(parts[0])], let count = Int(parts[1]), count > 0, count <= 4096 {
                    text += String(decoding: (0..<count).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self)
                } else {
                    text += "{{" + name + "}}"
                }
            }
        }
        text += rest
        return Expanded(text: text, tokens: tokens)
    }

    /// Expands an example of the rule `ruleID`.
    public static func expand(_ template: String, rule ruleID: String, in ruleSet: RuleSet, seed: UInt64) -> Expanded? {
        guard let index = ruleSet.index(ofRule: ruleID) else { return nil }
        var rng = SeededGenerator(seed: seed)
        return try? expand(template, validator: ruleSet.compiled[index].validator, using: &rng)
    }

    /// Secrets the rule `ruleID` reports in `text`, with 1-based line and byte column.
    public static func findings(of ruleID: String, in text: String, ruleSet: RuleSet) -> [(secret: String, line: Int, column: Int)] {
        guard let index = ruleSet.index(ofRule: ruleID) else { return [] }
        return occurrences(ofRule: index, in: text, ruleSet: ruleSet).map { ($0.secret, $0.line, $0.column) }
    }

    static func occurrences(ofRule index: Int, in text: String, ruleSet: RuleSet) -> [Occurrence] {
        var enabled = [Bool](repeating: false, count: ruleSet.compiled.count)
        enabled[index] = true
        let scanner = InputScanner(ruleSet: ruleSet, chunkCapacity: 1 << 18)
        switch scanner.scan(bytes: Array(text.utf8), enabled: enabled) {
        case .scanned(_, let occurrences): return occurrences
        case .skipped, .failed: return []
        }
    }

    /// Runs every example and negative example of `ruleID`; an empty result means all passed.
    /// The seed examples are expanded with unless another is asked for: fixed, so a rule file
    /// that loads (or a `patrol rules test` that passes) does so every time. A random part can
    /// miss a rule's constraint by chance (a `{{base62:32}}` without a digit, a `{{hex:32}}`
    /// under an entropy floor); other seeds (`patrol rules test --seed N`) shake those out.
    public static let defaultSeed: UInt64 = 1

    public static func run(rule ruleID: String, in ruleSet: RuleSet, seed: UInt64 = defaultSeed) -> [ExampleFailure] {
        guard let index = ruleSet.index(ofRule: ruleID) else { return [] }
        let compiled = ruleSet.compiled[index]
        let rule = compiled.rule
        var rng = SeededGenerator(seed: seed)
        var failures: [ExampleFailure] = []
        func fail(_ example: String, _ reason: String) {
            failures.append(ExampleFailure(file: rule.sourceFile, rule: rule.id, example: example, reason: reason))
        }
        if rule.examples.isEmpty { fail("", "is missing: every rule needs at least one example") }
        for (template, positive) in rule.examples.map({ ($0, true) }) + rule.negativeExamples.map({ ($0, false) }) {
            let expanded: Expanded
            do {
                expanded = try expand(template, validator: compiled.validator, using: &rng)
            } catch .cannotCorrupt {
                fail(template, "uses {{generate-bad-checksum}} but the rule's validator cannot make a failing look-alike")
                continue
            } catch {
                fail(template, "uses {{generate}} but the rule has no validator to generate a token")
                continue
            }
            let found = occurrences(ofRule: index, in: expanded.text, ruleSet: ruleSet)
            if positive {
                if found.isEmpty {
                    fail(template, "should match but does not")
                } else if let missing = expanded.tokens.first(where: { token in !found.contains { $0.secret == token } }) {
                    fail(template, "should report the generated token as the secret, but reported \(found.map { Redaction.redact($0.secret) }) instead of \(Redaction.redact(missing))")
                }
            } else if !found.isEmpty {
                fail(template, "should not match but reports \(found.map { Redaction.redact($0.secret) })")
            }
        }
        return failures
    }
}

/// Distinct, well-mixed seeds for a series of generated tokens (`patrol rules generate
/// --count`): consecutive integers would make SplitMix64 produce the same stream shifted by one.
public struct SeedSequence: Sendable {
    private var generator: SeededGenerator

    public init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    public mutating func next() -> UInt64 {
        generator.next()
    }
}
