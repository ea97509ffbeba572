import Foundation

/// The four providers' contracts on one `TestHTTPServer`, each under its own path prefix
/// (`/ado`, `/vssps`, `/github`, `/gitlab`, `/slack`), so a test can tell which base URL a
/// request went to. State lives here: which tokens work, whose Azure DevOps tokens are listed;
/// a revocation changes it. Faults (429, 5xx, slow answers) are queued per route.
final class FakeProviders: @unchecked Sendable {
    struct AzureUser {
        var id: String
        var name: String
        var descriptor: String
    }

    /// One of a user's Azure DevOps tokens, as the lists show it.
    struct AzureToken {
        var authorizationId: String
        var owner: String
        var displayName: String
        var scope: String
        var validFrom: String
        var validTo: String
        /// The value, when a test holds it (the lists never return it).
        var secret: String?
        var revoked = false
    }

    /// A queued answer for the next request to a route, instead of the contract's.
    struct Fault {
        var method: String
        var path: String
        var response: TestHTTPServer.Response
        /// Apply the request as usual, then answer with `response` anyway (a lost answer).
        var applyFirst = false
    }

    private let lock = NSLock()
    private(set) var live: Set<String> = []
    private var azureUsers: [String: AzureUser] = [:]
    private var azureTokens: [AzureToken] = []
    /// Entra token → user id.
    private var entraUsers: [String: String] = [:]
    private var adminCredentials: Set<String> = []
    private var faults: [Fault] = []
    /// What live tokens reach (`FakeAccessProviders.swift`).
    var reach = Reach()
    let pageSize = 2

    private(set) var server: TestHTTPServer!

    init() throws {
        server = try TestHTTPServer { [unowned self] request in self.answer(request) }
    }

    var baseURL: String { server.baseURL }
    var requests: [TestHTTPServer.Request] { server.requests }

    /// The `PATROL_*_URL` variables pointing at this server.
    var environment: [String: String] {
        [
            "PATROL_AZURE_DEVOPS_URL": baseURL + "/ado",
            "PATROL_AZURE_DEVOPS_VSSPS_URL": baseURL + "/vssps",
            "PATROL_GITHUB_API_URL": baseURL + "/github",
            "PATROL_GITLAB_URL": baseURL + "/gitlab",
            "PATROL_SLACK_API_URL": baseURL + "/slack",
            "PATROL_AWS_STS_URL": baseURL + "/aws",
        ]
    }

    func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func makeLive(_ secrets: String...) { locked { live.formUnion(secrets) } }
    func isLive(_ secret: String) -> Bool { locked { live.contains(secret) } }
    func addAzureUser(_ user: AzureUser, entraToken: String? = nil) {
        locked {
            azureUsers[user.id] = user
            if let entraToken { entraUsers[entraToken] = user.id }
        }
    }
    func addAzureToken(_ token: AzureToken) {
        locked {
            azureTokens.append(token)
            if let secret = token.secret, !token.revoked { live.insert(secret) }
        }
    }
    func addAdmin(_ credential: String) { locked { _ = adminCredentials.insert(credential) } }
    func fail(_ method: String, _ path: String, with response: TestHTTPServer.Response, times: Int = 1, applyFirst: Bool = false) {
        locked { for _ in 0..<times { faults.append(Fault(method: method, path: path, response: response, applyFirst: applyFirst)) } }
    }

    /// Drops every queued fault: the contract answers again.
    func clearFaults() { locked { faults.removeAll() } }

    // MARK: - Answers

