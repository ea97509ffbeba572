import Foundation

/// Where each provider's API is. The defaults are the public services; each can be moved by an
/// environment variable, for GitHub Enterprise Server, self-managed GitLab, and tests against a
/// local server.
public struct ProviderEndpoints: Sendable, Equatable {
    public var gitHubAPI: URL
    /// nil: `https://gitlab.com`, or the GitLab host named next to the token.
    public var gitLab: URL?
    public var azureDevOps: URL
    public var azureDevOpsVSSPS: URL
    public var slackAPI: URL
    /// `PATROL_VERIFY_BASE_URL`: every provider of the identity-call table at
    /// `BASE/<provider-id>/<path>` (and the four providers above at `BASE/github` and so on,
    /// unless their own variable is set): one variable for tests and proxies.
    public var verifyBase: URL?
    /// Hosts the user names for self-hosted providers (`VAULT_ADDR`, `DATABRICKS_HOST`), by
    /// variable: trusted as the user's own choice, where a host found next to a token is
    /// checked against the provider's domain first.
    public var hostVariables: [String: URL] = [:]
    /// AWS STS (`GetCallerIdentity`); the global endpoint signs for `us-east-1`.
    public var awsSTS: URL = URL(string: "https://sts.amazonaws.com")!
    /// nil: `https://{account}.blob.core.windows.net`, the account named next to the key.
    public var azureStorage: URL?
    /// nil: `https://{namespace}.servicebus.windows.net`, the namespace named next to the key.
    public var azureServiceBus: URL?

    public static let variables = (
        gitHubAPI: "PATROL_GITHUB_API_URL",
        gitLab: "PATROL_GITLAB_URL",
        azureDevOps: "PATROL_AZURE_DEVOPS_URL",
        azureDevOpsVSSPS: "PATROL_AZURE_DEVOPS_VSSPS_URL",
        slackAPI: "PATROL_SLACK_API_URL",
        verifyBase: "PATROL_VERIFY_BASE_URL",
        awsSTS: "PATROL_AWS_STS_URL",
        azureStorage: "PATROL_AZURE_STORAGE_URL",
        azureServiceBus: "PATROL_AZURE_SERVICEBUS_URL"
    )

    public static let defaultGitLab = URL(string: "https://gitlab.com")!

    public init(gitHubAPI: URL = URL(string: "https://api.github.com")!, gitLab: URL? = nil,
                azureDevOps: URL = URL(string: "https://dev.azure.com")!,
                azureDevOpsVSSPS: URL = URL(string: "https://vssps.dev.azure.com")!,
                slackAPI: URL = URL(string: "https://slack.com")!) {
        self.gitHubAPI = gitHubAPI
        self.gitLab = gitLab
        self.azureDevOps = azureDevOps
        self.azureDevOpsVSSPS = azureDevOpsVSSPS
        self.slackAPI = slackAPI
    }

    /// The defaults, with every variable that is set; a value that is not an http(s) URL is an
    /// error naming the variable.
    public static func from(environment: [String: String]) throws(RevokeError) -> ProviderEndpoints {
        var endpoints = ProviderEndpoints()
        func url(_ name: String) throws(RevokeError) -> URL? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            guard let url = URL(string: value.hasSuffix("/") ? String(value.dropLast()) : value),
                  let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil else {
                throw .badEndpoint(variable: name, value: value)
            }
            return url
        }
        let names = variables
        if let base = try url(names.verifyBase) {
            endpoints.verifyBase = base
            endpoints.gitHubAPI = base.appending(apiPath: "/github")
            endpoints.gitLab = base.appending(apiPath: "/gitlab")
            endpoints.azureDevOps = base.appending(apiPath: "/azure-devops")
            endpoints.azureDevOpsVSSPS = base.appending(apiPath: "/azure-devops-vssps")
            endpoints.slackAPI = base.appending(apiPath: "/slack")
            endpoints.awsSTS = base.appending(apiPath: "/aws-sts")
            endpoints.azureStorage = base.appending(apiPath: "/azure-storage")
            endpoints.azureServiceBus = base.appending(apiPath: "/azure-servicebus")
        }
        for name in IdentityCalls.hostVariables {
            if let value = try url(name) { endpoints.hostVariables[name] = value }
        }
        if let value = try url(names.gitHubAPI) { endpoints.gitHubAPI = value }
        if let value = try url(names.gitLab) { endpoints.gitLab = value }
        if let value = try url(names.azureDevOps) { endpoints.azureDevOps = value }
        if let value = try url(names.azureDevOpsVSSPS) { endpoints.azureDevOpsVSSPS = value }
        if let value = try url(names.slackAPI) { endpoints.slackAPI = value }
        if let value = try url(names.awsSTS) { endpoints.awsSTS = value }
        if let value = try url(names.azureStorage) { endpoints.azureStorage = value }
        if let value = try url(names.azureServiceBus) { endpoints.azureServiceBus = value }
        return endpoints
    }
}

extension URL {
    /// `base` + `/a/b` + `?query`, keeping a base path (GitHub Enterprise Server's `/api/v3`).
    func appending(apiPath path: String, query: [(String, String)] = []) -> URL {
        var components = URLComponents(url: self, resolvingAgainstBaseURL: false)!
        let basePath = components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        components.percentEncodedPath = basePath + path
        if !query.isEmpty {
            components.percentEncodedQuery = query.map { "\($0.0)=\(Self.queryEncoded($0.1))" }.joined(separator: "&")
        }
        return components.url!
    }

    static func queryEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func pathSegment(_ value: String) -> String { queryEncoded(value) }
}
