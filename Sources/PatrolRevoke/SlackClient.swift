import Foundation
import PatrolKit

/// Slack bot and user tokens: `auth.test` checks one, `auth.revoke` (with the token itself)
/// revokes it. Slack answers HTTP 200 either way: `ok` in the body decides.
struct SlackClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints

    /// `error` values meaning the token no longer works.
    static let deadErrors: Set<String> = ["invalid_auth", "account_inactive", "token_revoked", "token_expired", "not_authed"]

    private func request(_ method: String, _ token: LeakedToken) -> HTTPRequest {
        HTTPRequest(method: "POST", url: endpoints.slackAPI.appending(apiPath: "/api/\(method)"),
                    headers: [("Authorization", "Bearer " + token.secret), ("Content-Type", "application/x-www-form-urlencoded")],
                    body: [])
    }

    private func unsupported(_ token: LeakedToken) -> String {
        token.rule == "slack-webhook-url"
            ? "a webhook URL has no API to check or revoke it: remove it in the app's Incoming Webhooks settings"
            : "only bot and user tokens (xoxb-, xoxp-) are checked and revoked through auth.test and auth.revoke; \(token.rule) is not"
    }

    func verify(_ token: LeakedToken) async -> Verification {
        guard ProviderAPICoverage.canVerify(rule: token.rule, with: "slack") else { return Verification(outcome: .notSupported, message: unsupported(token)) }
        switch await http.send(request("auth.test", token)) {
        case .failure(let failure):
            return .failed(describe(failure, "auth.test"))
        case .success(let response):
            guard response.status == 200, let object = response.jsonObject, let ok = object["ok"] as? Bool else {
                if response.status == 200 { return .failed(undocumented(response, "auth.test", expected: "Slack's answer with ok"), status: 200) }
                return .failed(describe(response, "auth.test"), status: response.status)
            }
            if ok {
                let user = object["user"] as? String, team = object["team"] as? String
                let owner = [user, team.map { "on \($0)" }].compactMap { $0 }.joined(separator: " ")
                var result = Verification(outcome: .live, status: 200, owner: owner.isEmpty ? nil : owner)
                // auth.test's body names the team and user; its x-oauth-scopes header the scopes.
                result.access = TokenAccess(user: user, account: team, scopes: GitHubClient.scopes(response.headers["x-oauth-scopes"]))
                return result
            }
            let error = object["error"] as? String ?? "no error named"
            if Self.deadErrors.contains(error) { return Verification(outcome: .notLive, status: 200, message: error) }
            return .failed("auth.test: \(error)", status: 200)
        }
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        guard ProviderAPICoverage.canRevoke(rule: token.rule, with: "slack") else {
            return .done(Revocation(token: token, outcome: .notSupported, message: unsupported(token)))
        }
        let check = await verify(token)
        if check.outcome == .notLive { return .done(Revocation(token: token, outcome: .alreadyInvalid, status: check.status, message: check.message)) }
        return .plan(RevocationPlan(token: token, request: request("auth.revoke", token), owner: check.owner))
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        if (500...599).contains(response.status) { return .unknown(status: response.status, message: describe(response, "auth.revoke")) }
        guard response.status == 200, let object = response.jsonObject, let ok = object["ok"] as? Bool else {
            // A 2xx that is not Slack's answer may have been revoked or not: the token is checked.
            if (200...299).contains(response.status) {
                return .unknown(status: response.status, message: undocumented(response, "auth.revoke", expected: "Slack's answer with ok"))
            }
            return .refused(status: response.status, message: describe(response, "auth.revoke"))
        }
        if ok { return object["revoked"] as? Bool == false ? .refused(status: 200, message: "auth.revoke: ok, but not revoked") : .revoked(status: 200) }
        let error = object["error"] as? String ?? "no error named"
        if Self.deadErrors.contains(error) { return .alreadyInvalid(status: 200) }
        return .refused(status: 200, message: "auth.revoke: \(error)")
    }
}
