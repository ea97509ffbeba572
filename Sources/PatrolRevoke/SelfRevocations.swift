import Foundation

/// A provider's call with which a leaked token revokes itself, as data, sent by
/// `IdentityCallClient` after the identity call. Where the call needs the token's id, `lookup`
/// lists the owner's tokens first and picks the one that is this token; when it cannot tell
/// (several fit), nothing is revoked.
///
/// Not here, because the API has no such call (searched in the providers' documentation):
/// Hugging Face (the Hub API documents `whoami-v2` and no token call: tokens are invalidated or
/// deleted at https://huggingface.co/settings/tokens). `revoke` says so and shows the rule
/// file's revoke step with the settings page. HCP Terraform has no self-revoking call either:
/// `DELETE /api/v2/authentication-tokens/:id` needs the token's id, and the owner's list shows
/// only metadata (description, dates), never a part of a token; so, as for Databricks, only an
/// owner's one and only user token is revoked, and team and organisation tokens (which have no
/// account) are left to the organisation's settings.
struct SelfRevocation: Sendable {
    /// Finds this token's id among the owner's.
    struct Lookup: Sendable {
        /// `{user}`: the caller's id from the identity call (`IdentityCall.subject`).
        var path: String
        /// Key path of the array of tokens.
        var items: String
        /// Key of each item's id.
        var id: String
        /// Key of the item's shown start of the token (npm's `token`: its first characters);
        /// nil: the list must hold exactly one token.
        var prefix: String?
    }

    var provider: String
    var rules: IdentityCall.Rules = .all
    var lookup: Lookup?
    var method: String
    /// `{id}`: the looked-up id.
    var path: String
    var credential: IdentityCall.Credential
    /// `{token}`, `{id}`: the token, the looked-up id.
    var body: String?
    /// Statuses of a done revocation.
    var done: Set<Int>
    /// The documented body of a done revocation, where it has one.
    var doneBody: IdentityCall.Check?
    var documentation: String
}

enum SelfRevocations {
    static let all: [SelfRevocation] = [
        // https://developer.hashicorp.com/vault/api-docs/auth/token#revoke-a-token-self — POST
        // /v1/auth/token/revoke-self: 204, and its child tokens go with it.
        SelfRevocation(provider: "vault", method: "POST", path: "/v1/auth/token/revoke-self", credential: .header("X-Vault-Token"), done: [204],
                       documentation: "https://developer.hashicorp.com/vault/api-docs/auth/token#revoke-a-token-self"),
        // https://docs.doppler.com/reference/auth-revoke — POST /v3/auth/revoke with the token
        // to revoke in the body.
        SelfRevocation(provider: "doppler", method: "POST", path: "/v3/auth/revoke", credential: .authorization("Bearer "), body: #"{"token":"{token}"}"#,
                       done: [200, 204], documentation: "https://docs.doppler.com/reference/auth-revoke"),
        // https://github.com/npm/registry/blob/main/docs/user/tokens.md (npm token revoke): GET
        // /-/npm/v1/tokens lists the owner's tokens with their `key` and first characters
        // (`token`); DELETE /-/npm/v1/tokens/token/{key} revokes one. The token itself never
        // goes into the URL.
        SelfRevocation(provider: "npm", lookup: .init(path: "/-/npm/v1/tokens", items: "objects", id: "key", prefix: "token"),
                       method: "DELETE", path: "/-/npm/v1/tokens/token/{id}", credential: .authorization("Bearer "), done: [200, 204],
                       documentation: "https://docs.npmjs.com/cli/v11/commands/npm-token"),
        // https://docs.databricks.com/api/workspace/tokens — GET /api/2.0/token/list (the
        // caller's tokens, `token_infos`), POST /api/2.0/token/delete with its `token_id`. The
        // list does not say which token made the call: only a list of one is revoked.
        // https://buildkite.com/docs/apis/rest-api/access-token — DELETE /v2/access-token revokes
        // the token that authenticates the call: 204.
        SelfRevocation(provider: "buildkite", method: "DELETE", path: "/v2/access-token", credential: .authorization("Bearer "), done: [204],
                       documentation: "https://buildkite.com/docs/apis/rest-api/access-token#revoke-the-current-token"),
        // https://developer.hashicorp.com/terraform/cloud-docs/api-docs/user-tokens — GET
        // /api/v2/users/:user_id/authentication-tokens (the user's tokens, metadata only: no part
        // of a token), DELETE /api/v2/authentication-tokens/:id → 204. Only a list of one is
        // revoked; a team or organisation token has no user and is not revoked.
        SelfRevocation(provider: "terraform", lookup: .init(path: "/api/v2/users/{user}/authentication-tokens", items: "data", id: "id", prefix: nil),
                       method: "DELETE", path: "/api/v2/authentication-tokens/{id}", credential: .authorization("Bearer "), done: [204],
                       documentation: "https://developer.hashicorp.com/terraform/cloud-docs/api-docs/user-tokens#destroy-a-user-token"),
        SelfRevocation(provider: "databricks", lookup: .init(path: "/api/2.0/token/list", items: "token_infos", id: "token_id", prefix: nil),
                       method: "POST", path: "/api/2.0/token/delete", credential: .authorization("Bearer "), body: #"{"token_id":"{id}"}"#, done: [200],
                       documentation: "https://docs.databricks.com/api/workspace/tokens/revoketoken"),
    ]

