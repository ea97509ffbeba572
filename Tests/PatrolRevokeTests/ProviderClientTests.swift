import Foundation
import Testing
@testable import PatrolRevoke

@Suite struct ProviderClientTests {
    @Test func gitHubVerifiesWithGetUserAndBearerToken() async throws {
        let fake = try FakeProviders()
        let live = Secrets.gitHub(seed: 1), dead = Secrets.gitHub(seed: 2)
        fake.makeLive(live)
        let results = await Verifier(access: try fake.access()).verify([Leaked.gitHub(live), Leaked.gitHub(dead)])
        #expect(results[Leaked.gitHub(live).fingerprint]?.outcome == .live)
        #expect(results[Leaked.gitHub(live).fingerprint]?.owner == "octocat")
        #expect(results[Leaked.gitHub(dead).fingerprint]?.outcome == .notLive)
        #expect(fake.requests.map(\.line) == ["GET /github/user", "GET /github/user"])
        #expect(fake.requests.map { $0.header("Authorization") } == ["Bearer " + live, "Bearer " + dead])
        #expect(fake.requests.allSatisfy { $0.header("X-GitHub-Api-Version") == "2022-11-28" && $0.header("Accept") == "application/vnd.github+json" })
    }

    @Test func gitHubRevokesLiveTokensInOneUnauthenticatedBatch() async throws {
        let fake = try FakeProviders()
        let secrets = (1...3).map { Secrets.gitHub(seed: 10 + UInt64($0)) }
        let dead = Secrets.gitHub(seed: 20)
        fake.makeLive(secrets[0], secrets[1], secrets[2])
        let tokens = secrets.map(Leaked.gitHub) + [Leaked.gitHub(dead)]
        let results = await Revoker(access: try fake.access()).revoke(tokens, mode: .revoke)
        #expect(results.map(\.outcome) == [.revoked, .revoked, .revoked, .alreadyInvalid])
        let posts = fake.revokingRequests
        #expect(posts.map(\.line) == ["POST /github/credentials/revoke"])
        let post = try #require(posts.first)
        #expect(post.header("Authorization") == nil)
        #expect(post.header("Content-Type") == "application/json")
        #expect(post.bodyText == #"{"credentials":["\#(secrets[0])","\#(secrets[1])","\#(secrets[2])"]}"#)
        #expect(secrets.allSatisfy { !fake.isLive($0) })
        #expect(results[0].calls.map(\.description) == ["POST 127.0.0.1:\(fake.server.port) /github/credentials/revoke"])
    }

    @Test func gitLabVerifiesAndRevokesItselfWithPrivateToken() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitLab(seed: 1)
        fake.makeLive(secret)
        let access = try fake.access()
        let check = try #require(await Verifier(access: access).verify([Leaked.gitLab(secret)]).values.first)
        #expect(check.outcome == .live)
        #expect(check.owner == "token 'ci' of user 42")
        let result = try #require(await Revoker(access: access).revoke([Leaked.gitLab(secret)], mode: .revoke).first)
        #expect(result.outcome == .revoked)
        #expect(result.status == 204)
        #expect(fake.requests.map(\.line) == ["GET /gitlab/api/v4/personal_access_tokens/self", "GET /gitlab/api/v4/personal_access_tokens/self", "DELETE /gitlab/api/v4/personal_access_tokens/self"])
        #expect(fake.requests.allSatisfy { $0.header("PRIVATE-TOKEN") == secret && $0.header("Authorization") == nil })
        #expect(!fake.isLive(secret))
    }

    @Test func gitLabTokensOtherThanPersonalAccessTokensAreNotSupported() async throws {
        let fake = try FakeProviders()
        let token = Leaked.token("gldt-" + String(repeating: "x", count: 20), rule: "gitlab-deploy-token", provider: "gitlab")
        let result = try #require(await Revoker(access: try fake.access()).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .notSupported)
        #expect(fake.requests.isEmpty)
    }

    @Test func slackReadsOkInTheBodyNotTheStatus() async throws {
        let fake = try FakeProviders()
        let live = Secrets.slack(seed: 1), dead = Secrets.slack(seed: 2)
        fake.makeLive(live)
        let access = try fake.access()
        let results = await Verifier(access: access).verify([Leaked.slack(live), Leaked.slack(dead)])
        #expect(results[Leaked.slack(live).fingerprint]?.outcome == .live)
        #expect(results[Leaked.slack(live).fingerprint]?.owner == "deploybot on Contoso")
        #expect(results[Leaked.slack(dead).fingerprint]?.outcome == .notLive)
        #expect(results[Leaked.slack(dead).fingerprint]?.status == 200)
        let revoked = await Revoker(access: access).revoke([Leaked.slack(live), Leaked.slack(dead)], mode: .revoke)
        #expect(revoked.map(\.outcome) == [.revoked, .alreadyInvalid])
        #expect(fake.revokingRequests.map(\.line) == ["POST /slack/api/auth.revoke"])
        #expect(fake.revokingRequests.first?.header("Authorization") == "Bearer " + live)
    }

    @Test func providersWithoutAClientAreNotSupported() async throws {
        let fake = try FakeProviders()
        var token = Leaked.token("npm_" + String(repeating: "a", count: 36), rule: "npm-access-token", provider: "npm")
        token.verifier = nil
        token.revoker = nil
        #expect(await Verifier(access: try fake.access()).verify([token]).values.first?.outcome == .notSupported)
        #expect(await Revoker(access: try fake.access()).revoke([token], mode: .revoke).first?.outcome == .notSupported)
        #expect(fake.requests.isEmpty)
    }

    @Test func dryRunSendsOnlyReadsAndListsEveryRevokingCall() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 30)
        fake.addJanesTokens(leaked: pat)
        let gh = Secrets.gitHub(seed: 31), gl = Secrets.gitLab(seed: 32), sl = Secrets.slack(seed: 33)
        fake.makeLive(gh, gl, sl)
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
        let results = await Revoker(access: access).revoke([Leaked.azureDevOps(pat), Leaked.gitHub(gh), Leaked.gitLab(gl), Leaked.slack(sl)], mode: .dryRun)
        #expect(results.map(\.outcome) == [.dryRun, .dryRun, .dryRun, .dryRun])
        let host = "127.0.0.1:\(fake.server.port)"
        #expect(results.map { $0.calls.map(\.description) } == [
            ["DELETE \(host) /vssps/contoso/_apis/tokens/pats?authorizationId=a0000000-0000-4000-8000-000000000004&api-version=7.1-preview.1"],
            ["POST \(host) /github/credentials/revoke"],
            ["DELETE \(host) /gitlab/api/v4/personal_access_tokens/self"],
            ["POST \(host) /slack/api/auth.revoke"],
        ])
        #expect(fake.revokingRequests.isEmpty)
        #expect([pat, gh, gl, sl].allSatisfy(fake.isLive))
    }

    @Test func confirmationRevokesOnlyWhatIsConfirmed() async throws {
        let fake = try FakeProviders()
        let yes = Secrets.gitLab(seed: 40), no = Secrets.gitLab(seed: 41)
        fake.makeLive(yes, no)
        let results = await Revoker(access: try fake.access()).revoke([Leaked.gitLab(yes), Leaked.gitLab(no)], mode: .confirm { proposal in
            proposal.token.secret == yes
        })
        #expect(results.map(\.outcome) == [.revoked, .declined])
        #expect(fake.revokingRequests.count == 1)
        #expect(fake.revokingRequests.first?.header("PRIVATE-TOKEN") == yes)
    }
}
