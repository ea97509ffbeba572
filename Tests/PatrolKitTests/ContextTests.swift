import Foundation
import Testing
@testable import PatrolKit

/// Contexts that used to hide a token (issue 16 §4): terminal escape sequences before it, JSON
/// and markup escapes inside it, string literals joined in code around it, a lone AWS key id;
/// and look-alikes that used to be reported: public example JWTs, GitLab tokens whose checksum
/// fails, typed placeholders. Every scan runs the whole rule set, as `patrol scan` does, and
/// tokens are generated here (no whole token is written in this file).
@Suite struct ContextTests {
    static let ruleSet = try! RuleLoader.load()

    /// (rule id, secret, decoding, line, column, end line, end column) of every finding in `text`.
    private func scan(_ text: String) -> [(rule: String, secret: String, decoding: String, line: Int, column: Int, endLine: Int, endColumn: Int)] {
        let scanner = InputScanner(ruleSet: Self.ruleSet, chunkCapacity: 1 << 18)
        guard case .scanned(_, let occurrences) = scanner.scan(bytes: Array(text.utf8)) else { return [] }
        return occurrences.map { (Self.ruleSet.compiled[$0.rule].rule.id, $0.secret, $0.decoding, $0.line, $0.column, $0.endLine, $0.endColumn) }
    }

    private func token(_ validator: String, seed: UInt64) throws -> String {
        var rng = SeededGenerator(seed: seed)
        return try #require(Validator.builtIn[validator]).generate(&rng)
    }

