import Foundation
@testable import PatrolKit
@testable import PatrolRevoke

/// Synthetic tokens with valid checksums, made fresh in each test (never committed whole).
enum Secrets {
    static let ruleSet: RuleSet = try! RuleLoader.load()

    static func azureDevOps(seed: UInt64, year: Int = 2026, month: Int = 3) -> String {
        var rng = SeededGenerator(seed: seed)
        return AzureDevOpsCaskChecksum.generate(using: &rng, year: year, month: month)
    }

    static func example(_ template: String, rule: String, seed: UInt64) -> String {
        RuleExamples.expand(template, rule: rule, in: ruleSet, seed: seed)!.text
    }

    static func gitHub(seed: UInt64) -> String { example("{{generate}}", rule: "github-pat", seed: seed) }
    static func gitLab(seed: UInt64) -> String { example("{{generate}}", rule: "gitlab-pat-routable", seed: seed) }
    static func slack(seed: UInt64) -> String { example("xoxb-{{digits:12}}-{{digits:13}}-{{base62:24}}", rule: "slack-bot-token", seed: seed) }
}

/// Tokens as `verify` and `revoke` get them from a report.
enum Leaked {
    static func token(_ secret: String, rule: String, provider: String, context: [String: String] = [:]) -> LeakedToken {
        LeakedToken(secret: secret, fingerprint: Finding.fingerprint(rule: rule, secret: secret), rule: rule, provider: provider,
                    providerName: provider, verifier: provider, revoker: provider, context: context, place: "app.env:1", manualSteps: nil)
    }

    static func azureDevOps(_ secret: String, org: String? = "contoso") -> LeakedToken {
        token(secret, rule: "azure-devops-pat", provider: "azure-devops", context: org.map { ["org": $0] } ?? [:])
    }
    static func gitHub(_ secret: String) -> LeakedToken { token(secret, rule: "github-pat", provider: "github") }
    static func gitLab(_ secret: String) -> LeakedToken { token(secret, rule: "gitlab-pat-routable", provider: "gitlab") }
    static func slack(_ secret: String) -> LeakedToken { token(secret, rule: "slack-bot-token", provider: "slack") }
}

extension FakeProviders {
    /// Small timeouts and backoffs, so retries and timeouts cost a test little.
    func access(timeout: Double = 2, settings: RevokeSettings = RevokeSettings()) throws -> ProviderAccess {
        ProviderAccess(endpoints: try ProviderEndpoints.from(environment: environment), timeout: timeout,
                       retry: RetryPolicy(maxRetries: 3, initialBackoff: 0.01, maxWait: 5), userAgent: "patrol-test", settings: settings)
    }

    static let jane = AzureUser(id: "6f1c0c3e-0000-4000-8000-00000000000a", name: "Jane Doe", descriptor: "aad.SmFuZURvZQ")
    static let sam = AzureUser(id: "6f1c0c3e-0000-4000-8000-00000000000b", name: "Sam Roe", descriptor: "aad.U2FtUm9l")

    /// Jane's five tokens over three pages of two: one active from March 2026 (the leaked one),
    /// one from March 2026 that expired, and three from other months.
    func addJanesTokens(leaked: String, secondFromMarch: Bool = false) {
        addAzureUser(Self.jane, entraToken: "entra-jane")
        addAzureUser(Self.sam, entraToken: "entra-sam")
        addAzureToken(AzureToken(authorizationId: "a0000000-0000-4000-8000-000000000001", owner: Self.jane.id, displayName: "old build", scope: "vso.build",
                                 validFrom: "2025-11-03T09:00:00.00Z", validTo: "2027-11-03T09:00:00.00Z"))
        addAzureToken(AzureToken(authorizationId: "a0000000-0000-4000-8000-000000000002", owner: Self.jane.id, displayName: "expired march", scope: "vso.code",
                                 validFrom: "2026-03-01T09:00:00.00Z", validTo: "2026-04-01T09:00:00.00Z"))
        addAzureToken(AzureToken(authorizationId: "a0000000-0000-4000-8000-000000000003", owner: Self.jane.id, displayName: "february", scope: "vso.work",
                                 validFrom: "2026-02-20T09:00:00.00Z", validTo: "2027-02-20T09:00:00.00Z"))
        addAzureToken(AzureToken(authorizationId: "a0000000-0000-4000-8000-000000000004", owner: Self.jane.id, displayName: "deploy", scope: "vso.code vso.packaging",
                                 validFrom: "2026-03-10T12:30:00.1234567Z", validTo: "2027-03-10T12:30:00.1234567Z", secret: leaked))
        addAzureToken(AzureToken(authorizationId: "a0000000-0000-4000-8000-000000000005", owner: Self.jane.id, displayName: secondFromMarch ? "march too" : "may",
                                 scope: "vso.packaging", validFrom: secondFromMarch ? "2026-03-28T08:00:00.00Z" : "2026-05-02T08:00:00.00Z", validTo: "2027-05-02T08:00:00.00Z"))
    }

    /// Requests that could revoke something.
    var revokingRequests: [TestHTTPServer.Request] {
        requests.filter { request in
            request.method == "DELETE" || request.path.hasSuffix("/credentials/revoke") || request.path.hasSuffix("/auth.revoke")
                || request.path.hasSuffix("/tokenadmin/revocations")
        }
    }
}

extension TestHTTPServer.Request {
    /// `METHOD /path?query`, for comparing whole sequences of requests.
    var line: String { "\(method) \(target)" }
}
