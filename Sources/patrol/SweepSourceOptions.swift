import ArgumentParser
import Foundation
import PatrolKit
import PatrolRevoke

/// The organisation sources of `patrol sweep` and `patrol sweep list`: every repository of an
/// Azure DevOps organisation, a GitHub organisation or user, or a GitLab group.
struct SweepSourceOptions: ParsableArguments {
    @Option(name: .customLong("azure-devops"), help: ArgumentHelp("Every repository of this Azure DevOps organisation (repeatable). Auth: AZURE_DEVOPS_ENTRA_TOKEN or AZURE_DEVOPS_EXT_PAT.", valueName: "org"))
    var azureDevOps: [String] = []

    @Option(name: .customLong("project"), help: ArgumentHelp("With --azure-devops: only this project (repeatable).", valueName: "name"))
    var projects: [String] = []

    @Option(name: .customLong("azure-devops-url"), help: ArgumentHelp("Azure DevOps Server's base URL (the organisation is then a collection); default https://dev.azure.com.", valueName: "url"))
    var azureDevOpsURL: String?

    @Option(name: .customLong("github-org"), help: ArgumentHelp("Every repository of this GitHub organisation (repeatable). Auth: GITHUB_TOKEN.", valueName: "org"))
    var gitHubOrganisations: [String] = []

    @Option(name: .customLong("github-user"), help: ArgumentHelp("Every repository this GitHub user owns (repeatable). Auth: GITHUB_TOKEN.", valueName: "user"))
    var gitHubUsers: [String] = []

    @Option(name: .customLong("github-url"), help: ArgumentHelp("GitHub Enterprise Server's API URL (e.g. https://github.example.com/api/v3); default https://api.github.com.", valueName: "url"))
    var gitHubURL: String?

    @Option(name: .customLong("gitlab-group"), help: ArgumentHelp("Every project of this GitLab group and its subgroups (repeatable). Auth: GITLAB_TOKEN; self-managed: PATROL_GITLAB_URL.", valueName: "group"))
    var gitLabGroups: [String] = []

    @Flag(help: "Leave out forks (listed by default).")
    var noForks = false

    @Flag(help: "Leave out archived repositories (listed by default).")
    var noArchived = false

    var sources: [RepositorySource] {
        azureDevOps.map { .azureDevOps(organisation: $0, projects: projects) }
            + gitHubOrganisations.map(RepositorySource.gitHubOrganisation)
            + gitHubUsers.map(RepositorySource.gitHubUser)
            + gitLabGroups.map(RepositorySource.gitLabGroup)
    }

    var isEmpty: Bool { sources.isEmpty }

    func validateSources() throws {
        if !projects.isEmpty && azureDevOps.isEmpty { throw ValidationError("--project needs --azure-devops ORG") }
    }

    /// What each source lists, in order; a source that cannot be listed ends the command
    /// (exit 2): a sweep that silently left out an organisation would claim coverage it lacks.
    func enumerate() throws -> [(source: RepositorySource, repositories: [ListedRepository])] {
        var environment = ProcessInfo.processInfo.environment
        if let azureDevOpsURL { environment[ProviderEndpoints.variables.azureDevOps] = azureDevOpsURL }
        if let gitHubURL { environment[ProviderEndpoints.variables.gitHubAPI] = gitHubURL }
        let endpoints: ProviderEndpoints
        do {
            endpoints = try ProviderEndpoints.from(environment: environment)
        } catch {
            throw CommandFailure(error.description)
        }
        let lister = RepositoryLister(endpoints: endpoints, credentials: SourceCredentials(environment: environment), userAgent: "patrol/\(Patrol.version)")
        let sources = self.sources
        let outcome = AsyncBridge.run { () async -> Result<[(source: RepositorySource, repositories: [ListedRepository])], ListingError> in
            var listed: [(source: RepositorySource, repositories: [ListedRepository])] = []
            for source in sources {
                do throws(ListingError) {
                    listed.append((source, try await lister.list(source)))
                } catch {
                    return .failure(error)
                }
            }
            return .success(listed)
        }
        switch outcome {
        case .success(let listed): return listed
        case .failure(let error): throw CommandFailure(error.description)
        }
    }

    /// Why a listed repository is not swept, if it is not.
    func exclusion(_ repository: ListedRepository) -> String? {
        if repository.disabled { return "disabled" }
        if noForks && repository.fork { return "fork" }
        if noArchived && repository.origin.archived { return "archived" }
        return nil
    }
}

/// `patrol sweep list`: prints what the organisation sources list, as JSON Lines, without
/// sweeping, so enumeration runs once and shards consume it with `--list FILE`.
struct SweepListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the repositories of organisation sources as JSON Lines, without sweeping.",
        discussion: """
            One line per repository: {"repository", "url", "source", "org", "project", \
            "default_branch", "archived"}. 'patrol sweep --list FILE' reads these lines (and \
            plain lines) back, with their org and project. Disabled repositories, and with \
            --no-forks / --no-archived forks and archived ones, are left out and named on \
            standard error.
            """
    )

    @OptionGroup var sources: SweepSourceOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the lines to FILE instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        try sources.validateSources()
        if sources.isEmpty { throw ValidationError("name a source: --azure-devops ORG, --github-org ORG, --github-user USER or --gitlab-group GROUP") }
    }

    func run() throws {
        var text = ""
        for (_, repositories) in try sources.enumerate() {
            for repository in repositories {
                if let reason = sources.exclusion(repository) {
                    Terminal.note("patrol: \(repository.origin.name): left out (\(reason))")
                    continue
                }
                text += repository.origin.listRecord(url: repository.url) + "\n"
            }
        }
        let sink = try SweepOutput(path: output, private: false)
        sink.write(text)
        sink.close()
    }
}