    static let byProvider: [String: SelfRevocation] = Dictionary(all.map { ($0.provider, $0) }, uniquingKeysWith: { first, _ in first })

    /// Whether a token of `rule` from `provider` can revoke itself.
    static func covers(provider: String, rule: String) -> Bool {
        byProvider[provider].map { $0.rules.matches(rule) } ?? false
    }

    /// The revoking request for `token`, after the lookup when the call needs an id.
    static func plan(_ revocation: SelfRevocation, token: LeakedToken, owner: String?, subject: String? = nil, client: IdentityCallClient) async -> Preparation {
        guard let call = client.call(for: token) else {
            return .done(Revocation(token: token, outcome: .notSupported, message: "no identity call for \(token.rule)"))
        }
        let base: URL
        switch IdentityRequest.base(call.host, provider: revocation.provider, token: token, endpoints: client.endpoints) {
        case .failure(let reason): return .done(Revocation(token: token, outcome: .notSupported, message: reason.text))
        case .success(let url): base = url
        }
        var id: String?
        if let lookup = revocation.lookup {
            var listPath = lookup.path
            if listPath.contains("{user}") {
                guard let subject else {
                    return .done(Revocation(token: token, outcome: .notSupported,
                                            message: "the token has no user of its own (a team or organisation token, or the identity call failed): revoke it in \(token.providerName)'s settings",
                                            owner: owner))
                }
                listPath = listPath.replacingOccurrences(of: "{user}", with: URL.pathSegment(subject))
            }
            let list = IdentityRequest.request(method: "GET", base: base, path: listPath, credential: revocation.credential, headers: call.headers, body: nil, token: token.secret)
            switch await client.http.send(list) {
            case .failure(let failure):
                return .done(Revocation(token: token, outcome: .failed, message: client.describe(failure, "GET \(listPath)"), owner: owner))
            case .success(let response):
                switch pick(lookup, in: response, token: token.secret) {
                case .failure(let reason):
                    return .done(Revocation(token: token, outcome: .failed, status: response.status, message: client.redactor.clean("GET \(listPath): \(reason.text)"), owner: owner))
                case .success(let found): id = found
                }
            }
        }
        let path = revocation.path.replacingOccurrences(of: "{id}", with: id.map(URL.pathSegment) ?? "")
        // The id as a JSON string's content: a listed id with a quote cannot change the body.
        let jsonID = (id ?? "").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let body = revocation.body.map { $0.replacingOccurrences(of: "{id}", with: jsonID) }
        var request = IdentityRequest.request(method: revocation.method, base: base, path: path, credential: revocation.credential, headers: call.headers,
                                              body: body.map { Array($0.utf8) }, token: token.secret)
        request.rateKey = revocation.provider
        return .plan(RevocationPlan(token: token, request: request, owner: owner))
    }

    /// This token's id in the listed tokens.
    static func pick(_ lookup: SelfRevocation.Lookup, in response: HTTPResponse, token: String) -> Result<String, NotSent> {
        guard response.status == 200, let document = try? JSONSerialization.jsonObject(with: Data(response.body), options: .fragmentsAllowed),
              let items = IdentityCall.Check.value(at: lookup.items, in: document) as? [[String: Any]] else {
            return .failure(NotSent(text: "HTTP \(response.status), not the documented list of tokens (\(response.bodyDescription))"))
        }
        let fitting = items.filter { item in
            guard let field = lookup.prefix else { return true }
            guard let shown = item[field] as? String else { return false }
            let start = shown.replacingOccurrences(of: "…", with: "").replacingOccurrences(of: "...", with: "")
            return start.count >= 4 && token.hasPrefix(start)
        }
        guard fitting.count == 1, let item = fitting.first else {
            return .failure(NotSent(text: fitting.isEmpty
                ? "none of the owner's \(items.count) tokens is this one: nothing was revoked"
                : "\(fitting.count) of the owner's tokens could be this one: nothing was revoked; revoke it in the provider's settings"))
        }
        if let text = item[lookup.id] as? String, !text.isEmpty { return .success(text) }
        if let number = item[lookup.id] as? Int { return .success(String(number)) }
        return .failure(NotSent(text: "the listed token has no '\(lookup.id)'"))
    }
}
