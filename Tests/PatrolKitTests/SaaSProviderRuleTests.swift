import Foundation
import Testing
@testable import PatrolKit

/// The chat, SaaS, observability, payment and AI provider rules in situations their one-line
/// examples cannot show: Twilio's account SID and auth token as a pair, values that are reported
/// only next to their provider's name, the context a finding carries, and the generic heuristic
/// yielding to them. Token-shaped text is generated here at run time; nothing valid is committed.
@Suite struct SaaSProviderRuleTests {
    static let ruleSet = try! RuleLoader.load()
    static let hex = "0123456789abcdef"
    static let base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    private func occurrences(_ ruleID: String, in text: String) throws -> [Occurrence] {
        let index = try #require(Self.ruleSet.index(ofRule: ruleID), "no rule \(ruleID)")
        return RuleExamples.occurrences(ofRule: index, in: text, ruleSet: Self.ruleSet)
    }

    /// Every rule at once, generic heuristic included, as `patrol scan` runs them.
    private func allRules(in text: String) -> [(rule: String, secret: String)] {
        let scanner = InputScanner(ruleSet: Self.ruleSet, chunkCapacity: 1 << 18)
        guard case .scanned(_, let found) = scanner.scan(bytes: Array(text.utf8)) else { return [] }
        return found.map { (Self.ruleSet.rules[$0.rule].id, $0.secret) }
    }

    private func random(_ alphabet: String, _ count: Int, _ rng: inout SeededGenerator) -> String {
        RandomText.string(from: Array(alphabet.utf8), count: count, using: &rng)
    }

    /// 32 hex characters with at least one letter and one digit, as the auth token rule wants.
    private func hexToken(_ rng: inout SeededGenerator) -> String {
        random(Self.hex, 30, &rng) + "a7"
    }

    // MARK: - Twilio pairs

    @Test func aTwilioAuthTokenNextToItsAccountSidIsOneFindingWithTheSidAsContext() throws {
        var rng = SeededGenerator(seed: 161)
        let sid = "AC" + hexToken(&rng)
        let token = hexToken(&rng)
        let text = "TWILIO_ACCOUNT_SID=\(sid)\nTWILIO_AUTH_TOKEN=\(token)\n"
        let found = try occurrences("twilio-auth-token", in: text)
        #expect(found.map(\.secret) == [token])
        #expect(found.first?.line == 2 && found.first?.column == 19)
        #expect(found.first?.context["account_sid"] == sid)
    }

    @Test func everyTwilioPairOfAFileIsFoundInEitherOrder() throws {
        var rng = SeededGenerator(seed: 162)
        let pairs = (0..<3).map { _ in ("AC" + hexToken(&rng), hexToken(&rng)) }
        let sidFirst = pairs.map { "[\($0.0)]\naccount_sid = \($0.0)\nauth_token = \($0.1)\n" }.joined()
        #expect(Set(try occurrences("twilio-auth-token", in: sidFirst).map(\.secret)) == Set(pairs.map(\.1)))
        let tokenFirst = pairs.map { "auth_token: \($0.1)\naccount_sid: \($0.0)\n" }.joined()
        #expect(Set(try occurrences("twilio-auth-token", in: tokenFirst).map(\.secret)) == Set(pairs.map(\.1)))
    }

    @Test func aTwilioTokenAloneTooFarFromItsSidOrAnApiKeySidIsNotAnAuthToken() throws {
        var rng = SeededGenerator(seed: 163)
        let sid = "AC" + hexToken(&rng)
        let token = hexToken(&rng)
        #expect(try occurrences("twilio-auth-token", in: "TWILIO_AUTH_TOKEN=\(token)\n").isEmpty)
        #expect(try occurrences("twilio-auth-token", in: "TWILIO_ACCOUNT_SID=\(sid)\n").isEmpty)
        let far = "TWILIO_ACCOUNT_SID=\(sid)\n" + String(repeating: "# padding line\n", count: 25) + "TWILIO_AUTH_TOKEN=\(token)\n"
        #expect(try occurrences("twilio-auth-token", in: far).isEmpty)
        // An API key SID's hex is glued to its SK, a commit hash is 40 long: neither is a token.
        let key = "SK" + hexToken(&rng)
        let noToken = "account_sid=\(sid)\napi_key=\(key)\ncommit=\(random(Self.hex, 40, &rng))\n"
        #expect(try occurrences("twilio-auth-token", in: noToken).isEmpty)
        #expect(try occurrences("twilio-api-key", in: noToken).map(\.secret) == [key])
    }

