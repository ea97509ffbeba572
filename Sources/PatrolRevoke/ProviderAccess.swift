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
    /// `--max-requests`, `--rate`: what the run may send.
    public var limits: RequestLimits

    public init(endpoints: ProviderEndpoints, timeout: TimeInterval = 20, retry: RetryPolicy = RetryPolicy(), userAgent: String, settings: RevokeSettings = RevokeSettings(), limits: RequestLimits = RequestLimits()) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.retry = retry
        self.userAgent = userAgent
        self.settings = settings
        self.limits = limits
    }

    /// The verifier and revoker names rule files may use (`provider.verify`, `provider.revoke`).
    public static let clientNames: Set<String> = ProviderAPICoverage.clients

    /// The redactor of a run: it knows every token of the run that a client may send (one
    /// with a verifier or revoker name; no other reaches a client, so no answer can echo it)
    /// and the user's own credentials. A report of 200,000 secrets no provider can check
    /// made a redactor of every spelling of each: 2.3 GB.
    func redactor(for tokens: [LeakedToken]) -> Redactor {
        Redactor(secrets: tokens.lazy.filter { $0.verifier != nil || $0.revoker != nil }.map(\.secret) + settings.credentials)
    }

    /// One client per name, sharing one HTTP client (and so what it learnt about each host).
    func clients(for tokens: [LeakedToken], redactor: Redactor) -> [String: any ProviderClient] {
        let http = HTTPClient(timeout: timeout, retry: retry, userAgent: userAgent, limits: limits)
        var clients: [String: any ProviderClient] = [
            "azure-devops": AzureDevOpsClient(http: http, redactor: redactor, endpoints: endpoints, settings: settings),
            "github": GitHubClient(http: http, redactor: redactor, endpoints: endpoints),
            "gitlab": GitLabClient(http: http, redactor: redactor, endpoints: endpoints),
            "slack": SlackClient(http: http, redactor: redactor, endpoints: endpoints),
            "aws": AWSClient(http: http, redactor: redactor, endpoints: endpoints),
            "azure-storage": AzureStorageClient(http: http, redactor: redactor, endpoints: endpoints),
            "azure-servicebus": AzureServiceBusClient(http: http, redactor: redactor, endpoints: endpoints),
        ]
        // The identity-call table: one client per provider, so providers are asked in parallel.
        for provider in IdentityCalls.byProvider.keys where clients[provider] == nil {
            clients[provider] = IdentityCallClient(http: http, redactor: redactor, endpoints: endpoints, provider: provider)
        }
        return clients
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
        // One request per distinct secret and verifier: a secret two rules matched, or that two
        // findings carry, is asked about once, and the answer copied to each.
        var firstOfSecret: [String: LeakedToken] = [:]
        var distinct: [LeakedToken] = []
        var copies: [(fingerprint: String, from: String)] = []
        for token in tokens {
            let key = (token.verifier ?? "") + "\u{0}" + token.secret
            if let first = firstOfSecret[key] {
                copies.append((token.fingerprint, first.fingerprint))
            } else {
                firstOfSecret[key] = token
                distinct.append(token)
            }
        }
        let (groups, unsupported) = ProviderAccess.grouped(distinct, by: \.verifier, clients: clients)
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
        for copy in copies { results[copy.fingerprint] = results[copy.from] }
        return results
    }
}
