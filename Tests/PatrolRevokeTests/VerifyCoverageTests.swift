import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

@Suite struct VerifyCoverageTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/verify-providers.md")

    @Test func theProvidersPageListsExactlyWhatTheCodeCovers() throws {
        let expected = VerifyCoverage.markdown(ruleSet: Secrets.ruleSet)
        if ProcessInfo.processInfo.environment["PATROL_WRITE_DOCS"] == "1" { try Data(expected.utf8).write(to: Self.page) }
        let written = try String(contentsOf: Self.page, encoding: .utf8)
        #expect(written == expected, "docs/verify-providers.md differs from the code: regenerate it (PATROL_WRITE_DOCS=1)")
    }

    @Test func theTableHasEveryVerifyingProviderAndEveryRevokingOne() {
        let rows = VerifyCoverage.rows(ruleSet: Secrets.ruleSet)
        #expect(Set(rows.map(\.provider)) == Set(IdentityCalls.byProvider.keys).union(ProviderAPICoverage.clients))
        #expect(Set(VerifyCoverage.namedClients.keys) == ProviderAPICoverage.clients)
        #expect(Set(rows.map(\.provider)).count >= 40)
        let revoking = Set(rows.filter { $0.revoke != nil }.map(\.provider))
        #expect(revoking == Set(SelfRevocations.all.map(\.provider)).union(["azure-devops", "github", "gitlab", "slack"]))
        #expect(!revoking.contains("huggingface"))
    }
}
