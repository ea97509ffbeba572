import Foundation
import Testing
@testable import PatrolKit

/// Every rule proves itself with its own examples, and keeps working when an example is
/// wrapped the way secrets really appear: in JSON, YAML, `.env`, a URL, with CRLF line ends,
/// after multi-byte characters — each time at the exact line and byte column. Glued word
/// characters must stop a match.
@Suite struct RuleExamplesTests {
    static let ruleSet = try! RuleLoader.load()
    static let ruleIDs = ruleSet.rules.map(\.id)

    @Test(arguments: ruleIDs)
    func examplesAndNegativeExamplesPass(ruleID: String) {
        for seed: UInt64 in [1, 2, 3] {
            let failures = RuleExamples.run(rule: ruleID, in: Self.ruleSet, seed: seed)
            #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
        }
    }

    @Test(arguments: ruleIDs)
    func everyRuleHasExamplesOfBothKinds(ruleID: String) throws {
        let rule = try #require(Self.ruleSet.rule(id: ruleID))
        #expect(rule.examples.count >= 3)
        #expect(rule.negativeExamples.count >= 2)
    }

    /// A way of embedding an example, and the byte offset where the example lands.
    struct Wrapper: CustomStringConvertible, Sendable {
        let description: String
        let wrap: @Sendable (String) -> String
    }

    static let wrappers: [Wrapper] = [
        Wrapper(description: "plain") { $0 },
        Wrapper(description: "json") { "{\n  \"settings\": {\"value\": \"" + jsonEscaped($0) + "\"}\n}\n" },
        Wrapper(description: "yaml block") { "config:\n  script: |\n" + $0.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n" },
        Wrapper(description: ".env") { "# settings\nAPP_NAME=demo\nVALUE=" + $0 + "\n" },
        Wrapper(description: "crlf") { "first line\r\n" + $0.replacingOccurrences(of: "\n", with: "\r\n") + "\r\nlast\r\n" },
        Wrapper(description: "multi-byte prefix") { "# café — 日本語 🚀\nπ = \"ü\"; " + $0 },
        Wrapper(description: "deep line") { String(repeating: "// filler line\n", count: 40) + "\t\t" + $0 },
    ]

    @Test(arguments: ruleIDs)
    func examplesAreFoundAtTheExactPositionInEveryWrapper(ruleID: String) throws {
        let rule = try #require(Self.ruleSet.rule(id: ruleID))
        for (index, template) in rule.examples.enumerated() {
            let expanded = try #require(RuleExamples.expand(template, rule: ruleID, in: Self.ruleSet, seed: UInt64(index) + 50))
            let tokens = try expectedSecrets(expanded, ruleID: ruleID)
            for wrapper in Self.wrappers {
                let text = wrapper.wrap(expanded.text)
                let found = RuleExamples.findings(of: ruleID, in: text, ruleSet: Self.ruleSet)
                for token in tokens {
                    let (line, column) = try position(of: token, in: text)
                    #expect(found.contains { $0.secret == token && $0.line == line && $0.column == column },
                            "\(wrapper): \(ExampleFailure.quote(template)) expected \(Redaction.redact(token)) at \(line):\(column), found \(found.map { "\(Redaction.redact($0.secret))@\($0.line):\($0.column)" })")
                }
            }
            // The same token inside a URL's user info — for tokens that stand alone (an AWS
            // secret key is a finding only next to its key id, which a URL does not carry).
            for token in tokens where !RuleExamples.findings(of: ruleID, in: token, ruleSet: Self.ruleSet).isEmpty {
                let url = "remote = https://build:\(token)@dev.azure.com/contoso/_git/repo\n"
                let found = RuleExamples.findings(of: ruleID, in: url, ruleSet: Self.ruleSet)
                #expect(found.contains { $0.secret == token && $0.line == 1 && $0.column == 24 }, "url: \(ExampleFailure.quote(template))")
            }
        }
    }