    private func random(_ alphabet: String, _ count: Int, _ rng: inout SeededGenerator) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &rng)] })
    }

    /// A Slack webhook URL of the rule's shape, built from random parts.
    private func slackWebhook(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "https://hooks.slack" + ".com/services/T" + random(upper, 9, &rng) + "/B" + random(upper, 10, &rng)
            + "/" + random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 24, &rng)
    }

    // MARK: - Terminal escape sequences

    @Test(arguments: ["\u{1B}[1m", "\u{1B}[0;32m", "\u{1B}[38;5;208m", "\u{1B}]8;;https://example.com\u{1B}\\", "\u{1B}]0;title\u{07}", "\\033[1m", "\\x1b[31m", "\\e[1;33m", "\\u001b[0m"])
    func aTokenRightAfterATerminalEscapeSequenceIsFoundAtItsOwnBytes(sequence: String) throws {
        let github = try token("github-ghp-crc32", seed: 101)
        let prefix = "2026-12-07 build: " + sequence
        let found = scan(prefix + github + "\u{1B}[0m done\n").filter { $0.rule == "github-pat" }
        #expect(found.map(\.secret) == [github], "\(sequence.debugDescription)")
        #expect(found.first?.column == prefix.utf8.count + 1)
        #expect(found.first?.endColumn == prefix.utf8.count + github.utf8.count)
        #expect(found.first?.decoding == "none")
    }

    @Test func aTerminalSequenceDoesNotGlueAWordToAToken() throws {
        // A letter before the token is still part of the word: no boundary there.
        let github = try token("github-ghp-crc32", seed: 102)
        #expect(scan("\u{1B}[1mx" + github + "\n").filter { $0.rule == "github-pat" }.isEmpty)
    }

    // MARK: - JSON and markup escapes

    @Test(arguments: [("\\/", "json-escape"), ("\\u002F", "json-escape"), ("&#x2F;", "html-entity"), ("&#x2f;", "html-entity"), ("&#47;", "html-entity"), ("&sol;", "html-entity")])
    func aWebhookUrlWithEscapedSlashesIsFoundAtItsEscapedForm(escape: String, label: String) throws {
        let url = slackWebhook(seed: 7)
        let escaped = url.replacingOccurrences(of: "/", with: escape)
        let prefix = label == "json-escape" ? "{\"text\": \"hi\", \"webhook\": \"" : "<a href=\""
        let found = scan(prefix + escaped + (label == "json-escape" ? "\"}\n" : "\">notify</a>\n")).filter { $0.rule == "slack-webhook-url" }
        #expect(found.map(\.secret) == [url], "\(escaped)")
        #expect(found.first?.decoding == label)
        #expect(found.first?.column == prefix.utf8.count + 1)
        #expect(found.first?.endColumn == prefix.utf8.count + escaped.utf8.count)
    }

    @Test(arguments: [["&#x2B;", "&#x3D;", "&#x2F;"], ["&#43;", "&#61;", "&#47;"], ["&plus;", "&equals;", "&sol;"]])
    func aTokenWithEntityEscapedCharactersIsFoundInAnXmlAttribute(escapes: [String]) throws {
        // Sentry's organisation token holds base64 with `+`, `/` and `=`.
        let sentry = try token("sentry-org-token", seed: 103)
        try #require(sentry.contains("="))
        let escaped = sentry.replacingOccurrences(of: "+", with: escapes[0]).replacingOccurrences(of: "=", with: escapes[1])
            .replacingOccurrences(of: "/", with: escapes[2])
        let prefix = "  <add key=\"SentryAuthToken\" value=\""
        let found = scan("<appSettings>\n" + prefix + escaped + "\" />\n</appSettings>\n").filter { $0.rule == "sentry-org-token" }
        #expect(found.map(\.secret) == [sentry], "\(escaped)")
        #expect(found.first?.decoding == "html-entity")
        #expect(found.first?.line == 2)
        #expect(found.first?.column == prefix.utf8.count + 1)
        #expect(found.first?.endColumn == prefix.utf8.count + escaped.utf8.count)
    }

    @Test func aTokenWithJsonUnicodeEscapesIsFound() throws {
        // .NET's System.Text.Json writes `+` as \u002B and `=` as \u003D by default.
        let sentry = try token("sentry-org-token", seed: 114)
        let escaped = sentry.replacingOccurrences(of: "+", with: "\\u002B").replacingOccurrences(of: "=", with: "\\u003D")
            .replacingOccurrences(of: "/", with: "\\/")
        let found = scan("{\"Sentry\": {\"AuthToken\": \"\(escaped)\"}}\n").filter { $0.rule == "sentry-org-token" }
        #expect(found.map(\.secret) == [sentry])
        #expect(found.first?.decoding == "json-escape")
        #expect(found.first?.column == "{\"Sentry\": {\"AuthToken\": \"".utf8.count + 1)
    }

    @Test func anAmpersandEscapedQueryKeepsItsTokenFound() throws {
        let github = try token("github-ghp-crc32", seed: 104)
        let prefix = "<a href=\"https://example.com/cb?state=1&amp;access_token="
        let found = scan(prefix + github + "&amp;x=2\">x</a>\n").filter { $0.rule == "github-pat" }
        #expect(found.map(\.secret) == [github])
        #expect(found.first?.column == prefix.utf8.count + 1)
    }

    @Test func entityFormsAreMadeOnlyForKeywordsWithEscapableCharacters() {
        func forms(_ keyword: String) -> [String] { EncodedForms.escaped(of: Array(keyword.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        #expect(forms("ghp_").isEmpty)
        #expect(forms("/webhooks/") == ["\\/webhooks\\/", "\\u002Fwebhooks\\u002F", "&#x2F;webhooks&#x2F;", "&#47;webhooks&#47;", "&sol;webhooks&sol;"])
    }

    // MARK: - Joined string literals

    @Test(arguments: [
        ("token = \"{a}\" + \"{b}\"\n", 1),                         // Java, C#, JavaScript, Go
        ("token = (\"{a}\"\n         \"{b}\")\n", 2),               // Python's implicit concatenation
        ("#define TOKEN \"{a}\" \\\n    \"{b}\"\n", 2),             // C, backslash-newline
        ("TOKEN=\"{a}\"\"{b}\"\n", 1),                               // shell
        ("const t = '{a}' +\n  '{b}';\n", 2),                        // single quotes, `+` at the line end
        ("var t = \"{a}\" + \"{b}\" + \"{c}\";\n", 1),               // three parts
    ])
    func aTokenSplitAcrossJoinedLiteralsIsFoundAtItsFirstPart(template: String, endLine: Int) throws {
        let github = try token("github-ghp-crc32", seed: 105)
        let parts = template.contains("{c}")
            ? [String(github.prefix(12)), String(github.dropFirst(12).prefix(14)), String(github.dropFirst(26))]
            : [String(github.prefix(20)), String(github.dropFirst(20))]
        var text = template.replacingOccurrences(of: "{a}", with: parts[0]).replacingOccurrences(of: "{b}", with: parts[1])
        if parts.count == 3 { text = text.replacingOccurrences(of: "{c}", with: parts[2]) }
        let found = scan(text).filter { $0.rule == "github-pat" }
        #expect(found.map(\.secret) == [github], "\(text)")
        #expect(found.first?.decoding == "concatenation")
        let column = try #require(text.range(of: parts[0])).lowerBound.utf16Offset(in: text) + 1   // ASCII text
        #expect(found.first?.line == 1)
        #expect(found.first?.column == column, "\(text)")
        #expect(found.first?.endLine == endLine)
    }

    @Test func literalsThatAreNotJoinedAreNotJoined() throws {
        let github = try token("github-ghp-crc32", seed: 106)
        let text = "args = [\"\(github.prefix(20))\", \"\(github.dropFirst(20))\"]\n"
        #expect(scan(text).filter { $0.rule == "github-pat" }.isEmpty)
        // A whole token followed by a joined literal is still found, in the clear.
        let whole = scan("url = \"\(github)\" + \"/repos\"\n").filter { $0.rule == "github-pat" }
        #expect(whole.map(\.secret) == [github])
        #expect(whole.first?.decoding == "none")
    }

    // MARK: - A lone AWS access key id

    @Test func aLoneAwsAccessKeyIdIsReportedAtLowConfidence() throws {
        var rng = SeededGenerator(seed: 107)
        let id = "AKIA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, &rng)
        let found = scan("[default]\naws_access_key_id = \(id)\nregion = eu-west-1\n")
        #expect(found.map(\.rule) == ["aws-access-key-id"])
        #expect(found.first?.secret == id)
        #expect(Self.ruleSet.rule(id: "aws-access-key-id")?.confidence == .low)
    }

    @Test func anAwsKeyIdWithItsSecretIsOneFindingNotTwo() throws {
        var rng = SeededGenerator(seed: 108)
        let id = "ASIA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, &rng)
        let key = random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", 38, &rng) + "aZ"
        for text in ["aws_access_key_id = \(id)\naws_secret_access_key = \(key)\n", "AWS_SECRET_ACCESS_KEY=\(key)\nAWS_ACCESS_KEY_ID=\(id)\n"] {
            #expect(scan(text).map(\.rule) == ["aws-access-key"], "\(text)")
        }
        // The documentation's example id is no credential.
        #expect(scan("aws_access_key_id = AKIA" + "IOSFODNN7" + "EXAMPLE\n").isEmpty)
    }

    // MARK: - Look-alikes

    /// A JWT with the given claims, signed with random bytes (HS256: 32 of them).
    private func jwt(claims: String, seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        func encode(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return encode(Array("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8)) + "." + encode(Array(claims.utf8)) + "."
            + encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    @Test(arguments: [
        "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}",               // jwt.io's default
        "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"admin\":true,\"iat\":1516239022}", // jwt.io's newer default
        "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}", // RFC 7519 §3.1
        "{\"sub\":\"1234567890\",\"name\":\"Zoë Ödön\",\"iat\":1516239022}",                // jwt.io's, renamed
        "{\"sub\":\"730448f2\",\"sts:identity_context\":\"EXAMPLEIDENTITYCONTEXT\",\"iat\":1716239022}", // AWS documentation
    ])
    func publicExampleJwtsAreNotReportedByAnyRule(claims: String) {
        let token = jwt(claims: claims, seed: 109)
        #expect(scan("Authorization: Bearer \(token)\nconst token = \"\(token)\";\n").isEmpty, "\(claims)")
    }

    /// Signed statements about data, not credentials: Hugging Face's model-card `verifyToken`
    /// (claims `hash` and `version` only).
    @Test(arguments: ["{\"hash\":\"08a689c3bdd5a22a00de09a3e4bc7c3d3b07e514356151522150f5c1324cc5cb\",\"version\":1}", "{\"digest\":\"abc\",\"size\":12}"])
    func aJwtWhoseClaimsNameNoHolderIsNotReportedByAnyRule(claims: String) {
        let token = jwt(claims: claims, seed: 113)
        let text = "\"metrics\":[{\"type\":\"f1\",\"verified\":true,\"verifyToken\":\"\(token)\"}]\nAuthorization: Bearer \(token)\n"
        #expect(scan(text).isEmpty, "\(claims)")
    }

    @Test(arguments: ["{\"user_id\":42,\"hash\":\"abc\"}", "{\"scope\":\"read\"}", "{\"exp\":1900000000}", "{\"data\":\"x\",\"clientId\":\"c1\"}"])
    func aJwtNamingAHolderOrAGrantIsReported(claims: String) {
        let token = jwt(claims: claims, seed: 114)
        #expect(scan("Authorization: Bearer \(token)\n").map(\.rule) == ["jwt"], "\(claims)")
    }

    @Test func aJwtWithOtherClaimsIsStillReported() {
        let token = jwt(claims: "{\"sub\":\"1234567890\",\"name\":\"Ada Lovelace\",\"iat\":1716239022}", seed: 110)
        #expect(scan("Authorization: Bearer \(token)\n").map(\.rule) == ["jwt"])
    }

    @Test func aVersionedGitLabTokenWithAFailedChecksumIsReportedByNoRule() throws {
        let valid = try token("gitlab-routable-v1", seed: 111)
        let broken = String(valid.dropLast()) + (valid.hasSuffix("0") ? "1" : "0")
        #expect(scan("GITLAB_TOKEN=\(valid)\n").map(\.rule) == ["gitlab-pat-routable-v1"])
        for text in ["GITLAB_TOKEN=\(broken)\n", "private_token: \"\(broken)\"\n", "export API_TOKEN='\(broken)'\n"] {
            #expect(scan(text).isEmpty, "\(text)")
        }
    }

    @Test func lookAlikesWhoseChecksumFailsAreNotReportedByTheGenericRules() throws {
        for validator in ["github-ghp-crc32", "gitlab-routable"] {
            let valid = try token(validator, seed: 112)
            let broken = String(valid.dropLast()) + (valid.hasSuffix("a") ? "b" : "a")
            for text in ["api_token = \"\(broken)\"\n", "SECRET_KEY=\(broken)\n", "{\"password\": \"\(broken)\"}\n"] {
                #expect(scan(text).isEmpty, "\(text)")
            }
        }
    }

    @Test(arguments: [
        "ghp_0123456789abcdef0123456789abcdef0123",
        "api_key = \"0123456789abcdef0123456789abcdef\"",
        "token: abcdefghijklmnopqrstuvwxyz012345",
        "SECRET_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "password = \"ABCDEFGHIJKLMNOP1234\"",
        "hf_" + "abcdefghijklmnopqrstuvwxyzABCDEFGH",
    ])
    func typedPlaceholdersAreNotReported(text: String) {
        #expect(scan(text + "\n").isEmpty, "\(text)")
    }

    @Test func runsInRandomTextAreRareEnoughToKeepRealTokens() {
        func fake(_ text: String) -> Bool { Array(text.utf8).withUnsafeBytes(ObviousFake.isFake) }
        #expect(fake("aa01234567bb"))
        #expect(!fake("aa0123456bb"), "seven in sequence is not enough")
        #expect(fake("xxxxxxxx"))
        #expect(!fake("AAAAAAAAAAAAAAAAAAAA"), "base64 of zero bytes")
        #expect(!fake(String(repeating: "x", count: 200)), "long values are not checked")
        var rng = SeededGenerator(seed: 113)
        var fakes = 0
        for _ in 0..<2000 where fake(random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 40, &rng)) { fakes += 1 }
        #expect(fakes == 0)
    }
}
