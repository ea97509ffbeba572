import Foundation
import PatrolKit

/// How `verify` and `revoke` reach the providers in one run.
public struct ProviderAccess: Sendable {
    public var endpoints: ProviderEndpoints
    /// Seconds to wait for each answer.
    public var timeout: TimeInterval
    public var retry: RetryPolicy
    public var userAgent: String
    public var settings: RevokeSettings

    public init(endpoints: ProviderEndpoints, timeout: TimeInterval = 20, retry: RetryPolicy = RetryPolicy(), userAgent: String, settings: RevokeSettings = RevokeSettings()) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.retry = retry
        self.userAgent = userAgent
        self.settings = settings
    }

    /// The verifier and revoker names rule files may use (`provider.verify`, `provider.revoke`).
    public static let clientNames: Set<String> = ProviderAPICoverage.clients

    /// The redactor of a run: it knows every token of the run and the user's own credentials.
    func redactor(for tokens: [LeakedToken]) -> Redactor {
        Redactor(secrets: tokens.map(\.secret) + settings.credentials)
    }

    /// One client per name, sharing one HTTP client (and so what it learnt about each host).
    func clients(for tokens: [LeakedToken], redactor: Redactor) -> [String: any ProviderClient] {
        let http = HTTPClient(timeout: timeout, retry: retry, userAgent: userAgent)
        return [
            "azure-devops": AzureDevOpsClient(http: http, redactor: redactor, endpoints: endpoints, settings: settings),
            "github": GitHubClient(http: http, redactor: redactor, endpoints: endpoints),
            "gitlab": GitLabClient(http: http, redactor: redactor, endpoints: endpoints),
            "slack": SlackClient(http: http, redactor: redactor, endpoints: endpoints),
            "aws": AWSClient(http: http, redactor: redactor, endpoints: endpoints),
        ]
    }

    /// Tokens grouped by client name, each group in report order; nil: no client.
    static func grouped(_ tokens: [LeakedToken], by name: (LeakedToken) -> String?, clients: [String: any ProviderClient]) -> (groups: [(String, [LeakedToken])], unsupported: [LeakedToken]) {
        var order: [String] = []
        var groups: [String: [LeakedToken]] = [:]
        var unsupported: [LeakedToken] = []
        for token in tokens {
            guard let key = name(token), clients[key] != nil else { unsupported.append(token); continue }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(token)
        }
        return (order.map { ($0, groups[$0]!) }, unsupported)
    }
}

/// `patrol verify`: asks each token's provider whether it works. Providers are asked in
/// parallel; each provider's tokens one at a time, so no provider sees more than one request
/// of ours at once (and a 429 is waited out as it asks).
public struct Verifier: Sendable {
    public let access: ProviderAccess

    public init(access: ProviderAccess) { self.access = access }

    /// Results by fingerprint. `mapAccess`: for each live token, also ask what it reaches
    /// (read-only listing calls, a few pages each) into `Verification.access`; without it, no
    /// call beyond the verifying one is made and `access` is nil.
    public func verify(_ tokens: [LeakedToken], mapAccess: Bool = false) async -> [String: Verification] {
        let redactor = access.redactor(for: tokens)
        let clients = access.clients(for: tokens, redactor: redactor)
        let (groups, unsupported) = ProviderAccess.grouped(tokens, by: \.verifier, clients: clients)
        var results: [String: Verification] = [:]
        for token in unsupported {
            results[token.fingerprint] = Verification(outcome: .notSupported, message: "patrol cannot check \(token.providerName) tokens through an API")
        }
        await withTaskGroup(of: [(String, Verification)].self) { group in
            for (name, members) in groups {
                let client = clients[name]!
                group.addTask {
                    var answers: [(String, Verification)] = []
                    for token in members {
                        var check = await client.verify(token)
                        check.access = check.outcome == .live && mapAccess ? await client.mapAccess(token, check) : nil
                        answers.append((token.fingerprint, check))
                    }
                    return answers
                }
            }
            for await answers in group {
                // Whatever a client put together, nothing of a secret leaves in it.
                for (fingerprint, verification) in answers { results[fingerprint] = verification.redacted(by: redactor) }
            }
        }
        return results
    }
}