    /// Formats whose length is not published and has no structure that marks the end (no
    /// checksum, no fixed length, no base64 padding): a token glued to word characters is the
    /// same text as a longer token, so no rule can tell them apart. Each says why.
    static let unboundedFormats: [String: String] = [
        "google-oauth-token": "ya29. access tokens are unpadded base64url whose length Google does not fix (about 150 to 250)",
        "slack-config-token": "xoxe.xoxp-1- bodies encode the team, user and app ids, whose digit counts vary",
        "slack-config-refresh": "xoxe-1- bodies encode the team, user and app ids, whose digit counts vary",
        "vault-batch-token": "batch tokens are encrypted blobs as long as what they carry; short hvs. tokens have no published length",
    ]

    @Test func unboundedFormatsAreRealRulesWithVariableLengthExamples() throws {
        for (ruleID, _) in Self.unboundedFormats {
            let rule = try #require(Self.ruleSet.rule(id: ruleID), "\(ruleID) is not a rule")
            #expect(rule.examples.count >= 2, "\(ruleID)")
        }
    }

    @Test(arguments: ruleIDs)
    func gluedWordCharactersStopAMatch(ruleID: String) throws {
        let rule = try #require(Self.ruleSet.rule(id: ruleID))
        // A generic value is delimited by its assignment (quotes, `=`, `@`), not by its own
        // alphabet: glued characters are part of the value. So is a password in a database
        // URI, which a provider rule judges as the generic rules do (`validate: generic-secret`).
        if rule.providerID == "generic" || rule.validate == "generic-secret" { return }
        if Self.unboundedFormats[ruleID] != nil { return }
        for (index, template) in rule.examples.enumerated() {
            let expanded = try #require(RuleExamples.expand(template, rule: ruleID, in: Self.ruleSet, seed: UInt64(index) + 90))
            // Gluing word characters only matters where the secret has a word character at its edge.
            for token in try expectedSecrets(expanded, ruleID: ruleID) where isWordByte(token.utf8.first) && isWordByte(token.utf8.last) {
                for glued in ["xq7" + token, token + "xq7", "Zb2" + token + "k5"] {
                    let text = expanded.text.replacingOccurrences(of: token, with: glued)
                    let found = RuleExamples.findings(of: ruleID, in: text, ruleSet: Self.ruleSet)
                    #expect(!found.contains { $0.secret == token || glued.contains($0.secret) },
                            "\(ExampleFailure.quote(template)) glued as \(Redaction.redact(glued)) still reports \(found.map { Redaction.redact($0.secret) })")
                }
            }
        }
    }

    @Test(arguments: ruleIDs)
    func negativeExamplesStayQuietInEveryWrapper(ruleID: String) throws {
        let rule = try #require(Self.ruleSet.rule(id: ruleID))
        for (index, template) in rule.negativeExamples.enumerated() {
            let expanded = try #require(RuleExamples.expand(template, rule: ruleID, in: Self.ruleSet, seed: UInt64(index) + 70))
            for wrapper in Self.wrappers {
                let found = RuleExamples.findings(of: ruleID, in: wrapper.wrap(expanded.text), ruleSet: Self.ruleSet)
                #expect(found.isEmpty, "\(wrapper): \(ExampleFailure.quote(template)) reports \(found.map { Redaction.redact($0.secret) })")
            }
        }
    }

    /// The secrets an example must yield: its generated tokens, or for a literal example what
    /// the plain example reports.
    private func expectedSecrets(_ expanded: RuleExamples.Expanded, ruleID: String) throws -> [String] {
        if !expanded.tokens.isEmpty { return expanded.tokens }
        let plain = RuleExamples.findings(of: ruleID, in: expanded.text, ruleSet: Self.ruleSet)
        try #require(!plain.isEmpty, "example \(ExampleFailure.quote(expanded.text)) reports nothing")
        return plain.map(\.secret)
    }

    /// 1-based line and byte column of the first occurrence of `token` in `text`.
    private func position(of token: String, in text: String) throws -> (Int, Int) {
        let bytes = Array(text.utf8)
        let needle = Array(token.utf8)
        let offset = try #require((0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) })
        let before = bytes[..<offset]
        let line = before.filter { $0 == 0x0A }.count + 1
        let lineStart = (before.lastIndex(of: 0x0A) ?? -1) + 1
        return (line, offset - lineStart + 1)
    }
}

private func isWordByte(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
}

private func jsonEscaped(_ text: String) -> String {
    var result = ""
    for character in text {
        switch character {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        default: result.append(character)
        }
    }
    return result
}
