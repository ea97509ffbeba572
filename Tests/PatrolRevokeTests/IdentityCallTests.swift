import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

/// Every entry of the identity-call table against a local server that follows its provider's
/// documented contract (`IdentityContracts`).
@Suite struct IdentityCallTests {
    @Test(arguments: IdentityContracts.all)
    func anEntryIsLiveOnlyOnTheDocumentedAnswerToTheTokenInTheDocumentedPlace(contract: IdentityContract) async throws {
        let providers = try IdentityProviders([contract])
        let live = SyntheticToken.make(contract, "live"), dead = SyntheticToken.make(contract, "dead")
        let html = SyntheticToken.make(contract, "html"), odd = SyntheticToken.make(contract, "odd")
        providers.makeLive(live)
        providers.answerHTML(html)
        providers.answerUnexpectedJSON(odd)
        let tokens = [live, dead, html, odd].map { SyntheticToken.leaked($0, contract) }
        let results = await Verifier(access: try providers.access()).verify(tokens)
        func outcome(_ index: Int) -> Verification? { results[tokens[index].fingerprint] }

        #expect(outcome(0)?.outcome == .live, "\(contract): the working token: \(String(describing: outcome(0)))")
        #expect(outcome(1)?.outcome == contract.deadOutcome, "\(contract): a refused token: \(String(describing: outcome(1)))")
        #expect(outcome(2)?.outcome == .failed, "\(contract): an HTML page with 200 is not live: \(String(describing: outcome(2)))")
        #expect(outcome(2)?.message?.contains("HTML") == true, "\(contract): \(outcome(2)?.message ?? "")")
        #expect(outcome(3)?.outcome == .failed, "\(contract): JSON without the documented keys is not live: \(String(describing: outcome(3)))")
        // One request a token: a refusal is not retried, and nothing is sent twice.
        #expect(providers.server.requests.count == 4, "\(contract): \(providers.server.requests)")
    }

    @Test func theTableCoversAtLeastFortyProvidersAndEveryEntryHasAContract() {
        let providers = Set(IdentityCalls.all.map(\.provider)).union(["azure-devops", "github", "gitlab", "slack"])
        #expect(providers.count >= 40, "\(providers.count) providers")
        for call in IdentityCalls.all {
            let contract = IdentityContracts.all.first { $0.provider == call.provider && call.rules.matches($0.rule) }
            #expect(contract != nil, "no contract for \(call.provider) \(call.path)")
            if let contract, case .path = contract.place {} else if let contract {
                #expect(contract.path == call.path, "\(call.provider): the contract's path \(contract.path), the table's \(call.path)")
                #expect(contract.method == call.method, "\(call.provider)")
            }
            #expect(call.documentation.hasPrefix("https://"), "\(call.provider) cites no documentation")
        }
    }

