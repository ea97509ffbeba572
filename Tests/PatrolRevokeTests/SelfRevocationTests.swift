import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

/// The providers whose tokens revoke themselves (`SelfRevocations`), each on a local server
/// that follows the provider's documented contract, written again here from the documentation:
/// the identity call, the lookup of the token's id where the call needs one, and the revoking
/// call, each answered only with the token in the documented place. State changes: a revoked
/// token stops working.
final class SelfRevokingProviders: @unchecked Sendable {
    /// One of an owner's tokens as npm's or Databricks' list shows it.
    struct Listed {
        var secret: String?
        var id: String
        /// npm's `token`: the first characters and an ellipsis.
        var shown: String
    }

    private let lock = NSLock()
    private var live: Set<String> = []
    /// Owner (a live token's secret stands for its owner) → their tokens.
    private var lists: [String: [Listed]] = [:]
    private(set) var server: TestHTTPServer!

    init() throws {
        server = try TestHTTPServer { [unowned self] request in self.lock.withLock { self.answer(request) } }
    }

    var requests: [TestHTTPServer.Request] { server.requests }

    /// A live token whose owner has `others` besides it in the provider's list.
    func add(_ secret: String, id: String, shown: String? = nil, others: [Listed] = []) {
        lock.withLock {
            live.insert(secret)
            let own = Listed(secret: secret, id: id, shown: shown ?? String(secret.prefix(6)) + "…")
            lists[secret] = [own] + others
            for other in others { if let value = other.secret { live.insert(value) } }
        }
    }

    func makeLive(_ secret: String) { lock.withLock { _ = live.insert(secret) } }
    func isLive(_ secret: String) -> Bool { lock.withLock { live.contains(secret) } }

    func access() throws -> ProviderAccess {
        ProviderAccess(endpoints: try ProviderEndpoints.from(environment: ["PATROL_VERIFY_BASE_URL": server.baseURL]), timeout: 2,
                       retry: RetryPolicy(maxRetries: 1, initialBackoff: 0.01, maxWait: 1), userAgent: "patrol-test")
    }

    private func bearer(_ request: TestHTTPServer.Request) -> String? {
        guard let value = request.header("Authorization"), value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    /// Called with the lock held.
    private func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        let path = request.path.removingPercentEncoding ?? request.path
        switch (request.method, path) {
        // https://developer.hashicorp.com/vault/api-docs/auth/token — X-Vault-Token; a bad token is 403.
        case ("GET", "/vault/v1/auth/token/lookup-self"):
            guard let token = request.header("X-Vault-Token"), live.contains(token) else { return .json(403, ["errors": ["permission denied"]]) }
            return .json(200, ["data": ["accessor": "acc-1", "display_name": "token-ci"]])
        case ("POST", "/vault/v1/auth/token/revoke-self"):
            guard let token = request.header("X-Vault-Token"), live.contains(token) else { return .json(403, ["errors": ["permission denied"]]) }
            live.remove(token)
            return TestHTTPServer.Response(status: 204)

        // https://docs.doppler.com/reference/auth-me, /auth-revoke — Bearer; the token to revoke in the body.
        case ("GET", "/doppler/v3/me"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["messages": ["Invalid Auth token"], "success": false]) }
            return .json(200, ["type": "personal", "name": "laptop", "workplace": ["name": "contoso"]])
        case ("POST", "/doppler/v3/auth/revoke"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["messages": ["Invalid Auth token"], "success": false]) }
            guard request.header("Content-Type") == "application/json", let named = (request.json as? [String: Any])?["token"] as? String else {
                return .json(400, ["messages": ["token is required"], "success": false])
            }
            live.remove(named)
            return .json(200, ["success": true])

