import Foundation
import PatrolKit

/// GitLab personal access tokens: `GET /api/v4/personal_access_tokens/self` says whether one
/// works; `DELETE` on the same path, with the leaked token itself, revokes it (GitLab 15.0 on).
/// Other GitLab token kinds have no self-service API.
struct GitLabClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints

    /// `PATROL_GITLAB_URL`; else the GitLab host named near the token (a self-managed
    /// instance: asking gitlab.com would wrongly answer "not live"); else gitlab.com.
    func base(for token: LeakedToken) -> URL {
        if let configured = endpoints.gitLab { return configured }
        if let host = token.context["host"], host.lowercased() != "gitlab.com",
           host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-.".unicodeScalars.contains($0)) }),
           let url = URL(string: "https://" + host) {
            return url
        }
        return ProviderEndpoints.defaultGitLab
    }

    private func request(_ method: String, _ token: LeakedToken) -> HTTPRequest {
        HTTPRequest(method: method, url: base(for: token).appending(apiPath: "/api/v4/personal_access_tokens/self"),
                    headers: [("PRIVATE-TOKEN", token.secret), ("Accept", "application/json")])
    }

    private func unsupported(_ token: LeakedToken) -> String {
        "only personal access tokens (glpat-) can be checked and revoked through their own API; \(token.rule) cannot"
    }

    func verify(_ token: LeakedToken) async -> Verification {
        guard ProviderAPICoverage.canVerify(rule: token.rule, with: "gitlab") else { return Verification(outcome: .notSupported, message: unsupported(token)) }
        switch await http.send(request("GET", token)) {
        case .failure(let failure):
            return .failed(describe(failure, "GET /api/v4/personal_access_tokens/self"))
        case .success(let response):
            switch response.status {
            case 200:
                // Live only on GitLab's documented answer: the token, with its id.
                guard let object = response.jsonObject, object["id"] is Int else {
                    return .failed(undocumented(response, "GET /api/v4/personal_access_tokens/self", expected: "the token with its id"), status: 200)
                }
                if object["active"] as? Bool == false || object["revoked"] as? Bool == true {
                    return Verification(outcome: .notLive, status: 200)
                }
                var owner: String?
                if let name = object["name"] as? String { owner = "token '\(name)'" }
                if let user = object["user_id"] as? Int { owner = (owner.map { $0 + " of " } ?? "") + "user \(user)" }
                var result = Verification(outcome: .live, status: 200, owner: owner)
                result.access = TokenAccess(scopes: (object["scopes"] as? [Any])?.compactMap { $0 as? String }, expiresAt: object["expires_at"] as? String)
                return result
            case 401:
                return Verification(outcome: .notLive, status: 401)
            default:
                return .failed(describe(response, "GET /api/v4/personal_access_tokens/self"), status: response.status)
            }
        }
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        guard ProviderAPICoverage.canRevoke(rule: token.rule, with: "gitlab") else {
            return .done(Revocation(token: token, outcome: .notSupported, message: unsupported(token)))
        }
        let check = await verify(token)
        if check.outcome == .notLive { return .done(Revocation(token: token, outcome: .alreadyInvalid, status: check.status)) }
        return .plan(RevocationPlan(token: token, request: request("DELETE", token), owner: check.owner))
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        switch response.status {
        case 204: return .revoked(status: 204)
        case 200...299:
            guard response.status == 200, response.isEmptyOrJSON else {
                return .unknown(status: response.status, message: undocumented(response, "revoke", expected: "204"))
            }
            return .revoked(status: 200)
        case 401: return .alreadyInvalid(status: 401)
        case 500...599: return .unknown(status: response.status, message: describe(response, "revoke"))
        default: return .refused(status: response.status, message: describe(response, "revoke"))
        }
    }
}