    private func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        let fault: Fault? = locked {
            guard let index = faults.firstIndex(where: { $0.method == request.method && $0.path == request.path }) else { return nil }
            return faults.remove(at: index)
        }
        if let fault {
            if fault.applyFirst { _ = locked { contract(request) } }
            return fault.response
        }
        return locked { contract(request) }
    }

    /// Called with the lock held.
    private func contract(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        let parts = request.path.split(separator: "/").map(String.init)
        guard let prefix = parts.first else { return .text(404, "not found") }
        switch prefix {
        case "ado": return azureDevOps(request, Array(parts.dropFirst()))
        case "vssps": return vssps(request, Array(parts.dropFirst()))
        case "github": return gitHub(request, Array(parts.dropFirst()).joined(separator: "/"))
        case "gitlab": return gitLab(request, Array(parts.dropFirst()).joined(separator: "/"))
        case "slack": return slack(request, Array(parts.dropFirst()).joined(separator: "/"))
        case "aws": return aws(request)
        default: return .text(404, "not found")
        }
    }

    func bearer(_ request: TestHTTPServer.Request) -> String? {
        guard let value = request.header("Authorization"), value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    private func basicPassword(_ request: TestHTTPServer.Request) -> String? {
        guard let value = request.header("Authorization"), value.hasPrefix("Basic "),
              let data = Data(base64Encoded: String(value.dropFirst(6))) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return text.firstIndex(of: ":").map { String(text[text.index(after: $0)...]) }
    }

    private static let signInPage = TestHTTPServer.Response.text(203, "<html><head><title>Azure DevOps Services | Sign In</title></head></html>", contentType: "text/html; charset=utf-8")

    /// The Azure DevOps user a request authenticates as (a live PAT as Basic, or an Entra token).
    func azureCaller(_ request: TestHTTPServer.Request) -> AzureUser? {
        if let pat = basicPassword(request), live.contains(pat), let token = azureTokens.first(where: { $0.secret == pat && !$0.revoked }) {
            return azureUsers[token.owner]
        }
        if let entra = bearer(request), let id = entraUsers[entra] { return azureUsers[id] }
        return nil
    }

    private func azureDevOps(_ request: TestHTTPServer.Request, _ parts: [String]) -> TestHTTPServer.Response {
        guard parts.count >= 3, parts[0] == "contoso", parts[1] == "_apis" else {
            return .json(404, ["message": "TF400813: the organisation was not found"])
        }
        guard let user = azureCaller(request) else { return Self.signInPage }
        switch (request.method, parts.dropFirst(2).joined(separator: "/")) {
        case ("GET", "connectionData"):
            return .json(200, ["authenticatedUser": ["id": user.id, "providerDisplayName": user.name, "subjectDescriptor": user.descriptor]])
        case ("GET", "projects"):
            return azureProjects(request)
        case ("GET", "git/repositories"):
            return azureRepositories(request)
        default:
            return .json(404, ["message": "no such API"])
        }
    }

    private func listing(_ tokens: [AzureToken], _ request: TestHTTPServer.Request, admin: Bool) -> [String: Any] {
        let start = Int(request.query["continuationToken"] ?? "0") ?? 0
        let page = tokens.dropFirst(start).prefix(pageSize)
        var object: [String: Any] = [(admin ? "value" : "patTokens"): page.map { token -> [String: Any] in
            var entry: [String: Any] = ["authorizationId": token.authorizationId, "displayName": token.displayName, "scope": token.scope,
                                        "validFrom": token.validFrom, "validTo": token.validTo, "token": NSNull()]
            if admin { entry["isValid"] = !token.revoked }
            return entry
        }]
        object["continuationToken"] = start + pageSize < tokens.count ? String(start + pageSize) : ""
        return object
    }

    private func vssps(_ request: TestHTTPServer.Request, _ parts: [String]) -> TestHTTPServer.Response {
        guard parts.count >= 3, parts[0] == "contoso", parts[1] == "_apis" else { return .json(404, ["message": "not found"]) }
        let route = parts.dropFirst(2).joined(separator: "/")
        if route == "tokens/pats" {
            guard request.query["api-version"] == "7.1-preview.1" else { return .json(400, ["message": "api-version"]) }
            guard let entra = bearer(request), let id = entraUsers[entra] else { return Self.signInPage }
            switch request.method {
            case "GET":
                return .json(200, listing(azureTokens.filter { $0.owner == id && !$0.revoked }, request, admin: false))
            case "DELETE":
                guard let index = azureTokens.firstIndex(where: { $0.authorizationId == request.query["authorizationId"] && $0.owner == id }) else {
                    return .json(404, ["message": "token not found"])
                }
                revokeAzure(index)
                return TestHTTPServer.Response(status: 204)
            default:
                return .json(405, ["message": "method"])
            }
        }
        guard route.hasPrefix("tokenadmin/") else { return .json(404, ["message": "not found"]) }
        let credential = bearer(request) ?? basicPassword(request)
        guard let credential, adminCredentials.contains(credential) else { return .json(401, ["message": "not a token administrator"]) }
        guard request.query["isPublic"] == "false", request.query["api-version"] == "7.1-preview.1" else { return .json(400, ["message": "query"]) }
        if request.method == "GET", parts.count == 5, parts[2] == "tokenadmin", parts[3] == "personalaccesstokens" {
            guard let user = azureUsers.values.first(where: { $0.descriptor == parts[4] }) else { return .json(404, ["message": "unknown user"]) }
            return .json(200, listing(azureTokens.filter { $0.owner == user.id }, request, admin: true))
        }
        if request.method == "POST", route == "tokenadmin/revocations" {
            guard let items = request.json as? [[String: Any]] else { return .json(400, ["message": "body"]) }
            for item in items {
                if let index = azureTokens.firstIndex(where: { $0.authorizationId == item["authorizationId"] as? String }) { revokeAzure(index) }
            }
            return TestHTTPServer.Response(status: 204)
        }
        return .json(404, ["message": "not found"])
    }

    private func revokeAzure(_ index: Int) {
        azureTokens[index].revoked = true
        if let secret = azureTokens[index].secret { live.remove(secret) }
    }

    private func gitHub(_ request: TestHTTPServer.Request, _ route: String) -> TestHTTPServer.Response {
        switch (request.method, route) {
        case ("GET", "user"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["message": "Bad credentials"]) }
            return .json(200, ["login": "octocat", "id": 1], headers: reach.gitHubScopes.map { [("X-OAuth-Scopes", $0)] } ?? [])
        case ("GET", "user/orgs"), ("GET", "user/repos"):
            guard let token = bearer(request), live.contains(token) else { return .json(401, ["message": "Bad credentials"]) }
            return gitHubListing(request, route)
        case ("POST", "credentials/revoke"):
            if request.header("Authorization") != nil { return .json(403, ["message": "authenticated requests are not accepted"]) }
            guard let object = request.json as? [String: Any], let credentials = object["credentials"] as? [String], !credentials.isEmpty else {
                return .json(422, ["message": "Validation Failed"])
            }
            guard credentials.count <= 1000 else { return .json(422, ["message": "too many credentials"]) }
            for credential in credentials { live.remove(credential) }
            return .json(202, [String: Any]())
        default:
            return .json(404, ["message": "Not Found"])
        }
    }

    private func gitLab(_ request: TestHTTPServer.Request, _ route: String) -> TestHTTPServer.Response {
        if route == "api/v4/user" || route == "api/v4/projects" { return gitLabListing(request, route) }
        guard route == "api/v4/personal_access_tokens/self" else { return .json(404, ["message": "404 Not Found"]) }
        guard let token = request.header("PRIVATE-TOKEN"), live.contains(token) else { return .json(401, ["message": "401 Unauthorized"]) }
        switch request.method {
        case "GET": return .json(200, ["id": 7, "name": "ci", "active": true, "revoked": false, "user_id": 42, "scopes": ["api"], "expires_at": "2027-01-31"])
        case "DELETE":
            live.remove(token)
            return TestHTTPServer.Response(status: 204)
        default: return .json(405, ["message": "405"])
        }
    }

    private func slack(_ request: TestHTTPServer.Request, _ route: String) -> TestHTTPServer.Response {
        guard request.method == "POST" else { return .json(405, ["ok": false, "error": "method_not_allowed"]) }
        let token = bearer(request)
        switch route {
        case "api/auth.test":
            guard let token, live.contains(token) else { return .json(200, ["ok": false, "error": "invalid_auth"]) }
            return .json(200, ["ok": true, "user": "deploybot", "team": "Contoso"], headers: reach.slackScopes.map { [("x-oauth-scopes", $0)] } ?? [])
        case "api/auth.revoke":
            guard let token, live.contains(token) else { return .json(200, ["ok": false, "error": "invalid_auth"]) }
            live.remove(token)
            return .json(200, ["ok": true, "revoked": true])
        default:
            return .json(404, ["ok": false, "error": "unknown_method"])
        }
    }
}