        // npm registry: GET /-/whoami; GET /-/npm/v1/tokens (the owner's, with their first
        // characters and `key`); DELETE /-/npm/v1/tokens/token/{key}.
        case ("GET", "/npm/-/whoami"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["error": "unauthorized"]) }
            return .json(200, ["username": "jane"])
        case ("GET", "/npm/-/npm/v1/tokens"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["error": "unauthorized"]) }
            let objects = (lists[token] ?? []).map { ["token": $0.shown, "key": $0.id, "readonly": false, "cidr_whitelist": NSNull(), "created": "2026-03-01T10:00:00.000Z"] as [String: Any] }
            return .json(200, ["objects": objects, "total": objects.count, "urls": [String: Any]()])
        case ("DELETE", _) where path.hasPrefix("/npm/-/npm/v1/tokens/token/"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["error": "unauthorized"]) }
            let key = String(path.dropFirst("/npm/-/npm/v1/tokens/token/".count))
            guard let entry = lists[token]?.first(where: { $0.id == key }) else { return .json(404, ["error": "not found"]) }
            if let secret = entry.secret { live.remove(secret) }
            return TestHTTPServer.Response(status: 204)

        // https://docs.databricks.com/api/workspace/tokens — Bearer; a bad token is 403.
        case ("GET", "/databricks/api/2.0/preview/scim/v2/Me"):
            guard let token = bearer(request), live.contains(token) else { return .json(403, ["error_code": "PERMISSION_DENIED"]) }
            return .json(200, ["id": "1", "userName": "jane@contoso.example"])
        case ("GET", "/databricks/api/2.0/token/list"):
            guard let token = bearer(request), live.contains(token) else { return .json(403, ["error_code": "PERMISSION_DENIED"]) }
            let infos = (lists[token] ?? []).map { ["token_id": $0.id, "comment": "ci", "creation_time": 1_767_000_000_000, "expiry_time": -1] as [String: Any] }
            return .json(200, ["token_infos": infos])
        case ("POST", "/databricks/api/2.0/token/delete"):
            guard let token = bearer(request), live.contains(token) else { return .json(403, ["error_code": "PERMISSION_DENIED"]) }
            guard let id = (request.json as? [String: Any])?["token_id"] as? String, let entry = lists[token]?.first(where: { $0.id == id }) else {
                return .json(404, ["error_code": "RESOURCE_DOES_NOT_EXIST"])
            }
            if let secret = entry.secret { live.remove(secret) }
            return .json(200, [String: Any]())

        // https://buildkite.com/docs/apis/rest-api/access-token — GET and DELETE /v2/access-token.
        case ("GET", "/buildkite/v2/access-token"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["message": "Authentication required"]) }
            return .json(200, ["uuid": "b63254c0-3271-4a98-8270-7cfbd6c2f14e", "scopes": ["read_user"]])
        case ("DELETE", "/buildkite/v2/access-token"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["message": "Authentication required"]) }
            live.remove(token)
            return TestHTTPServer.Response(status: 204)

        // https://developer.hashicorp.com/terraform/cloud-docs/api-docs — JSON:API, Bearer. The
        // account is the token's user ("user-" + its id here); a team or organisation token has
        // none (404). The user's tokens list metadata only.
        case ("GET", "/terraform/api/v2/account/details"):
            guard request.header("Accept")?.contains("application/vnd.api+json") == true else { return .json(406, ["errors": [["status": "406"]]]) }
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["errors": [["status": "401", "title": "unauthorized"]]]) }
            guard let own = lists[token]?.first else { return .json(404, ["errors": [["status": "404", "title": "not found"]]]) }
            return .json(200, ["data": ["id": "user-" + own.id, "type": "users", "attributes": ["username": "jane"]]])
        case ("GET", _) where path.hasPrefix("/terraform/api/v2/users/") && path.hasSuffix("/authentication-tokens"):
            guard let token = bearer(request), live.contains(token), let listed = lists[token], let own = listed.first,
                  path == "/terraform/api/v2/users/user-\(own.id)/authentication-tokens" else { return .json(404, ["errors": [["status": "404"]]]) }
            return .json(200, ["data": listed.map { ["id": $0.id, "type": "authentication-tokens", "attributes": ["description": "ci", "created-at": "2026-03-01T10:00:00.000Z"]] }])
        case ("DELETE", _) where path.hasPrefix("/terraform/api/v2/authentication-tokens/"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["errors": [["status": "401"]]]) }
            let id = String(path.dropFirst("/terraform/api/v2/authentication-tokens/".count))
            guard let entry = lists[token]?.first(where: { $0.id == id }) else { return .json(404, ["errors": [["status": "404"]]]) }
            if let secret = entry.secret { live.remove(secret) }
            return TestHTTPServer.Response(status: 204)

        default:
            return .json(404, ["message": "no such route: \(request.method) \(path)"])
        }
    }
}

