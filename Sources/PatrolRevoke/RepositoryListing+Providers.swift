import Foundation
import PatrolKit

extension RepositoryLister {
    /// Azure DevOps: the organisation's projects (`_apis/projects`, continued through
    /// `x-ms-continuationtoken`), or the ones named, then each project's Git repositories
    /// (`_apis/git/repositories`). `--azure-devops-url` (or `PATROL_AZURE_DEVOPS_URL`) moves the
    /// base to an Azure DevOps Server, where the organisation is a collection.
    func listAzureDevOps(organisation: String, projects named: [String]) async throws(ListingError) -> [ListedRepository] {
        let base = endpoints.azureDevOps
        let org = URL.pathSegment(organisation)
        var projects = named
        if projects.isEmpty {
            var continuation: String?
            repeat {
                var query = [("api-version", "7.1"), ("$top", "100")]
                if let continuation { query.append(("continuationToken", continuation)) }
                let (json, response) = try await get(base.appending(apiPath: "/\(org)/_apis/projects", query: query), kind: "azure-devops", what: "the projects of \(organisation)")
                for project in (json as? [String: Any])?["value"] as? [[String: Any]] ?? [] {
                    if let name = project["name"] as? String { projects.append(name) }
                }
                continuation = response.headers["x-ms-continuationtoken"].flatMap { $0.isEmpty ? nil : $0 }
            } while continuation != nil
        }
        var repositories: [ListedRepository] = []
        for project in projects {
            let url = base.appending(apiPath: "/\(org)/\(URL.pathSegment(project))/_apis/git/repositories", query: [("api-version", "7.1")])
            let (json, _) = try await get(url, kind: "azure-devops", what: "the repositories of \(organisation)/\(project)")
            for item in (json as? [String: Any])?["value"] as? [[String: Any]] ?? [] {
                guard let name = item["name"] as? String, let remote = item["remoteUrl"] as? String else { continue }
                let projectName = (item["project"] as? [String: Any])?["name"] as? String ?? project
                let origin = SweepOrigin(source: "azure-devops", name: "\(organisation)/\(projectName)/\(name)", org: organisation, project: projectName,
                                         defaultBranch: (item["defaultBranch"] as? String).map(Self.branchName), archived: false)
                repositories.append(ListedRepository(url: Self.withoutUser(remote), origin: origin, disabled: item["isDisabled"] as? Bool ?? false))
            }
        }
        return repositories
    }

    /// GitHub: `/orgs/{org}/repos` or `/users/{user}/repos`, 100 a page, following `Link`.
    func listGitHub(path: String, query: [(String, String)], owner: String) async throws(ListingError) -> [ListedRepository] {
        var next: URL? = endpoints.gitHubAPI.appending(apiPath: path, query: query + [("per_page", "100")])
        var repositories: [ListedRepository] = []
        var pages = 0
        while let url = next, pages < 10_000 {
            let (json, response) = try await get(url, kind: "github", what: "the repositories of \(owner)")
            for item in json as? [[String: Any]] ?? [] {
                guard let clone = item["clone_url"] as? String else { continue }
                let origin = SweepOrigin(source: "github", name: item["full_name"] as? String ?? clone, org: owner, project: nil,
                                         defaultBranch: item["default_branch"] as? String, archived: item["archived"] as? Bool ?? false)
                repositories.append(ListedRepository(url: clone, origin: origin, fork: item["fork"] as? Bool ?? false))
            }
            next = Self.nextLink(response.headers["link"])
            pages += 1
        }
        return repositories
    }

    /// GitLab: `/api/v4/groups/{group}/projects?include_subgroups=true`, 100 a page, following
    /// `Link` (or `X-Next-Page`). The base is `PATROL_GITLAB_URL`, else gitlab.com.
    func listGitLab(group: String) async throws(ListingError) -> [ListedRepository] {
        let base = endpoints.gitLab ?? ProviderEndpoints.defaultGitLab
        let first = base.appending(apiPath: "/api/v4/groups/\(URL.pathSegment(group))/projects", query: [("include_subgroups", "true"), ("per_page", "100"), ("order_by", "id"), ("sort", "asc")])
        var next: URL? = first
        var repositories: [ListedRepository] = []
        var pages = 0
        while let url = next, pages < 10_000 {
            let (json, response) = try await get(url, kind: "gitlab", what: "the projects of \(group)")
            for item in json as? [[String: Any]] ?? [] {
                guard let clone = item["http_url_to_repo"] as? String else { continue }
                let namespace = (item["namespace"] as? [String: Any])?["full_path"] as? String
                let origin = SweepOrigin(source: "gitlab", name: item["path_with_namespace"] as? String ?? clone, org: group, project: namespace,
                                         defaultBranch: item["default_branch"] as? String, archived: item["archived"] as? Bool ?? false)
                repositories.append(ListedRepository(url: clone, origin: origin, fork: item["forked_from_project"] != nil))
            }
            if let link = Self.nextLink(response.headers["link"]) {
                next = link
            } else if let page = response.headers["x-next-page"], !page.isEmpty {
                var components = URLComponents(url: first, resolvingAgainstBaseURL: false)!
                components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "page", value: page)]
                next = components.url
            } else {
                next = nil
            }
            pages += 1
        }
        return repositories
    }

    /// `refs/heads/main` → `main`.
    static func branchName(_ ref: String) -> String {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
    }
}
