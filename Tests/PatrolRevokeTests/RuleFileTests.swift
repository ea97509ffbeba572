import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

@Suite struct RuleFileTests {
    @Test func everyClientNameARuleFileMayUseHasAClient() throws {
        let access = try FakeProviders().access()
        // The named clients rule files may use, and one client per provider of the identity-call
        // table (those are found by provider id, so their rule files name no client).
        #expect(Set(access.clients(for: [], redactor: Redactor(secrets: [])).keys) == ProviderAPICoverage.clients.union(IdentityCalls.byProvider.keys))
        for provider in Secrets.ruleSet.providers {
            for name in [provider.verify, provider.revoke].compactMap({ $0 }) {
                #expect(ProviderAPICoverage.clients.contains(name), "\(provider.id) names '\(name)'")
            }
        }
    }

    @Test func aRuleFileNamingAnUnknownVerifierIsAnError() throws {
        let folder = try ScratchFolder()
        try folder.write("rules/acme.yml", """
            provider:
              id: acme
              name: Acme
              verify: acme-api
            rules:
              - id: acme-key
                name: Acme key
                regex: 'acme_[a-z]{8}'
                keywords: [acme_]
                confidence: medium
                examples: ["acme_abcdefgh"]

            """)
        #expect {
            try RuleLoader.load(extraDirectories: [folder.path("rules")])
        } throws: { error in
            "\(error)".contains("names no client patrol has: 'acme-api' (known: aws, azure-devops, azure-servicebus, azure-storage, github, gitlab, slack)")
        }
    }
}