    /// Rule ids the table names exist wherever the provider's rule file does (the rule files of
    /// other providers are being added elsewhere: those entries are keyed by provider id).
    @Test func theRuleIdsTheTableNamesExistInTheProvidersRuleFile() {
        let ruleSet = Secrets.ruleSet
        for call in IdentityCalls.all {
            guard ruleSet.provider(id: call.provider) != nil else { continue }
            if case .ids(let ids) = call.rules {
                for id in ids { #expect(ruleSet.rule(id: id)?.providerID == call.provider, "\(call.provider): no rule \(id)") }
            }
            let covered = ruleSet.rules.filter { $0.providerID == call.provider && call.rules.matches($0.id) }
            #expect(!covered.isEmpty, "\(call.provider): the entry serves none of its rules")
        }
    }

    @Test(arguments: [
        ("databricks", "workspace", "dbc-a1b2.cloud.databricks.com.evil.example"),
        ("databricks", "workspace", "evil.example"),
        ("shopify", "shop", "contoso.myshopify.com@evil.example"),
        ("shopify", "shop", "evil.example.com"),
        ("okta", "org", "contoso.okta.com:8443"),
        ("okta", "org", "contoso-okta.com"),
        ("vault", "addr", "http://contoso.vault.a1b2.aws.hashicorp.cloud:8200"),
        ("vault", "addr", "https://vault.contoso.example:8200"),
        ("grafana", "stack", "contoso.grafana.net/evil"),
    ])
    func aHostNamedNextToTheTokenOutsideTheProvidersDomainGetsNothing(provider: String, key: String, value: String) async throws {
        let contract = try #require(IdentityContracts.all.first { $0.provider == provider })
        let providers = try IdentityProviders([contract])
        var token = SyntheticToken.leaked(SyntheticToken.make(contract, "live"), contract)
        token.context = [key: value]
        providers.makeLive(token.secret)
        let result = try #require(await Verifier(access: try providers.access()).verify([token]).values.first)
        #expect(result.outcome == .notSupported, "\(value): \(result)")
        #expect(result.message?.contains("not sent") == true || result.message?.contains("was not sent") == true, "\(result.message ?? "")")
        #expect(providers.server.requests.isEmpty, "\(value): \(providers.server.requests)")
    }

    @Test func aMailchimpKeyWithoutADataCentreIsNotSentAnywhere() async throws {
        let contract = try #require(IdentityContracts.all.first { $0.provider == "mailchimp" })
        let providers = try IdentityProviders([contract])
        let token = SyntheticToken.leaked("tstnodc" + UUID().uuidString.replacingOccurrences(of: "-", with: ""), contract)
        let result = try #require(await Verifier(access: try providers.access()).verify([token]).values.first)
        #expect(result.outcome == .notSupported)
        #expect(providers.server.requests.isEmpty)
    }

    @Test func aHostTheUserNamesInVaultAddrIsUsedWithoutAContext() async throws {
        let contract = try #require(IdentityContracts.all.first { $0.provider == "vault" })
        let providers = try IdentityProviders([contract])
        var token = SyntheticToken.leaked(SyntheticToken.make(contract, "live"), contract)
        token.context = [:]
        providers.makeLive(token.secret)
        // No base override: VAULT_ADDR is the server itself, with the provider prefix the contract expects.
        let endpoints = try ProviderEndpoints.from(environment: ["VAULT_ADDR": providers.server.baseURL + "/vault"])
        let access = ProviderAccess(endpoints: endpoints, timeout: 2, retry: RetryPolicy(maxRetries: 0, initialBackoff: 0), userAgent: "patrol-test")
        let result = try #require(await Verifier(access: access).verify([token]).values.first)
        #expect(result.outcome == .live, "\(result)")
        #expect(result.owner == "token-ci")
    }

    @Test func aTokenCarriedInTheURLIsRedactedInTheCallThatIsShownAndLogged() throws {
        let endpoints = try ProviderEndpoints.from(environment: ["PATROL_VERIFY_BASE_URL": "http://127.0.0.1:9"])
        for provider in ["telegram", "mapbox"] {
            let contract = try #require(IdentityContracts.all.first { $0.provider == provider })
            let secret = SyntheticToken.make(contract, "url")
            let call = try #require(IdentityCalls.byProvider[provider]?.first)
            let request = try IdentityRequest.make(call, token: SyntheticToken.leaked(secret, contract), endpoints: endpoints).get()
            #expect(request.url.absoluteString.contains(URL.queryEncoded(secret)) || request.url.absoluteString.contains(secret), "\(provider): the token is sent")
            #expect(!request.call.description.contains(secret) && !request.call.description.contains(URL.queryEncoded(secret)), "\(provider): \(request.call.description)")
            #expect(request.call.description.contains(Redaction.redact(secret)), "\(provider): \(request.call.description)")
        }
    }

    @Test func hostNamesAreCheckedLabelByLabel() {
        let databricks = ["cloud.databricks.com"]
        #expect(HostName.validated("DBC-1.cloud.databricks.com", labelDomain: nil, domains: databricks) == "dbc-1.cloud.databricks.com")
        #expect(HostName.validated("cloud.databricks.com", labelDomain: nil, domains: databricks) == nil)
        #expect(HostName.validated("x.cloud.databricks.com.", labelDomain: nil, domains: databricks) == nil)
        #expect(HostName.validated("x_y.cloud.databricks.com", labelDomain: nil, domains: databricks) == nil)
        #expect(HostName.validated("127.0.0.1", labelDomain: nil, domains: databricks) == nil)
        #expect(HostName.validated("contoso", labelDomain: "myshopify.com", domains: ["myshopify.com"]) == "contoso.myshopify.com")
        #expect(HostName.validated("https://a.hashicorp.cloud:8200", labelDomain: nil, domains: ["hashicorp.cloud"]) == "a.hashicorp.cloud:8200")
        #expect(HostName.validated("https://u@a.hashicorp.cloud", labelDomain: nil, domains: ["hashicorp.cloud"]) == nil)
    }
}

extension IdentityCallTests {
    /// A body echoing the token in every spelling, from every table provider: the message
    /// keeps no part of it.
    @Test(arguments: IdentityContracts.all)
    func anEchoedTokenInAnErrorOfATableProviderLeavesNoPartOfIt(contract: IdentityContract) async throws {
        for echo in Echo.allCases {
            let secret = SyntheticToken.make(contract, "echo")
            let server = try TestHTTPServer { _ in .text(418, echo.body(secret), contentType: echo.contentType) }
            let endpoints = try ProviderEndpoints.from(environment: ["PATROL_VERIFY_BASE_URL": server.baseURL])
            let access = ProviderAccess(endpoints: endpoints, timeout: 2, retry: RetryPolicy(maxRetries: 0, initialBackoff: 0), userAgent: "patrol-test")
            let result = try #require(await Verifier(access: access).verify([SyntheticToken.leaked(secret, contract)]).values.first)
            #expect(result.outcome == .failed, "\(contract) \(echo)")
            let message = result.message ?? ""
            #expect(message.contains("HTTP 418"), "\(contract) \(echo): \(message)")
            #expect(SecretFragments.leak(of: [secret], in: message) == nil, "\(contract) \(echo) leaked into: \(message)")
        }
    }
}