@Suite struct SelfRevocationTests {
    static func random(_ prefix: String, _ count: Int = 36) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<count).map { _ in alphabet.randomElement()! })
    }

    static let vaultContext = ["addr": "https://contoso.vault.a1b2.aws.hashicorp.cloud:8200"]
    static let databricksContext = ["workspace": "dbc-a1b2c3.cloud.databricks.com"]

    /// `METHOD /path` and where the token went (`vault:` X-Vault-Token, `bearer:` Authorization).
    static func lines(_ requests: [TestHTTPServer.Request], _ secret: String) -> [String] {
        requests.map { request in
            let place = request.header("X-Vault-Token") == secret ? "X-Vault-Token"
                : request.header("Authorization") == "Bearer " + secret ? "Bearer" : "no token"
            return "\(request.line) [\(place)]"
        }
    }

    @Test func vaultRevokesItselfWithRevokeSelfAndItsOwnHeader() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("hvs.", 90)
        fake.makeLive(secret)
        let token = Leaked.token(secret, rule: "vault-service-token", provider: "vault", context: Self.vaultContext)
        let access = try fake.access()

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun)
        #expect(dry.calls.map(\.description) == ["POST 127.0.0.1:\(fake.server.port) /vault/v1/auth/token/revoke-self"])
        #expect(Self.lines(fake.requests, secret) == ["GET /vault/v1/auth/token/lookup-self [X-Vault-Token]"])
        #expect(fake.isLive(secret))

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.status == 204)
        #expect(result.owner == "token-ci")
        #expect(Self.lines(Array(fake.requests.dropFirst()), secret) == ["GET /vault/v1/auth/token/lookup-self [X-Vault-Token]",
                                                                         "POST /vault/v1/auth/token/revoke-self [X-Vault-Token]"])
        #expect(fake.requests.allSatisfy { $0.header("Authorization") == nil && !$0.target.contains(secret) && !$0.bodyText.contains(secret) })
        #expect(!fake.isLive(secret))

        // Revoked: the next run finds it dead and sends nothing that revokes.
        let again = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(again.outcome == .alreadyInvalid)
        #expect(fake.requests.last?.line == "GET /vault/v1/auth/token/lookup-self")
    }

    @Test func dopplerRevokesItselfWithTheTokenInTheBody() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("dp.pt.", 43)
        fake.makeLive(secret)
        let token = Leaked.token(secret, rule: "doppler-personal-token", provider: "doppler")
        let access = try fake.access()

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun)
        #expect(dry.calls.map(\.path) == ["/doppler/v3/auth/revoke"])
        #expect(Self.lines(fake.requests, secret) == ["GET /doppler/v3/me [Bearer]"])

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.status == 200)
        #expect(result.owner == "contoso")
        let post = try #require(fake.requests.last)
        #expect(Self.lines([post], secret) == ["POST /doppler/v3/auth/revoke [Bearer]"])
        #expect(post.json as? [String: String] == ["token": secret])
        #expect(!fake.isLive(secret))
    }

    @Test func npmDeletesTheListedTokenWhoseShownStartIsThisOne() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("npm_")
        let other = Self.random("npm_"), third = Self.random("npm_")
        try #require(other.prefix(6) != secret.prefix(6) && third.prefix(6) != secret.prefix(6))
        fake.add(secret, id: "sha512-leaked/key+1==", others: [
            .init(secret: other, id: "sha512-other", shown: String(other.prefix(6)) + "…"),
            .init(secret: third, id: "sha512-third", shown: String(third.prefix(6)) + "…"),
        ])
        let token = Leaked.token(secret, rule: "npm-access-token", provider: "npm")
        let access = try fake.access()

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun)
        // The key (shown decoded); on the wire it is percent-encoded, and the token itself never goes there.
        #expect(dry.calls.map(\.path) == ["/npm/-/npm/v1/tokens/token/sha512-leaked/key+1=="])
        #expect(Self.lines(fake.requests, secret) == ["GET /npm/-/whoami [Bearer]", "GET /npm/-/npm/v1/tokens [Bearer]"])

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.owner == "jane")
        #expect(Self.lines(Array(fake.requests.suffix(3)), secret) == ["GET /npm/-/whoami [Bearer]", "GET /npm/-/npm/v1/tokens [Bearer]",
                                                                       "DELETE /npm/-/npm/v1/tokens/token/sha512-leaked%2Fkey%2B1%3D%3D [Bearer]"])
        #expect(fake.requests.allSatisfy { !$0.target.contains(secret) })
        #expect(!fake.isLive(secret))
        #expect(fake.isLive(other) && fake.isLive(third))
    }

    @Test func npmRevokesNothingWhenSeveralListedTokensStartLikeThisOne() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("npm_")
        let twin = String(secret.prefix(6)) + String(Self.random("", 30))
        fake.add(secret, id: "sha512-leaked", others: [.init(secret: twin, id: "sha512-twin", shown: String(twin.prefix(6)) + "…")])
        let token = Leaked.token(secret, rule: "npm-access-token", provider: "npm")

        let result = try #require(await Revoker(access: try fake.access()).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .failed)
        #expect(result.message?.contains("2 of the owner's tokens could be this one: nothing was revoked") == true, "\(result.message ?? "")")
        #expect(result.calls.isEmpty)
        #expect(fake.requests.map(\.line) == ["GET /npm/-/whoami", "GET /npm/-/npm/v1/tokens"])
        #expect(fake.isLive(secret) && fake.isLive(twin))
        #expect(result.message?.contains(secret) == false)
    }

    @Test func npmRevokesNothingWhenNoListedTokenIsThisOne() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("npm_")
        fake.add(secret, id: "sha512-leaked", shown: "zzzzzz…")
        let token = Leaked.token(secret, rule: "npm-access-token", provider: "npm")
        let result = try #require(await Revoker(access: try fake.access()).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .failed)
        #expect(result.message?.contains("none of the owner's 1 tokens is this one: nothing was revoked") == true, "\(result.message ?? "")")
        #expect(!fake.requests.contains { $0.method == "DELETE" })
        #expect(fake.isLive(secret))
    }

    @Test func databricksRevokesTheOnlyListedToken() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("dapi", 32)
        fake.add(secret, id: "5715498424f15ee0213be729257b53fc35a47d5953e3bdfd8ed22a0b93b339f4")
        let token = Leaked.token(secret, rule: "databricks-token", provider: "databricks", context: Self.databricksContext)
        let access = try fake.access()

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun)
        #expect(dry.calls.map(\.path) == ["/databricks/api/2.0/token/delete"])
        #expect(!fake.requests.contains { $0.path.hasSuffix("/token/delete") })

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.owner == "jane@contoso.example")
        #expect(Self.lines(Array(fake.requests.suffix(3)), secret) == ["GET /databricks/api/2.0/preview/scim/v2/Me [Bearer]",
                                                                       "GET /databricks/api/2.0/token/list [Bearer]",
                                                                       "POST /databricks/api/2.0/token/delete [Bearer]"])
        #expect(fake.requests.last?.json as? [String: String] == ["token_id": "5715498424f15ee0213be729257b53fc35a47d5953e3bdfd8ed22a0b93b339f4"])
        #expect(!fake.isLive(secret))
    }

    @Test func databricksRevokesNothingWhenTheOwnerHasSeveralTokens() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("dapi", 32), other = Self.random("dapi", 32)
        fake.add(secret, id: "id-leaked", others: [.init(secret: other, id: "id-other", shown: "")])
        let token = Leaked.token(secret, rule: "databricks-token", provider: "databricks", context: Self.databricksContext)
        let result = try #require(await Revoker(access: try fake.access()).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .failed)
        #expect(result.message?.contains("2 of the owner's tokens could be this one: nothing was revoked; revoke it in the provider's settings") == true, "\(result.message ?? "")")
        #expect(fake.requests.map(\.line) == ["GET /databricks/api/2.0/preview/scim/v2/Me", "GET /databricks/api/2.0/token/list"])
        #expect(fake.isLive(secret) && fake.isLive(other))
    }

    @Test func buildkiteRevokesItselfWithDeleteAccessToken() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.random("bkua_", 40)
        fake.makeLive(secret)
        let token = Leaked.token(secret, rule: "buildkite-api-token", provider: "buildkite")
        let access = try fake.access()

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun)
        #expect(dry.calls.map(\.description) == ["DELETE 127.0.0.1:\(fake.server.port) /buildkite/v2/access-token"])
        #expect(Self.lines(fake.requests, secret) == ["GET /buildkite/v2/access-token [Bearer]"])

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.status == 204)
        #expect(Self.lines(Array(fake.requests.suffix(2)), secret) == ["GET /buildkite/v2/access-token [Bearer]", "DELETE /buildkite/v2/access-token [Bearer]"])
        #expect(!fake.isLive(secret))
    }

    static func terraformToken() -> String { random("", 14) + ".atlasv1." + random("", 67) }

    @Test func hcpTerraformRevokesAUsersOnlyToken() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.terraformToken()
        fake.add(secret, id: "at-6yEmxNAhaoQLH1Da")
        let token = Leaked.token(secret, rule: "terraform-api-token", provider: "terraform")
        let access = try fake.access()

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun, "\(dry)")
        #expect(dry.calls.map(\.path) == ["/terraform/api/v2/authentication-tokens/at-6yEmxNAhaoQLH1Da"])
        #expect(!fake.requests.contains { $0.method == "DELETE" })

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.status == 204)
        #expect(result.owner == "jane")
        #expect(Self.lines(Array(fake.requests.suffix(3)), secret) == ["GET /terraform/api/v2/account/details [Bearer]",
                                                                       "GET /terraform/api/v2/users/user-at-6yEmxNAhaoQLH1Da/authentication-tokens [Bearer]",
                                                                       "DELETE /terraform/api/v2/authentication-tokens/at-6yEmxNAhaoQLH1Da [Bearer]"])
        #expect(fake.requests.allSatisfy { $0.header("Accept") == "application/vnd.api+json" })
        #expect(!fake.isLive(secret))
    }

    @Test func hcpTerraformRevokesNothingWhenTheUserHasSeveralTokensOrTheTokenHasNoUser() async throws {
        let fake = try SelfRevokingProviders()
        let secret = Self.terraformToken(), other = Self.terraformToken(), team = Self.terraformToken()
        fake.add(secret, id: "at-leaked", others: [.init(secret: other, id: "at-other", shown: "")])
        fake.makeLive(team)
        let tokens = [secret, team].map { Leaked.token($0, rule: "terraform-api-token", provider: "terraform") }
        let results = await Revoker(access: try fake.access()).revoke(tokens, mode: .revoke)
        #expect(results[0].outcome == .failed)
        #expect(results[0].message?.contains("2 of the owner's tokens could be this one: nothing was revoked") == true, "\(results[0].message ?? "")")
        #expect(results[1].outcome == .notSupported)
        #expect(results[1].message?.contains("no user of its own (a team or organisation token") == true, "\(results[1].message ?? "")")
        #expect(!fake.requests.contains { $0.method == "DELETE" })
        #expect(fake.requests.filter { $0.path.hasSuffix("/authentication-tokens") }.count == 1, "the team token's tokens are not listed")
        #expect(fake.isLive(secret) && fake.isLive(other) && fake.isLive(team))
    }

    @Test func everySelfRevocationHasALocalServerTestAndIsReachableFromAReport() {
        // The providers the tests above revoke; a new entry must come with its test.
        #expect(Set(SelfRevocations.all.map(\.provider)) == ["vault", "doppler", "npm", "databricks", "buildkite", "terraform"])
        for revocation in SelfRevocations.all {
            #expect(IdentityCalls.byProvider[revocation.provider] != nil, "\(revocation.provider): a self-revocation needs the identity call first")
            #expect(revocation.documentation.hasPrefix("https://"), "\(revocation.provider)")
            let rules = Secrets.ruleSet.rules.filter { $0.providerID == revocation.provider && revocation.rules.matches($0.id) }
            #expect(!rules.isEmpty, "\(revocation.provider): serves none of its rules")
            for rule in rules {
                #expect(ReportTokens.revoker(Secrets.ruleSet.provider(id: revocation.provider), id: revocation.provider, rule: rule.id) == revocation.provider, "\(rule.id)")
            }
        }
    }

    /// Remediation plans (PatrolKit, which cannot see this table) offer `patrol revoke` from
    /// `ProviderAPICoverage.selfRevoking`: exactly the rules a report's token is revoked for here.
    @Test func theRulesRemediationOffersRevokeForAreTheSelfRevokingOnes() {
        let revoked = Set(Secrets.ruleSet.rules.filter { rule in
            let provider = Secrets.ruleSet.provider(id: rule.providerID)
            return provider?.revoke == nil && ReportTokens.revoker(provider, id: rule.providerID, rule: rule.id) != nil
        }.map(\.id))
        #expect(ProviderAPICoverage.selfRevoking == revoked)
    }

    // MARK: - GitHub's OAuth, user-to-server and refresh tokens

    @Test(arguments: [("github-oauth", "gho_"), ("github-user-to-server", "ghu_"), ("github-refresh", "ghr_")])
    func gitHubAppAndOAuthTokensGoToTheCredentialRevocationAPI(rule: String, prefix: String) async throws {
        #expect(ProviderAPICoverage.canRevoke(rule: rule, with: "github"))
        let fake = try FakeProviders()
        let secret = Secrets.example("{{generate}}", rule: rule, seed: 7)
        try #require(secret.hasPrefix(prefix))
        fake.makeLive(secret)
        let token = Leaked.token(secret, rule: rule, provider: "github")
        let access = try fake.access()
        let refresh = prefix == "ghr_"

        let dry = try #require(await Revoker(access: access).revoke([token], mode: .dryRun).first)
        #expect(dry.outcome == .dryRun)
        #expect(dry.calls.map(\.description) == ["POST 127.0.0.1:\(fake.server.port) /github/credentials/revoke"])
        // A refresh token cannot call the API: it is not checked first.
        #expect(fake.requests.map(\.line) == (refresh ? [] : ["GET /github/user"]))
        #expect(fake.revokingRequests.isEmpty)
        #expect(fake.isLive(secret))

        let result = try #require(await Revoker(access: access).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .revoked, "\(result)")
        #expect(result.status == 202)
        let post = try #require(fake.revokingRequests.last)
        #expect(fake.revokingRequests.count == 1)
        #expect(post.line == "POST /github/credentials/revoke")
        #expect(post.header("Authorization") == nil)
        #expect(post.json as? [String: [String]] == ["credentials": [secret]])
        #expect(!fake.isLive(secret))
    }

    // MARK: - Providers without a self-revoking call

    @Test(arguments: [("huggingface", "huggingface-token", "https://huggingface.co/settings/tokens")])
    func aProviderWithoutASelfRevokingCallIsSentNothingAndNamedWithItsManualStep(provider: String, rule: String, page: String) async throws {
        let fake = try SelfRevokingProviders()
        #expect(SelfRevocations.byProvider[provider] == nil)
        let ruleProvider = try #require(Secrets.ruleSet.provider(id: provider))
        #expect(ReportTokens.revoker(ruleProvider, id: provider, rule: rule) == nil)
        var token = Leaked.token(Self.random("tst"), rule: rule, provider: provider)
        token.revoker = ReportTokens.revoker(ruleProvider, id: provider, rule: rule)
        token.providerName = ruleProvider.name
        token.manualSteps = ProviderRemediation(markdown: ruleProvider.remediation).steps.first { $0.kind == .revoke }?.text
        let result = try #require(await Revoker(access: try fake.access()).revoke([token], mode: .revoke).first)
        #expect(result.outcome == .notSupported)
        #expect(result.message == "\(ruleProvider.name)'s API has no call with which a leaked token revokes itself: revoke it by hand", "\(result.message ?? "")")
        #expect(token.manualSteps?.contains(page) == true, "\(token.manualSteps ?? "")")
        #expect(fake.requests.isEmpty)
    }
}
