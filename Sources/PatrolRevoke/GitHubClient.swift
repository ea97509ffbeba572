import Foundation
import PatrolKit

/// GitHub: verifies with `GET /user` (installation tokens, which cannot call it, with
/// `GET /installation/repositories`), and revokes through the public credential revocation
/// API, which needs no authentication: `POST /credentials/revoke` with up to 1,000 tokens a
/// request and 60 requests an hour, so tokens are sent in batches. Installation tokens, which
/// that API does not take, revoke themselves with `DELETE /installation/token`.
struct GitHubClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints

    static let batchSize = 1_000

    private func headers(token: String?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")]
        if let token { headers.append(("Authorization", "Bearer " + token)) }
        return headers
    }

    private static func isInstallationToken(_ token: LeakedToken) -> Bool { token.secret.hasPrefix("ghs_") }
    private static func isRefreshToken(_ token: LeakedToken) -> Bool { token.secret.hasPrefix("ghr_") }

    func verify(_ token: LeakedToken) async -> Verification {
        if !ProviderAPICoverage.canVerify(rule: token.rule, with: "github") || Self.isRefreshToken(token) {
            return Verification(outcome: .notSupported, message: "a refresh token cannot call the API; checking one needs the app's client id and secret")
        }
        let installation = Self.isInstallationToken(token)
        let url = installation
            ? endpoints.gitHubAPI.appending(apiPath: "/installation/repositories", query: [("per_page", "1")])
            : endpoints.gitHubAPI.appending(apiPath: "/user")
        switch await http.send(HTTPRequest(method: "GET", url: url, headers: headers(token: token.secret))) {
        case .failure(let failure):
            return .failed(describe(failure, "GET \(url.path)"))
        case .success(let response):
            switch response.status {
            case 200:
                // Live only on GitHub's documented answer: the user with a login, or the
                // installation's repositories with their count.
                let object = response.jsonObject
                if installation {
                    guard object?["total_count"] is Int || object?["repositories"] is [Any] else {
                        return .failed(undocumented(response, "GET \(url.path)", expected: "the installation's repositories"), status: 200)
                    }
                    return Verification(outcome: .live, status: 200, owner: "an app installation")
                }
                guard let login = object?["login"] as? String, !login.isEmpty else {
                    return .failed(undocumented(response, "GET \(url.path)", expected: "a user with a login"), status: 200)
                }
                var result = Verification(outcome: .live, status: 200, owner: login)
                // Classic tokens and OAuth tokens name their scopes; fine-grained ones do not.
                result.access = TokenAccess(user: login, scopes: Self.scopes(response.headers["x-oauth-scopes"]))
                return result
            case 401:
                return Verification(outcome: .notLive, status: 401)
            default:
                return .failed(describe(response, "GET \(url.path)"), status: response.status)
            }
        }
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        let check = await verify(token)
        if check.outcome == .notLive {
            return .done(Revocation(token: token, outcome: .alreadyInvalid, status: check.status))
        }
        let request: HTTPRequest
        if Self.isInstallationToken(token) {
            request = HTTPRequest(method: "DELETE", url: endpoints.gitHubAPI.appending(apiPath: "/installation/token"), headers: headers(token: token.secret))
        } else {
            request = revocationRequest([token.secret])
        }
        return .plan(RevocationPlan(token: token, request: request, owner: check.owner))
    }

    /// No `Authorization` header: GitHub answers an authenticated call to this API with 403.
    private func revocationRequest(_ secrets: [String]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: endpoints.gitHubAPI.appending(apiPath: "/credentials/revoke"),
                    headers: headers(token: nil) + [("Content-Type", "application/json")],
                    body: JSONBody.encode(["credentials": secrets]))
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        switch response.status {
        case 204: return .revoked(status: 204)
        case 202:
            guard response.isEmptyOrJSON else { return .unknown(status: 202, message: undocumented(response, "revoke", expected: "an empty or JSON answer")) }
            return .revoked(status: 202)
        case 200...299: return .unknown(status: response.status, message: undocumented(response, "revoke", expected: "202 or 204"))
        case 401 where plan.request.method == "DELETE": return .alreadyInvalid(status: 401)
        case 500...599: return .unknown(status: response.status, message: describe(response, "revoke"))
        default: return .refused(status: response.status, message: describe(response, "revoke"))
        }
    }

    /// Installation tokens one by one; every other token in batches of up to 1,000.
    func execute(_ plans: [RevocationPlan]) async -> [Revocation] {
        var results: [Revocation] = []
        var batched: [RevocationPlan] = []
        for plan in plans {
            if plan.request.method == "DELETE" { results.append(await executeOne(plan)) } else { batched.append(plan) }
        }
        var start = 0
        while start < batched.count {
            let batch = Array(batched[start..<min(start + Self.batchSize, batched.count)])
            start += batch.count
            var combined = batch[0]
            combined.request = revocationRequest(batch.map(\.token.secret))
            results += await executeBatch(batch, combined: combined)
        }
        return results
    }

    /// One request for the batch; on an unknown outcome each token is checked, and only those
    /// that still work (or cannot be checked) are sent again.
    private func executeBatch(_ batch: [RevocationPlan], combined: RevocationPlan) async -> [Revocation] {
        var remaining = batch
        var results: [Revocation] = []
        let attempts = http.retry.maxRetries + 1
        for attempt in 1...attempts {
            var request = combined.request
            request.body = JSONBody.encode(["credentials": remaining.map(\.token.secret)])
            let call = request.call
            let answer: RevokeAnswer
            switch await http.send(request, .revoking) {
            case .success(let response): answer = interpret(response, for: combined)
            case .failure(let failure): answer = .unknown(status: nil, message: failure.message)
            }
            func all(_ outcome: Revocation.Outcome, _ status: Int?, _ message: String?) -> [Revocation] {
                remaining.map { Revocation(token: $0.token, outcome: outcome, status: status, message: message.map { redactor.clean($0) }, calls: [call], owner: $0.owner) }
            }
            switch answer {
            case .revoked(let status): return results + all(.revoked, status, nil)
            case .alreadyInvalid(let status): return results + all(.alreadyInvalid, status, nil)
            case .refused(let status, let message): return results + all(.failed, status, message)
            case .unknown(let status, let message):
                var stillLive: [RevocationPlan] = []
                for plan in remaining {
                    if await verify(plan.token).outcome == .notLive {
                        results.append(Revocation(token: plan.token, outcome: .revoked, status: status, message: "the answer was lost (\(message)), but the token no longer works", calls: [call], owner: plan.owner))
                    } else {
                        stillLive.append(plan)
                    }
                }
                remaining = stillLive
                if remaining.isEmpty { return results }
                if attempt == attempts { return results + all(.failed, status, "\(message); still not revoked after \(attempts) attempts") }
                try? await Task.sleep(nanoseconds: UInt64(http.retry.initialBackoff * pow(2, Double(attempt - 1)) * 1_000_000_000))
            }
        }
        return results
    }
}
