import Foundation

/// Azure DevOps: verifies a PAT with `connectionData` (undocumented, but it answers whatever
/// the token's scopes, and names the owner), and revokes it as its owner or as an organisation
/// administrator (`AzureDevOpsRevocation.swift`): a leaked PAT cannot revoke itself, and the
/// APIs never return token values, so the owner's tokens are listed and narrowed to the one
/// the leaked value can be.
struct AzureDevOpsClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints
    let settings: RevokeSettings

    /// The Entra resource (application id) of Azure DevOps, for `az account get-access-token`.
    static let entraResource = "499b84ac-1321-427f-aa17-267ca6975798"
    static let listVersion = "7.1-preview.1"

    static func basic(_ pat: String) -> String {
        "Basic " + Data((":" + pat).utf8).base64EncodedString()
    }

    /// The organisation: `context.org` found near the token, else `--org`. Only names Azure
    /// DevOps allows, so a value from a scanned file cannot reshape the URL.
    func organization(for token: LeakedToken) -> String? {
        for candidate in [token.context["org"], settings.azureDevOpsOrganization] {
            guard let name = candidate, !name.isEmpty, name.count <= 50,
                  name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }) else { continue }
            return name
        }
        return nil
    }

    enum ConnectionAnswer {
        case user(AzureDevOpsIdentity, status: Int)
        case refused(status: Int)
        case unknown(status: Int?, message: String)
    }

    /// `GET {dev.azure.com}/{org}/_apis/connectionData` with the given `Authorization`.
    func connectionData(organization: String, authorization: String) async -> ConnectionAnswer {
        let url = endpoints.azureDevOps.appending(apiPath: "/\(URL.pathSegment(organization))/_apis/connectionData")
        let request = HTTPRequest(method: "GET", url: url, headers: [("Authorization", authorization), ("Accept", "application/json")])
        switch await http.send(request) {
        case .failure(let failure):
            return .unknown(status: nil, message: describe(failure, "connectionData"))
        case .success(let response):
            switch response.status {
            case 200:
                guard let user = response.jsonObject?["authenticatedUser"] as? [String: Any], let id = user["id"] as? String, !id.isEmpty else {
                    return .unknown(status: 200, message: undocumented(response, "connectionData", expected: "an authenticatedUser with an id"))
                }
                return .user(AzureDevOpsIdentity(id: id, displayName: user["providerDisplayName"] as? String, subjectDescriptor: user["subjectDescriptor"] as? String), status: 200)
            case 203, 401, 300...399:
                // 203 is the sign-in page Azure DevOps serves for a credential it does not accept.
                return .refused(status: response.status)
            default:
                return .unknown(status: response.status, message: describe(response, "connectionData"))
            }
        }
    }

    func verify(_ token: LeakedToken) async -> Verification {
        guard let organization = organization(for: token) else {
            return .failed("no Azure DevOps organisation: none was found near the token (context.org); pass --org ORG")
        }
        let authorization = Self.basic(token.secret)
        let firstFailure: String
        switch await connectionData(organization: organization, authorization: authorization) {
        case .user(let identity, let status):
            var result = Verification(outcome: .live, status: status, owner: identity.displayName ?? identity.id)
            result.identity = identity
            return result
        case .refused(let status):
            return Verification(outcome: .notLive, status: status)
        case .unknown(let status, let message):
            // No answer at all (refused, unresolvable, a timeout): asking the same host again
            // would cost as much and tell nothing more.
            guard status != nil else { return .failed(message) }
            firstFailure = message
        }
        // connectionData failed some other way: the projects list tells live from not.
        let url = endpoints.azureDevOps.appending(apiPath: "/\(URL.pathSegment(organization))/_apis/projects", query: [("api-version", "7.1")])
        let request = HTTPRequest(method: "GET", url: url, headers: [("Authorization", authorization), ("Accept", "application/json")])
        switch await http.send(request) {
        case .failure(let failure):
            return .failed("\(firstFailure); \(describe(failure, "projects"))")
        case .success(let response):
            switch response.status {
            case 200:
                guard response.jsonObject?["value"] is [Any] else {
                    return .failed("\(firstFailure); \(undocumented(response, "projects", expected: "a list of projects"))", status: 200)
                }
                return Verification(outcome: .live, status: 200)
            case 203, 401, 300...399: return Verification(outcome: .notLive, status: response.status)
            default: return .failed("\(firstFailure); \(describe(response, "projects"))", status: response.status)
            }
        }
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        switch response.status {
        case 204: return .revoked(status: 204)
        case 200, 202:
            guard response.isEmptyOrJSON else { return .unknown(status: response.status, message: undocumented(response, "revoke", expected: "an empty or JSON answer")) }
            return .revoked(status: response.status)
        case 500...599: return .unknown(status: response.status, message: describe(response, "revoke"))
        case 203, 401, 403:
            return .refused(status: response.status, message: describe(response, "the credential was refused") + (settings.asAdministrator
                ? " (revoking for others needs an organisation administrator's Entra token, or a PAT with the token-administration scope)"
                : " (revoking needs the owner's Entra token, with the vso.pats_manage scope)"))
        default: return .refused(status: response.status, message: describe(response, "revoke"))
        }
    }
}