    // MARK: - Values that need their provider's name

    @Test func hexKeysAreReportedOnlyUnderTheirProvidersName() throws {
        var rng = SeededGenerator(seed: 164)
        let apiKey = hexToken(&rng)
        let appKey = random(Self.hex, 38, &rng) + "b2"
        #expect(try occurrences("datadog-api-key", in: "DD_API_KEY=\(apiKey)").map(\.secret) == [apiKey])
        #expect(try occurrences("datadog-app-key", in: "DATADOG_APP_KEY: \"\(appKey)\"").map(\.secret) == [appKey])
        #expect(try occurrences("datadog-api-key", in: "api_key=\(apiKey)").isEmpty)
        #expect(try occurrences("datadog-api-key", in: "DD_TRACE_ID=\(apiKey)").isEmpty)
        #expect(try occurrences("datadog-app-key", in: "\"name\": \"datadog/dd-trace\", \"reference\": \"\(appKey)\"").isEmpty)
        #expect(try occurrences("mailgun-api-key", in: "cache_key = key-\(apiKey)").isEmpty)
        #expect(try occurrences("mailgun-api-key", in: "MAILGUN_API_KEY=key-\(apiKey)").map(\.secret) == ["key-" + apiKey])
    }

    @Test func aProviderRuleReportsANamedValueOnceInsteadOfTheGenericHeuristic() throws {
        var rng = SeededGenerator(seed: 165)
        let token = random(Self.base62, 38, &rng) + "Q7"
        let found = allRules(in: "ZENDESK_API_TOKEN=\(token)\n")
        #expect(found.map(\.rule) == ["zendesk-api-token"])
        #expect(found.map(\.secret) == [token])
        // Without the provider's name the same value is the generic heuristic's, at low confidence.
        #expect(allRules(in: "API_TOKEN=\(token)\n").map(\.rule) == ["generic-token"])
    }

    // MARK: - Context

    @Test func findingsCarryTheOrgEnvironmentAndTenantFoundNearby() throws {
        var rng = SeededGenerator(seed: 166)
        let okta = "00" + random(Self.base62, 38, &rng) + "aZ"
        let oktaText = "okta:\n  orgUrl: https://dev-314159.okta.com\n  token: \(okta)\n"
        let oktaFound = try occurrences("okta-api-token", in: oktaText)
        #expect(oktaFound.map(\.secret) == [okta])
        #expect(oktaFound.first?.context["org"] == "dev-314159.okta.com")
        // Okta's own authorisation scheme names the token without the word okta.
        #expect(try occurrences("okta-api-token", in: "Authorization: SSWS \(okta)").map(\.secret) == [okta])

        let dynatrace = "dt0c01." + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 24, &rng) + "." + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 64, &rng)
        let dynatraceText = "apiUrl: https://abc12345.live.dynatrace.com/api\napiToken: \(dynatrace)\n"
        let dynatraceFound = try occurrences("dynatrace-token", in: dynatraceText)
        #expect(dynatraceFound.map(\.secret) == [dynatrace])
        #expect(dynatraceFound.first?.context["environment"] == "abc12345.live.dynatrace.com")
    }

    // MARK: - Webhook URLs

    @Test func aPowerAutomateUrlIsReportedWholeOnlyWithItsSignature() throws {
        var rng = SeededGenerator(seed: 167)
        let base = "https://prod-27.westeurope.logic.azure.com:443/workflows/\(random(Self.hex, 32, &rng))/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
        let url = base + "&sig=" + random(Self.base62 + "-_", 41, &rng) + "x9"
        let found = try occurrences("teams-workflow-url", in: "curl -X POST '\(url)' -d @card.json")
        #expect(found.map(\.secret) == [url])
        #expect(found.first?.column == 15)
        #expect(try occurrences("teams-workflow-url", in: "curl -X POST '\(base)' -d @card.json").isEmpty)
    }
}
