import Foundation

/// What an organisation source said about a repository it listed: which source, organisation
/// (Azure DevOps organisation, GitHub organisation or user, GitLab group) and project, its
/// default branch and whether it is archived. Findings of the repository carry `org` and
/// `project`, so `verify` and `revoke` know an Azure DevOps token's organisation — since
/// 2026-12-01 every Azure DevOps PAT works in exactly one.
public struct SweepOrigin: Sendable, Equatable {
    /// `azure-devops`, `github` or `gitlab`.
    public var source: String
    /// A readable name: `org/project/repo`, `owner/repo`, `group/sub/project`.
    public var name: String
    public var org: String?
    public var project: String?
    public var defaultBranch: String?
    public var archived: Bool

    public init(source: String, name: String, org: String? = nil, project: String? = nil, defaultBranch: String? = nil, archived: Bool = false) {
        self.source = source
        self.name = name
        self.org = org
        self.project = project
        self.defaultBranch = defaultBranch
        self.archived = archived
    }

    /// The JSON Lines record of `patrol sweep list` for an entry with this origin.
    public func listRecord(url: String) -> String {
        var json = JSONWriter(pretty: false)
        json.beginObject()
        json.field("repository", .string(name))
        json.field("url", .string(url))
        json.field("source", .string(source))
        json.field("org", org.map { .string($0) } ?? .null)
        json.field("project", project.map { .string($0) } ?? .null)
        json.field("default_branch", defaultBranch.map { .string($0) } ?? .null)
        json.field("archived", .bool(archived))
        json.endObject()
        return json.output
    }

    /// An entry from one `patrol sweep list` record.
    static func entry(fromJSONLine text: String, line: Int) throws(SweepListError) -> SweepEntry {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw SweepListError(line: line, reason: "not a JSON object")
        }
        guard let url = object["url"] as? String, !url.isEmpty else {
            throw SweepListError(line: line, reason: "a JSON entry needs a \"url\"")
        }
        guard let source = object["source"] as? String else { return SweepEntry(url) }
        let origin = SweepOrigin(
            source: source,
            name: object["repository"] as? String ?? url,
            org: object["org"] as? String,
            project: object["project"] as? String,
            defaultBranch: object["default_branch"] as? String,
            archived: object["archived"] as? Bool ?? false
        )
        return SweepEntry(url, origin: origin)
    }
}

/// A line of a repository list that cannot be read.
public struct SweepListError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    public var description: String { "line \(line): \(reason)" }
}

/// The header git sends to one host for a sweep's clones and fetches, e.g.
/// `Authorization: Basic …` for a GitHub token. Scoped to the URL prefix (`http.<url>.extraHeader`)
/// so a redirect or a submodule on another host never receives it.
public struct GitCredential: Sendable, Equatable {
    /// The URL prefix the header applies to, e.g. `https://github.com/`.
    public var urlPrefix: String
    public var header: String

    public init(urlPrefix: String, header: String) {
        self.urlPrefix = urlPrefix
        self.header = header
    }

    /// git's configuration through the environment (`GIT_CONFIG_COUNT`, `GIT_CONFIG_KEY_n`,
    /// `GIT_CONFIG_VALUE_n`), after any entries the caller's own environment already holds.
    public func environment(after inherited: [String: String]) -> [String: String] {
        let count = inherited["GIT_CONFIG_COUNT"].flatMap(Int.init) ?? 0
        return [
            "GIT_CONFIG_COUNT": String(count + 1),
            "GIT_CONFIG_KEY_\(count)": "http.\(urlPrefix).extraHeader",
            "GIT_CONFIG_VALUE_\(count)": header,
        ]
    }

    /// `Authorization: Basic base64(user:secret)`.
    public static func basic(urlPrefix: String, user: String, secret: String) -> GitCredential {
        GitCredential(urlPrefix: urlPrefix, header: "Authorization: Basic " + Data((user + ":" + secret).utf8).base64EncodedString())
    }

    /// `Authorization: Bearer token`.
    public static func bearer(urlPrefix: String, token: String) -> GitCredential {
        GitCredential(urlPrefix: urlPrefix, header: "Authorization: Bearer " + token)
    }

    /// The header value alone (what must never appear in output), and its secret part.
    var secretParts: [String] {
        let value = header.split(separator: " ", maxSplits: 2).last.map(String.init) ?? header
        return [header, value]
    }
}
