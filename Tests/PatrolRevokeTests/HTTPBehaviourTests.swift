import Foundation
import Testing
@testable import PatrolRevoke

/// Timeouts, retries and lost answers, against the real local server.
@Suite struct HTTPBehaviourTests {
    @Test func tooManyRequestsIsRetriedAfterRetryAfter() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 1)
        fake.makeLive(secret)
        fake.fail("GET", "/github/user", with: .json(429, ["message": "slow down"], headers: [("Retry-After", "1")]))
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(secret)]).values.first)
        #expect(result.outcome == .live)
        #expect(fake.requests.map(\.line) == ["GET /github/user", "GET /github/user"])
    }

    @Test func retryAfterBeyondTheLongestWaitFailsSayingSo() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 2)
        fake.makeLive(secret)
        fake.fail("GET", "/github/user", with: .json(429, ["message": "API rate limit exceeded"], headers: [("Retry-After", "3600")]))
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(secret)]).values.first)
        #expect(result.outcome == .failed)
        #expect(result.status == 429)
        #expect(result.message == "GET /github/user: HTTP 429: API rate limit exceeded (it asks to wait 3600 s before trying again)")
        #expect(fake.requests.count == 1)
    }

    @Test func serverErrorsAreRetriedThreeTimesThenReported() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitLab(seed: 3)
        fake.makeLive(secret)
        fake.fail("GET", "/gitlab/api/v4/personal_access_tokens/self", with: .json(503, ["message": "maintenance"]), times: 10)
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitLab(secret)]).values.first)
        #expect(result.outcome == .failed)
        #expect(result.status == 503)
        #expect(result.message == "GET /api/v4/personal_access_tokens/self: HTTP 503: maintenance")
        #expect(fake.requests.count == 4)
    }

    @Test func anAnswerSlowerThanTheTimeoutFails() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.slack(seed: 4)
        fake.makeLive(secret)
        var slow = TestHTTPServer.Response.json(200, ["ok": true])
        slow.delay = 6
        fake.fail("POST", "/slack/api/auth.test", with: slow)
        let result = try #require(await Verifier(access: try fake.access(timeout: 1.5)).verify([Leaked.slack(secret)]).values.first)
        #expect(result.outcome == .failed)
        #expect(result.message == "auth.test: no answer within 1.5 s")
        #expect(fake.requests.count == 1)
    }

    @Test func aLostRevocationAnswerIsCheckedBeforeAnythingIsSentAgain() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitLab(seed: 5)
        fake.makeLive(secret)
        // GitLab revokes it, but the answer is a gateway error.
        fake.fail("DELETE", "/gitlab/api/v4/personal_access_tokens/self", with: .text(504, "Gateway Time-out"), applyFirst: true)
        let result = try #require(await Revoker(access: try fake.access()).revoke([Leaked.gitLab(secret)], mode: .revoke).first)
        #expect(result.outcome == .revoked)
        #expect(result.status == 504)
        #expect(fake.requests.map(\.line) == ["GET /gitlab/api/v4/personal_access_tokens/self", "DELETE /gitlab/api/v4/personal_access_tokens/self", "GET /gitlab/api/v4/personal_access_tokens/self"])
    }

    @Test func aFailedRevocationOfATokenThatStillWorksIsSentAgain() async throws {
        let fake = try FakeProviders()
        let secrets = [Secrets.gitHub(seed: 6), Secrets.gitHub(seed: 7)]
        fake.makeLive(secrets[0], secrets[1])
        fake.fail("POST", "/github/credentials/revoke", with: .json(502, ["message": "bad gateway"]))
        let results = await Revoker(access: try fake.access()).revoke(secrets.map(Leaked.gitHub), mode: .revoke)
        #expect(results.map(\.outcome) == [.revoked, .revoked])
        #expect(fake.requests.map(\.line) == ["GET /github/user", "GET /github/user", "POST /github/credentials/revoke",
                                              "GET /github/user", "GET /github/user", "POST /github/credentials/revoke"])
    }

    @Test func aProviderMessageNeverCarriesTheToken() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 8)
        fake.makeLive(secret)
        fake.fail("POST", "/github/credentials/revoke", with: .json(422, ["message": "credential \(secret) was spammed"]))
        let result = try #require(await Revoker(access: try fake.access()).revoke([Leaked.gitHub(secret)], mode: .revoke).first)
        #expect(result.outcome == .failed)
        #expect(result.status == 422)
        #expect(result.message == "revoke: HTTP 422: credential \(Leaked.gitHub(secret).redacted) was spammed")
    }

    @Test func redirectsAreNotFollowed() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 9)
        fake.fail("GET", "/ado/contoso/_apis/connectionData", with: TestHTTPServer.Response(status: 302, headers: [("Location", fake.baseURL + "/elsewhere")]))
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.azureDevOps(pat)]).values.first)
        #expect(result.outcome == .notLive)
        #expect(result.status == 302)
        #expect(fake.requests.map(\.line) == ["GET /ado/contoso/_apis/connectionData"])
    }

    @Test func badEndpointVariableIsAnError() {
        #expect(throws: RevokeError.badEndpoint(variable: "PATROL_GITHUB_API_URL", value: "ftp://x")) {
            try ProviderEndpoints.from(environment: ["PATROL_GITHUB_API_URL": "ftp://x"])
        }
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(HTTPClient.retryAfter("7") == 7)
        #expect(HTTPClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
        #expect(HTTPClient.retryAfter(nil) == nil)
    }
}
