import Foundation
import PatrolKit

// What a live token reaches, per provider: read-only listing calls with the leaked token
// itself, after `verify` found it live, a few pages each (`AccessPager`).

extension GitHubClient {
    /// `X-OAuth-Scopes: repo, workflow` → `["repo", "workflow"]`; absent: nil (not said).
    static func scopes(_ header: String?) -> [String]? {
        header.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// The user's organisations (`GET /user/orgs`) and the repositories it can push to
    /// (`GET /user/repos`, those with `permissions.push`). An installation token has no user.
    func mapAccess(_ token: LeakedToken, _ check: Verification) async -> TokenAccess? {
        var access = check.access ?? TokenAccess(user: check.owner)
        guard !token.secret.hasPrefix("ghs_") else { return access }
        let headers = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"), ("Authorization", "Bearer " + token.secret)]
        await pager.collect("orgs", .member, first: endpoints.gitHubAPI.appending(apiPath: "/user/orgs", query: [("per_page", "100")]),
                            headers: headers, paging: .link) { json in
            (json as? [[String: Any]])?.compactMap { $0["login"] as? String }
        }.add(to: &access)
        await pager.collect("repositories", .push, first: endpoints.gitHubAPI.appending(apiPath: "/user/repos", query: [("per_page", "100")]),
                            headers: headers, paging: .link) { json in
            (json as? [[String: Any]])?.compactMap { item in
                (item["permissions"] as? [String: Any])?["push"] as? Bool == true ? item["full_name"] as? String : nil
            }
        }.add(to: &access)
        return access
    }
}

extension GitLabClient {
    /// The token's scopes and expiry (from `personal_access_tokens/self`), its user
    /// (`GET /api/v4/user`) and the projects it can push to (`min_access_level=30`: Developer).
    func mapAccess(_ token: LeakedToken, _ check: Verification) async -> TokenAccess? {
        var access = check.access ?? TokenAccess()
        let base = base(for: token)
        let headers = [("PRIVATE-TOKEN", token.secret), ("Accept", "application/json")]
        switch await http.send(HTTPRequest(method: "GET", url: base.appending(apiPath: "/api/v4/user"), headers: headers)) {
        case .success(let response) where response.status == 200:
            if let username = response.jsonObject?["username"] as? String { access.user = username }
        case .success(let response):
            // A token without read_user or api: the user is not said, the rest may be.
            access.unlisted.append(TokenAccess.Unlisted(kind: "user", reason: "HTTP \(response.status)"))
        case .failure(let failure):
            access.unlisted.append(TokenAccess.Unlisted(kind: "user", reason: failure.message))
        }
        await pager.collect("projects", .push, first: base.appending(apiPath: "/api/v4/projects", query: [("min_access_level", "30"), ("per_page", "100")]),
                            headers: headers, paging: .link) { json in
            (json as? [[String: Any]])?.compactMap { $0["path_with_namespace"] as? String }
        }.add(to: &access)
        return access
    }
}

extension AzureDevOpsClient {
    /// The owner (connectionData's `authenticatedUser`), the organisation, the projects and Git
    /// repositories the PAT can list; with the owner's Entra token (`--entra-token`), its scopes
    /// and expiry from the owner's token list, when exactly one listed token can be it.
    func mapAccess(_ token: LeakedToken, _ check: Verification) async -> TokenAccess? {
        guard let organization = organization(for: token) else { return nil }
        var access = TokenAccess(user: check.owner, account: organization)
        let org = URL.pathSegment(organization)
        let headers = [("Authorization", Self.basic(token.secret)), ("Accept", "application/json")]
        await pager.collect("projects", .list, first: endpoints.azureDevOps.appending(apiPath: "/\(org)/_apis/projects", query: [("api-version", "7.1"), ("$top", "100")]),
                            headers: headers, paging: .continuationToken) { json in
            ((json as? [String: Any])?["value"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        }.add(to: &access)
        // `project/repository`: the organisation-wide list, every project the PAT can read.
        await pager.collect("repositories", .list, first: endpoints.azureDevOps.appending(apiPath: "/\(org)/_apis/git/repositories", query: [("api-version", "7.1")]),
                            headers: headers, paging: .none) { json in
            ((json as? [String: Any])?["value"] as? [[String: Any]])?.compactMap { item in
                guard let name = item["name"] as? String else { return nil }
                return ((item["project"] as? [String: Any])?["name"] as? String).map { "\($0)/\(name)" } ?? name
            }
        }.add(to: &access)
        if let entra = settings.entraToken, let identity = check.identity {
            await addScopes(to: &access, token: token, organization: organization, owner: identity, entra: entra)
        }
        return access
    }

    /// The owner's own token list, narrowed as `revoke` narrows it (active, created in the month
    /// the value records): one candidate left gives the scopes.
    private func addScopes(to access: inout TokenAccess, token: LeakedToken, organization: String, owner: AzureDevOpsIdentity, entra: String) async {
        func hole(_ reason: String) { access.unlisted.append(TokenAccess.Unlisted(kind: "scopes", reason: reason)) }
        switch await connectionData(organization: organization, authorization: "Bearer " + entra) {
        case .user(let signedIn, _) where signedIn.id == owner.id: break
        case .user(let signedIn, _): return hole("the Entra token signs in as \(signedIn.displayName ?? signedIn.id), not as the owner")
        case .refused(let status): return hole("the Entra token was refused (HTTP \(status))")
        case .unknown(_, let message): return hole(message)
        }
        switch await list(organization: organization, path: "/_apis/tokens/pats", query: [("api-version", Self.listVersion)], items: "patTokens", authorization: "Bearer " + entra) {
        case .failure(let failure):
            hole(failure.message)
        case .success(let tokens):
            let month = AzureDevOpsTokenDate.month(of: token.secret)
            let candidates = tokens.filter { $0.isActive() && (month.map($0.wasCreated(in:)) ?? true) }
            guard candidates.count == 1 else {
                return hole("\(candidates.count) of the owner's active tokens could be this one")
            }
            access.scopes = candidates[0].scope.split(separator: " ").map(String.init)
            access.expiresAt = candidates[0].validTo
        }
    }
}
