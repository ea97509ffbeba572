import Foundation
import Testing
@testable import PatrolRevoke

/// "Live" only on the provider's documented success body: an HTML page, garbage or other JSON
/// with status 200 (a portal, a proxy, a wrong base URL) is "could not be checked", saying why.
/// The same for a revoking call's success.
@Suite struct LiveAnswerTests {
    static let impostors: [(name: String, response: TestHTTPServer.Response, says: String)] = [
        ("an HTML page", .text(200, "<!DOCTYPE html><html><body>Welcome to the portal</body></html>", contentType: "text/html"), "an HTML page"),
        ("garbage", .text(200, "OK", contentType: "text/plain"), "2 bytes that are not JSON"),
        ("other JSON", .json(200, ["status": "ok"]), "JSON with status"),
        ("an empty body", TestHTTPServer.Response(status: 200), "an empty body"),
    ]

    @Test func azureDevOpsIsLiveOnlyWithAnAuthenticatedUser() async throws {
        for impostor in Self.impostors {
            let fake = try FakeProviders()
            let pat = Secrets.azureDevOps(seed: 1)
            fake.addJanesTokens(leaked: pat)
            fake.fail("GET", "/ado/contoso/_apis/connectionData", with: impostor.response)
            fake.fail("GET", "/ado/contoso/_apis/projects", with: impostor.response)
            let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.azureDevOps(pat)]).values.first)
            #expect(result.outcome == .failed, "\(impostor.name)")
            #expect(result.verified == nil)
            #expect(result.message?.contains("connectionData: HTTP 200, but not an authenticatedUser with an id (\(impostor.says))") == true, "\(impostor.name): \(result.message ?? "")")
            #expect(result.message?.contains("projects: HTTP 200, but not a list of projects (\(impostor.says))") == true, "\(impostor.name): \(result.message ?? "")")
        }
    }

    @Test func gitHubIsLiveOnlyWithAUserAndItsLogin() async throws {
        for impostor in Self.impostors {
            let fake = try FakeProviders()
            let token = Secrets.gitHub(seed: 2)
            fake.makeLive(token)
            fake.fail("GET", "/github/user", with: impostor.response)
            let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(token)]).values.first)
            #expect(result.outcome == .failed, "\(impostor.name)")
            #expect(result.message == "GET /github/user: HTTP 200, but not a user with a login (\(impostor.says)): is the base URL the provider's API?")
        }
    }

    @Test func gitLabIsLiveOnlyWithTheTokenAndItsId() async throws {
        for impostor in Self.impostors {
            let fake = try FakeProviders()
            let token = Secrets.gitLab(seed: 3)
            fake.makeLive(token)
            fake.fail("GET", "/gitlab/api/v4/personal_access_tokens/self", with: impostor.response)
            let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitLab(token)]).values.first)
            #expect(result.outcome == .failed, "\(impostor.name)")
            #expect(result.message == "GET /api/v4/personal_access_tokens/self: HTTP 200, but not the token with its id (\(impostor.says)): is the base URL the provider's API?")
        }
    }

    @Test func slackIsLiveOnlyWithOkTrue() async throws {
        for impostor in Self.impostors {
            let fake = try FakeProviders()
            let token = Secrets.slack(seed: 4)
            fake.makeLive(token)
            fake.fail("POST", "/slack/api/auth.test", with: impostor.response)
            let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.slack(token)]).values.first)
            #expect(result.outcome == .failed, "\(impostor.name)")
            #expect(result.message == "auth.test: HTTP 200, but not Slack's answer with ok (\(impostor.says)): is the base URL the provider's API?")
        }
    }

    /// A revoking call answered by an HTML page with a success status may or may not have
    /// happened: the token is checked, found still working, and the call sent again.
    @Test func aRevocationAnsweredByAnHTMLPageIsCheckedAndSentAgain() async throws {
        let page = TestHTTPServer.Response.text(200, "<html><body>Signed out</body></html>", contentType: "text/html")
        var accepted = page
        accepted.status = 202

        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 5)
        fake.addJanesTokens(leaked: pat)
        let gitHub = Secrets.gitHub(seed: 6), gitLab = Secrets.gitLab(seed: 7), slack = Secrets.slack(seed: 8)
        fake.makeLive(gitHub, gitLab, slack)
        fake.fail("DELETE", "/vssps/contoso/_apis/tokens/pats", with: page)
        fake.fail("POST", "/github/credentials/revoke", with: accepted)
        fake.fail("DELETE", "/gitlab/api/v4/personal_access_tokens/self", with: page)
        fake.fail("POST", "/slack/api/auth.revoke", with: page)
        let tokens = [Leaked.azureDevOps(pat), Leaked.gitHub(gitHub), Leaked.gitLab(gitLab), Leaked.slack(slack)]
        let results = await Revoker(access: try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))).revoke(tokens, mode: .revoke)
        #expect(results.map(\.outcome) == [.revoked, .revoked, .revoked, .revoked], "\(results.map { $0.message ?? "" })")
        var sent: [String: Int] = [:]
        for request in fake.revokingRequests { sent[request.path, default: 0] += 1 }
        #expect(sent == ["/vssps/contoso/_apis/tokens/pats": 2, "/github/credentials/revoke": 2, "/gitlab/api/v4/personal_access_tokens/self": 2, "/slack/api/auth.revoke": 2])
        #expect([pat, gitHub, gitLab, slack].allSatisfy { !fake.isLive($0) })
    }
}
