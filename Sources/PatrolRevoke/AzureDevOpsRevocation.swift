import Foundation

/// Revoking an Azure DevOps PAT: find its owner with `connectionData`, list the owner's tokens
/// (as the owner with an Entra token, or as an administrator), keep the active ones created in
/// the month the leaked value records, and revoke the one that is left.
extension AzureDevOpsClient {
    func prepare(_ token: LeakedToken) async -> Preparation {
        func done(_ outcome: Revocation.Outcome, status: Int? = nil, _ message: String? = nil, candidates: [PersonalAccessToken] = [], owner: String? = nil) -> Preparation {
            .done(Revocation(token: token, outcome: outcome, status: status, message: message.map { redactor.clean($0) }, candidates: candidates, owner: owner))
        }
        let check = await verify(token)
        switch check.outcome {
        case .notLive: return done(.alreadyInvalid, status: check.status)
        case .failed, .notSupported: return done(.failed, status: check.status, "cannot tell whether it works: " + (check.message ?? "no answer"))
        case .live: break
        }
        guard let organization = organization(for: token) else { return done(.failed, "no Azure DevOps organisation; pass --org ORG") }
        guard let identity = check.identity else {
            return done(.failed, status: check.status, "it works, but connectionData did not name its owner, so its authorization id cannot be found; revoke it at https://dev.azure.com/\(organization)/_usersSettings/tokens")
        }
        let owner = identity.displayName ?? identity.id

        let authorization: String
        let listed: Result<[PersonalAccessToken], ListFailure>
        if settings.asAdministrator {
            if let entra = settings.entraToken {
                authorization = "Bearer " + entra
            } else if let pat = settings.adminPAT {
                authorization = Self.basic(pat)
            } else {
                return done(.failed, "revoking as an administrator needs an organisation administrator's Entra token (--entra-token, or AZURE_DEVOPS_ENTRA_TOKEN; see az account get-access-token --resource \(Self.entraResource)) or AZURE_DEVOPS_ADMIN_PAT, a PAT with the token-administration scope", owner: owner)
            }
            guard let descriptor = identity.subjectDescriptor else {
                return done(.failed, "connectionData did not give the owner's subjectDescriptor, which the administrator's list needs", owner: owner)
            }
            listed = await list(organization: organization, path: "/_apis/tokenadmin/personalaccesstokens/\(URL.pathSegment(descriptor))",
                                query: [("isPublic", "false"), ("api-version", Self.listVersion)], items: "value", authorization: authorization)
        } else {
            guard let entra = settings.entraToken else {
                return done(.failed, "a leaked PAT cannot revoke itself: revoking it as its owner (\(owner)) needs their Microsoft Entra token (--entra-token, or AZURE_DEVOPS_ENTRA_TOKEN: az account get-access-token --resource \(Self.entraResource) --query accessToken -o tsv); an organisation administrator can use --admin", owner: owner)
            }
            authorization = "Bearer " + entra
            // Listing and revoking act on the Entra user's own tokens: they must be the leaked token's owner's.
            switch await connectionData(organization: organization, authorization: authorization) {
            case .user(let signedIn, _) where signedIn.id != identity.id:
                return done(.failed, "the Entra token signs in as \(signedIn.displayName ?? signedIn.id), but the leaked token belongs to \(owner): sign in as its owner, or revoke it as an organisation administrator with --admin", owner: owner)
            case .user: break
            case .refused(let status):
                return done(.failed, status: status, "the Entra token was refused (HTTP \(status)); get a fresh one with az account get-access-token --resource \(Self.entraResource)", owner: owner)
            case .unknown(let status, let message):
                return done(.failed, status: status, "cannot check whose Entra token this is: \(message)", owner: owner)
            }
            listed = await list(organization: organization, path: "/_apis/tokens/pats", query: [("api-version", Self.listVersion)], items: "patTokens", authorization: authorization)
        }

        let tokens: [PersonalAccessToken]
        switch listed {
        case .success(let all): tokens = all
        case .failure(let failure): return done(.failed, status: failure.status, failure.message, owner: owner)
        }
        let month = AzureDevOpsTokenDate.month(of: token.secret)
        let candidates = tokens.filter { $0.isActive() && (month.map($0.wasCreated(in:)) ?? true) }
        let chosen = candidates.filter { settings.authorizationIds.contains($0.authorizationId) }
        let pick: PersonalAccessToken
        if chosen.count == 1 {
            pick = chosen[0]
        } else if candidates.count == 1 {
            pick = candidates[0]
        } else if candidates.isEmpty {
            let when = month.map { " created in \($0)" } ?? ""
            return done(.failed, "none of \(owner)'s \(tokens.count) listed token\(tokens.count == 1 ? " is" : "s are") active and\(when.isEmpty ? " usable" : when); it may have been revoked meanwhile, or belong to another organisation", owner: owner)
        } else {
            let why = month.map { "\(candidates.count) of \(owner)'s active tokens were created in \($0), the month the leaked value records" }
                ?? "the 52-character format records no date, and \(owner) has \(candidates.count) active tokens"
            return done(.needsChoice, why + "; choose one with --authorization-id ID", candidates: candidates, owner: owner)
        }

        let request: HTTPRequest
        if settings.asAdministrator {
            let url = endpoints.azureDevOpsVSSPS.appending(apiPath: "/\(URL.pathSegment(organization))/_apis/tokenadmin/revocations",
                                                           query: [("isPublic", "false"), ("api-version", Self.listVersion)])
            request = HTTPRequest(method: "POST", url: url, headers: [("Authorization", authorization), ("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: JSONBody.encode([["authorizationId": pick.authorizationId]]))
        } else {
            let url = endpoints.azureDevOpsVSSPS.appending(apiPath: "/\(URL.pathSegment(organization))/_apis/tokens/pats",
                                                           query: [("authorizationId", pick.authorizationId), ("api-version", Self.listVersion)])
            request = HTTPRequest(method: "DELETE", url: url, headers: [("Authorization", authorization), ("Accept", "application/json")])
        }
        return .plan(RevocationPlan(token: token, request: request, owner: owner, chosen: pick))
    }

    struct ListFailure: Error {
        var status: Int?
        var message: String
    }

    /// Every page of a token list, following `continuationToken` (in the body or the
    /// `x-ms-continuationtoken` header).
    func list(organization: String, path: String, query: [(String, String)], items: String, authorization: String) async -> Result<[PersonalAccessToken], ListFailure> {
        var tokens: [PersonalAccessToken] = []
        var continuation: String?
        var seen = Set<String>()
        for _ in 0..<500 {
            var pageQuery = query
            if let continuation { pageQuery.append(("continuationToken", continuation)) }
            let url = endpoints.azureDevOpsVSSPS.appending(apiPath: "/\(URL.pathSegment(organization))" + path, query: pageQuery)
            let request = HTTPRequest(method: "GET", url: url, headers: [("Authorization", authorization), ("Accept", "application/json")])
            let response: HTTPResponse
            switch await http.send(request) {
            case .failure(let failure): return .failure(ListFailure(status: nil, message: describe(failure, "listing the owner's tokens")))
            case .success(let answer): response = answer
            }
            guard response.status == 200, let object = response.jsonObject, let page = object[items] as? [[String: Any]] else {
                var message = describe(response, "listing the owner's tokens")
                if response.status == 401 || response.status == 403 || response.status == 203 {
                    message += settings.asAdministrator ? " (the administrator's credential was refused)" : " (the Entra token was refused: it needs the vso.pats scope)"
                }
                return .failure(ListFailure(status: response.status, message: message))
            }
            tokens += page.compactMap(PersonalAccessToken.init(listed:))
            let next = (object["continuationToken"] as? String) ?? response.headers["x-ms-continuationtoken"]
            guard let next, !next.isEmpty, seen.insert(next).inserted else { return .success(tokens) }
            continuation = next
        }
        return .failure(ListFailure(status: nil, message: "listing the owner's tokens: more than 500 pages"))
    }
}

extension PersonalAccessToken {
    /// An entry of `tokens/pats` (`patTokens`) or of `tokenadmin/personalaccesstokens` (`value`).
    init?(listed entry: [String: Any]) {
        guard let id = entry["authorizationId"] as? String, !id.isEmpty else { return nil }
        authorizationId = id
        displayName = entry["displayName"] as? String ?? ""
        scope = entry["scope"] as? String ?? ""
        validFrom = entry["validFrom"] as? String ?? ""
        validTo = entry["validTo"] as? String ?? ""
        isValidFlag = entry["isValid"] as? Bool
    }

    /// Not expired, and not marked invalid by the administrator's list.
    func isActive(now: Date = Date()) -> Bool {
        if isValidFlag == false { return false }
        guard let end = AzureDevOpsTokenDate.parse(validTo) else { return true }
        return end > now
    }

    /// `validFrom` falls in `month` (`2026-03`).
    func wasCreated(in month: String) -> Bool { validFrom.hasPrefix(month) }
}
