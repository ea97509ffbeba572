import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

@Suite struct AzureDevOpsTests {
    let ownerList = "GET /vssps/contoso/_apis/tokens/pats?api-version=7.1-preview.1"

    @Test func verifyAsksConnectionDataWithBasicAuthAndNamesTheOwner() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 1)
        fake.addJanesTokens(leaked: pat)
        let results = await Verifier(access: try fake.access()).verify([Leaked.azureDevOps(pat)])
        let result = try #require(results.values.first)
        #expect(result.outcome == .live)
        #expect(result.owner == "Jane Doe")
        #expect(result.status == 200)
        let request = try #require(fake.requests.first)
        #expect(fake.requests.count == 1)
        #expect(request.line == "GET /ado/contoso/_apis/connectionData")
        #expect(request.header("Authorization") == "Basic " + Data((":" + pat).utf8).base64EncodedString())
        #expect(request.header("User-Agent") == "patrol-test")
    }

    @Test func signInPageMeansNotLive() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 2)
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.azureDevOps(pat)]).values.first)
        #expect(result.outcome == .notLive)
        #expect(result.status == 203)
        #expect(result.verified == false)
        #expect(fake.requests.map(\.line) == ["GET /ado/contoso/_apis/connectionData"])
    }

    @Test func projectsListDecidesWhenConnectionDataKeepsFailing() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 3)
        fake.addJanesTokens(leaked: pat)
        fake.fail("GET", "/ado/contoso/_apis/connectionData", with: .json(500, ["message": "boom"]), times: 4)
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.azureDevOps(pat)]).values.first)
        #expect(result.outcome == .live)
        #expect(result.owner == nil)
        // Three retries of the 500, then the fallback.
        #expect(fake.requests.map(\.line) == Array(repeating: "GET /ado/contoso/_apis/connectionData", count: 4) + ["GET /ado/contoso/_apis/projects?api-version=7.1"])
    }

    @Test func noOrganisationFailsWithoutSendingAnything() async throws {
        let fake = try FakeProviders()
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.azureDevOps(Secrets.azureDevOps(seed: 4), org: nil)]).values.first)
        #expect(result.outcome == .failed)
        #expect(result.message?.contains("pass --org ORG") == true)
        #expect(fake.requests.isEmpty)
    }

    @Test func ownerRevocationFollowsContinuationTokensAndDeletesTheOnlyActiveTokenOfItsMonth() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 5, year: 2026, month: 3)
        fake.addJanesTokens(leaked: pat)
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
        let results = await Revoker(access: access).revoke([Leaked.azureDevOps(pat)], mode: .revoke)
        let result = try #require(results.first)
        #expect(result.outcome == .revoked, "\(result.message ?? "")")
        #expect(result.status == 204)
        #expect(result.owner == "Jane Doe")
        #expect(result.candidates.map(\.displayName) == ["deploy"])
        #expect(fake.requests.map(\.line) == [
            "GET /ado/contoso/_apis/connectionData",
            "GET /ado/contoso/_apis/connectionData",
            ownerList,
            ownerList + "&continuationToken=2",
            ownerList + "&continuationToken=4",
            "DELETE /vssps/contoso/_apis/tokens/pats?authorizationId=a0000000-0000-4000-8000-000000000004&api-version=7.1-preview.1",
        ])
        let requests = fake.requests
        #expect(requests[1].header("Authorization") == "Bearer entra-jane")
        #expect(requests[2...].allSatisfy { $0.header("Authorization") == "Bearer entra-jane" })
        #expect(requests[5].body.isEmpty)
        #expect(!fake.isLive(pat))
    }

    @Test func severalActiveTokensOfTheMonthNeedAChoiceAndAuthorizationIdPicksOne() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 6)
        fake.addJanesTokens(leaked: pat, secondFromMarch: true)
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
        let first = try #require(await Revoker(access: access).revoke([Leaked.azureDevOps(pat)], mode: .revoke).first)
        #expect(first.outcome == .needsChoice)
        #expect(first.candidates.map(\.authorizationId) == ["a0000000-0000-4000-8000-000000000004", "a0000000-0000-4000-8000-000000000005"])
        #expect(first.candidates.map(\.summary).first == "'deploy' (vso.code vso.packaging), valid 2026-03-10 to 2027-03-10, authorization id a0000000-0000-4000-8000-000000000004")
        #expect(first.message?.contains("2 of Jane Doe's active tokens were created in 2026-03") == true)
        #expect(fake.revokingRequests.isEmpty)

        var settings = access.settings
        settings.authorizationIds = ["a0000000-0000-4000-8000-000000000004"]
        var chosenAccess = access
        chosenAccess.settings = settings
        let second = try #require(await Revoker(access: chosenAccess).revoke([Leaked.azureDevOps(pat)], mode: .revoke).first)
        #expect(second.outcome == .revoked)
        #expect(fake.revokingRequests.map(\.line) == ["DELETE /vssps/contoso/_apis/tokens/pats?authorizationId=a0000000-0000-4000-8000-000000000004&api-version=7.1-preview.1"])
    }

    @Test func adminRevocationListsBySubjectDescriptorAndPostsTheAuthorizationId() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 7)
        fake.addJanesTokens(leaked: pat)
        let adminPAT = Secrets.azureDevOps(seed: 70)
        fake.addAdmin(adminPAT)
        let access = try fake.access(settings: RevokeSettings(adminPAT: adminPAT, asAdministrator: true))
        let result = try #require(await Revoker(access: access).revoke([Leaked.azureDevOps(pat)], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result.message ?? "")")
        let list = "GET /vssps/contoso/_apis/tokenadmin/personalaccesstokens/aad.SmFuZURvZQ?isPublic=false&api-version=7.1-preview.1"
        #expect(fake.requests.map(\.line) == [
            "GET /ado/contoso/_apis/connectionData",
            list, list + "&continuationToken=2", list + "&continuationToken=4",
            "POST /vssps/contoso/_apis/tokenadmin/revocations?isPublic=false&api-version=7.1-preview.1",
        ])
        let post = try #require(fake.requests.last)
        #expect(post.bodyText == #"[{"authorizationId":"a0000000-0000-4000-8000-000000000004"}]"#)
        #expect(post.header("Content-Type") == "application/json")
        #expect(post.header("Authorization") == "Basic " + Data((":" + adminPAT).utf8).base64EncodedString())
        #expect(!fake.isLive(pat))
    }

    @Test func entraTokenOfAnotherUserRevokesNothing() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 8)
        fake.addJanesTokens(leaked: pat)
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-sam"))
        let result = try #require(await Revoker(access: access).revoke([Leaked.azureDevOps(pat)], mode: .revoke).first)
        #expect(result.outcome == .failed)
        #expect(result.message == "the Entra token signs in as Sam Roe, but the leaked token belongs to Jane Doe: sign in as its owner, or revoke it as an organisation administrator with --admin")
        #expect(fake.requests.count == 2)
        #expect(fake.revokingRequests.isEmpty)
        #expect(fake.isLive(pat))
    }

    @Test func withoutAnEntraTokenItSaysHowToGetOne() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 9)
        fake.addJanesTokens(leaked: pat)
        let result = try #require(await Revoker(access: try fake.access()).revoke([Leaked.azureDevOps(pat)], mode: .revoke).first)
        #expect(result.outcome == .failed)
        #expect(result.message?.contains("az account get-access-token --resource 499b84ac-1321-427f-aa17-267ca6975798") == true)
        #expect(fake.requests.map(\.line) == ["GET /ado/contoso/_apis/connectionData"])
    }

    @Test func aTokenThatNoLongerWorksIsAlreadyInvalid() async throws {
        let fake = try FakeProviders()
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
        let result = try #require(await Revoker(access: access).revoke([Leaked.azureDevOps(Secrets.azureDevOps(seed: 10))], mode: .revoke).first)
        #expect(result.outcome == .alreadyInvalid)
        #expect(result.status == 203)
        #expect(fake.requests.count == 1)
    }

    @Test func aLegacyTokenRecordsNoDateSoEveryActiveTokenIsACandidate() async throws {
        let fake = try FakeProviders()
        var rng = SeededGenerator(seed: 13)
        let legacy = AzureDevOpsLegacyChecksum.generate(using: &rng)
        fake.addJanesTokens(leaked: legacy)
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
        let token = Leaked.token(legacy, rule: "azure-devops-pat-legacy", provider: "azure-devops", context: ["org": "contoso"])
        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .needsChoice)
        #expect(result.candidates.map(\.displayName) == ["old build", "february", "deploy", "may"])
        #expect(result.message == "the 52-character format records no date, and Jane Doe has 4 active tokens; choose one with --authorization-id ID")
        #expect(fake.revokingRequests.isEmpty)
    }

    @Test func tokenDateComesFromOffsets58And59() {
        #expect(AzureDevOpsTokenDate.month(of: Secrets.azureDevOps(seed: 11, year: 2025, month: 12)) == "2025-12")
        #expect(AzureDevOpsTokenDate.month(of: Secrets.azureDevOps(seed: 12, year: 2024, month: 1)) == "2024-01")
        #expect(AzureDevOpsTokenDate.month(of: String(repeating: "A", count: 52)) == nil)
    }
}
