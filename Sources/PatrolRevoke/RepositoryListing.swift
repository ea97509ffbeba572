import Foundation
import PatrolKit

/// An organisation source of `patrol sweep`: the repositories of an Azure DevOps organisation,
/// a GitHub organisation or user, or a GitLab group (subgroups included).
public enum RepositorySource: Sendable, Equatable {
    /// An organisation (a collection on Azure DevOps Server), all projects or the ones named.
    case azureDevOps(organisation: String, projects: [String])
    case gitHubOrganisation(String)
    case gitHubUser(String)
    case gitLabGroup(String)

    /// `source` of the records: `azure-devops`, `github` or `gitlab`.
    public var kind: String {
        switch self {
        case .azureDevOps: "azure-devops"
        case .gitHubOrganisation, .gitHubUser: "github"
        case .gitLabGroup: "gitlab"
        }
    }

    /// The key a source's last listing is kept under, to report repositories it no longer lists.
    public var key: String {
        switch self {
        case .azureDevOps(let organisation, let projects):
            "azure-devops:" + organisation + (projects.isEmpty ? "" : "/" + projects.sorted().joined(separator: ","))
        case .gitHubOrganisation(let name): "github-org:" + name
        case .gitHubUser(let name): "github-user:" + name
        case .gitLabGroup(let name): "gitlab-group:" + name
        }
    }
}

/// One repository a source listed.
public struct ListedRepository: Sendable, Equatable {
    /// The clone URL, without credentials: the sweep entry.
    public var url: String
    public var origin: SweepOrigin
    /// Forks (GitHub) are listed, and left out with `--no-forks`.
    public var fork: Bool
    /// Disabled repositories (Azure DevOps) cannot be cloned: reported and skipped.
    public var disabled: Bool

    public init(url: String, origin: SweepOrigin, fork: Bool = false, disabled: Bool = false) {
        self.url = url
        self.origin = origin
        self.fork = fork
        self.disabled = disabled
    }
}

/// Credentials for the listing APIs and for git, from the environment: `AZURE_DEVOPS_ENTRA_TOKEN`
/// (a Microsoft Entra access token) or `AZURE_DEVOPS_EXT_PAT` (a PAT), `GITHUB_TOKEN`,
/// `GITLAB_TOKEN`. Each is sent only to its own provider's host.
public struct SourceCredentials: Sendable {
    public var azureDevOpsEntraToken: String?
    public var azureDevOpsPAT: String?
    public var gitHubToken: String?
    public var gitLabToken: String?

    public init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        azureDevOpsEntraToken = value("AZURE_DEVOPS_ENTRA_TOKEN")
        azureDevOpsPAT = value("AZURE_DEVOPS_EXT_PAT")
        gitHubToken = value("GITHUB_TOKEN")
        gitLabToken = value("GITLAB_TOKEN")
    }

    var all: [String] { [azureDevOpsEntraToken, azureDevOpsPAT, gitHubToken, gitLabToken].compactMap(\.self) }

    /// The `Authorization` header (name, value) for a provider's API.
    func apiHeader(for kind: String) -> (name: String, value: String)? {
        switch kind {
        case "azure-devops":
            if let token = azureDevOpsEntraToken { return ("Authorization", "Bearer " + token) }
            if let pat = azureDevOpsPAT { return ("Authorization", "Basic " + Data((":" + pat).utf8).base64EncodedString()) }
        case "github":
            if let token = gitHubToken { return ("Authorization", "Bearer " + token) }
        case "gitlab":
            if let token = gitLabToken { return ("PRIVATE-TOKEN", token) }
        default: break
        }
        return nil
    }

    /// What git sends for a clone URL of a source, scoped to the URL's scheme and host.
    public func gitCredential(for kind: String, url: String) -> GitCredential? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return nil }
        let prefix = scheme + "://" + host + (parsed.port.map { ":\($0)" } ?? "") + "/"
        switch kind {
        case "azure-devops":
            if let token = azureDevOpsEntraToken { return .bearer(urlPrefix: prefix, token: token) }
            if let pat = azureDevOpsPAT { return .basic(urlPrefix: prefix, user: "", secret: pat) }
        case "github":
            if let token = gitHubToken { return .basic(urlPrefix: prefix, user: "x-access-token", secret: token) }
        case "gitlab":
            if let token = gitLabToken { return .basic(urlPrefix: prefix, user: "oauth2", secret: token) }
        default: break
        }
        return nil
    }
}

/// Why a source could not be listed. Messages never hold a credential.
public struct ListingError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ message: String) { description = message }
}

/// Lists the repositories of organisation sources through the providers' REST APIs, page by
/// page, waiting out rate limits (`Retry-After`, `X-RateLimit-Reset`) up to the retry policy's
/// longest wait.
public struct RepositoryLister: Sendable {
    let http: HTTPClient
    let endpoints: ProviderEndpoints
    let credentials: SourceCredentials
    let redactor: Redactor
    let maxWait: TimeInterval

    public init(endpoints: ProviderEndpoints, credentials: SourceCredentials, timeout: TimeInterval = 20, retry: RetryPolicy = RetryPolicy(), userAgent: String) {
        http = HTTPClient(timeout: timeout, retry: retry, userAgent: userAgent)
        self.endpoints = endpoints
        self.credentials = credentials
        redactor = Redactor(secrets: credentials.all)
        maxWait = retry.maxWait
    }

    public func list(_ source: RepositorySource) async throws(ListingError) -> [ListedRepository] {
        switch source {
        case .azureDevOps(let organisation, let projects):
            try await listAzureDevOps(organisation: organisation, projects: projects)
        case .gitHubOrganisation(let name):
            try await listGitHub(path: "/orgs/\(URL.pathSegment(name))/repos", query: [("type", "all")], owner: name)
        case .gitHubUser(let name):
            try await listGitHub(path: "/users/\(URL.pathSegment(name))/repos", query: [("type", "owner")], owner: name)
        case .gitLabGroup(let name):
            try await listGitLab(group: name)
        }
    }

    /// One GET of a listing, as JSON; rate limits waited out, failures explained.
    func get(_ url: URL, kind: String, what: String) async throws(ListingError) -> (json: Any, response: HTTPResponse) {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let header = credentials.apiHeader(for: kind) { headers.append(header) }
        let request = HTTPRequest(method: "GET", url: url, headers: headers)
        var waited = 0
        while true {
            let response: HTTPResponse
            switch await http.send(request) {
            case .success(let answer): response = answer
            case .failure(let failure): throw ListingError("cannot list \(what): \(failure.message)")
            }
            if let wait = rateLimitWait(response), waited < 3 {
                guard wait <= maxWait else {
                    throw ListingError("cannot list \(what): rate limited for \(Int(wait)) s more (HTTP \(response.status)); try again later")
                }
                try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                waited += 1
                continue
            }
            guard (200...299).contains(response.status) else {
                var reason = "HTTP \(response.status)"
                if response.status == 401 || response.status == 403 { reason += ": check the credentials (\(credentialName(kind)))" }
                if response.status == 404 { reason += ": no such organisation, group or user, or no access to it" }
                if let message = response.providerMessage(redactedBy: redactor) { reason += " — " + message }
                throw ListingError("cannot list \(what): \(reason)")
            }
            guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) else {
                throw ListingError("cannot list \(what): the answer is not JSON")
            }
            return (json, response)
        }
    }

    /// How long a rate-limited answer asks to wait: `Retry-After`, or GitHub's exhausted
    /// `X-RateLimit-Remaining` with its `X-RateLimit-Reset` time. Nil when it is not limited.
    func rateLimitWait(_ response: HTTPResponse) -> TimeInterval? {
        guard response.status == 429 || response.status == 403 else { return nil }
        if let after = HTTPClient.retryAfter(response.headers["retry-after"]) { return after }
        if response.headers["x-ratelimit-remaining"] == "0", let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init) {
            return max(reset - Date().timeIntervalSince1970, 0) + 1
        }
        return response.status == 429 ? 1 : nil
    }

    private func credentialName(_ kind: String) -> String {
        switch kind {
        case "azure-devops": "AZURE_DEVOPS_ENTRA_TOKEN or AZURE_DEVOPS_EXT_PAT"
        case "github": "GITHUB_TOKEN"
        default: "GITLAB_TOKEN"
        }
    }

    /// The next page of an RFC 8288 `Link` header (GitHub, GitLab).
    static func nextLink(_ header: String?) -> URL? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">"),
                  pieces.dropFirst().contains(where: { $0 == "rel=\"next\"" || $0 == "rel=next" }) else { continue }
            return URL(string: String(target.dropFirst().dropLast()))
        }
        return nil
    }

    /// A clone URL without its user part (Azure DevOps puts the organisation there).
    static func withoutUser(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
