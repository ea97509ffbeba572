import Foundation
import PatrolTestSupport
import Testing

/// `patrol sweep --azure-devops / --github-org / --gitlab-group` and `patrol sweep list`, against
/// a real local server (Tests/Servers/org-sweep-server.py) that serves the three providers'
/// listing endpoints — paginated, with a 429 — and real git over smart HTTP (`git http-backend`),
/// both requiring the credentials.
@Suite(.serialized) struct OrganisationSweepTests {
    static let adoPAT = "ado-listing-credential-" + String(repeating: "q", count: 20)
    static let gitHubToken = "github-listing-credential-" + String(repeating: "r", count: 20)
    static let gitLabToken = "gitlab-listing-credential-" + String(repeating: "s", count: 20)

    /// The server, its folder and the tokens planted in each repository.
    final class Organisation {
        let scratch: ScratchFolder
        let server: Process
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }
        var root: URL { scratch.url.appendingPathComponent("server") }
        private var seed: UInt64 = 40

        init() throws {
            scratch = try ScratchFolder()
            try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("server/git"), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: scratch.url.appendingPathComponent("server/routes.json"))
            server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["python3", PatrolBinary.packageRoot.appendingPathComponent("Tests/Servers/org-sweep-server.py").path, "--root", scratch.url.appendingPathComponent("server").path]
            let output = Pipe()
            server.standardOutput = output
            // The server ends when this pipe closes: when the test ends, or if it dies.
            server.standardInput = lifeline
            try server.run()
            var line = Data()
            while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
            port = Int(String(decoding: line, as: UTF8.self)) ?? 0
        }

        private let lifeline = Pipe()

        deinit {
            // SIGKILL: a child inherits the test runner's signal mask, which may block SIGTERM.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        /// A bare repository at `git/<path>` whose one commit holds a fresh GitHub token in `name`.
        @discardableResult
        func addRepository(_ path: String, file name: String = "deploy.env") throws -> String {
            seed += 1
            let token = Secrets.gitHub(seed: seed)
            let work = scratch.url.appendingPathComponent("work-\(seed)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try Data("TOKEN=\(token)\n".utf8).write(to: work.appendingPathComponent(name))
            try git(["init", "-q", "-b", "main"], in: work)
            try git(["add", "."], in: work)
            try git(["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "add \(name)"], in: work)
            let bare = root.appendingPathComponent("git/" + path)
            try FileManager.default.createDirectory(at: bare.deletingLastPathComponent(), withIntermediateDirectories: true)
            try git(["clone", "-q", "--bare", work.path, bare.path], in: scratch.url)
            return token
        }

        func routes(_ routes: [String: Any], auth: [String: [String]]) throws {
            let data = try JSONSerialization.data(withJSONObject: ["routes": routes, "auth": auth])
            // A new modification time for each write, so the server reloads even within one tick.
            let file = root.appendingPathComponent("routes.json")
            try data.write(to: file)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(Double(seed))], ofItemAtPath: file.path)
            seed += 1
        }

        var requests: [String] {
            (FileManager.default.contents(atPath: root.appendingPathComponent("requests.log").path).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .split(separator: "\n").map(String.init)
        }

        func patrol(_ arguments: [String], environment: [String: String]) throws -> PatrolProcess.Result {
            var env = environment
            env["XDG_CACHE_HOME"] = scratch.path("cache")
            return try PatrolProcess.run(arguments, in: scratch.url, environment: env)
        }

        func git(_ arguments: [String], in folder: URL) throws {
            let run = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments, in: folder, stdin: nil, environment: ProcessInfo.processInfo.environment)
            guard run.status == 0 else { throw GitFailed(message: run.stderr) }
        }
    }

    struct GitFailed: Error { let message: String }

    static func basic(_ user: String, _ secret: String) -> String {
        "Authorization: Basic " + Data((user + ":" + secret).utf8).base64EncodedString()
    }

    static func lines(_ stdout: String) -> [[String: Any]] {
        stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static func records(_ stdout: String, _ kind: String) -> [[String: Any]] {
        lines(stdout).compactMap { $0[kind] as? [String: Any] }
    }

    /// The bare mirror of a repository under the clone folder.
    static func mirror(named part: String, in org: Organisation) -> String? {
        let folder = org.scratch.url.appendingPathComponent("cache/patrol/repositories").path
        return (try? FileManager.default.contentsOfDirectory(atPath: folder))?.first { $0.contains(part) }.map { folder + "/" + $0 }
    }

    static func inode(_ path: String) throws -> UInt64 {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    static func findings(_ stdout: String) -> [[String: Any]] {
        lines(stdout).filter { $0["rule"] != nil }
    }

    /// The Azure DevOps organisation: two pages of projects (a continuation token), a 429 on
    /// the first repository listing, a disabled repository.
    func azureRoutes(_ org: Organisation, withNewRepository: Bool) -> [String: Any] {
        let repository: (String, String, Bool) -> [String: Any] = { project, name, disabled in
            ["id": UUID().uuidString, "name": name, "isDisabled": disabled, "defaultBranch": "refs/heads/main", "project": ["name": project],
             "remoteUrl": "http://contoso@127.0.0.1:\(org.port)/git/contoso/\(project)/_git/\(name)"]
        }
        var webRepositories = [repository("web", "app", false), repository("web", "old", true)]
        if withNewRepository { webRepositories.append(repository("web", "new", false)) }
        return [
            "/contoso/_apis/projects?api-version=7.1&$top=100": [["headers": ["x-ms-continuationtoken": "page2"], "body": ["count": 1, "value": [["name": "web"]]]]],
            "/contoso/_apis/projects?api-version=7.1&$top=100&continuationToken=page2": [["body": ["count": 1, "value": [["name": "infra"]]]]],
            "/contoso/web/_apis/git/repositories?api-version=7.1": [["status": 429, "headers": ["Retry-After": "1"], "body": ["message": "slow down"]], ["body": ["count": webRepositories.count, "value": webRepositories]]],
            "/contoso/infra/_apis/git/repositories?api-version=7.1": [["body": ["count": 1, "value": [repository("infra", "terraform", false)]]]],
        ]
    }

    @Test func anAzureDevOpsOrganisationIsSweptWithItsOrgOnEveryFindingAndASecondSweepFetchesPicksUpAndReportsRemoved() throws {
        let org = try Organisation()
        #expect(org.port > 0)
        try org.addRepository("contoso/web/_git/app")
        try org.addRepository("contoso/web/_git/old")
        try org.addRepository("contoso/infra/_git/terraform")
        let auth = [Self.basic("", Self.adoPAT)]
        try org.routes(azureRoutes(org, withNewRepository: false), auth: ["/contoso/": auth, "/git/": auth])
        let environment = ["AZURE_DEVOPS_EXT_PAT": Self.adoPAT]
        let arguments = ["sweep", "--azure-devops", "contoso", "--azure-devops-url", org.base, "--jobs", "1"]

        let first = try org.patrol(arguments, environment: environment)
        #expect(first.status == 1, "\(first.stderr)")
        let findings = Self.findings(first.stdout)
        #expect(findings.count == 2)
        #expect(Set(findings.compactMap { $0["project"] as? String }) == ["web", "infra"])
        for finding in findings {
            #expect(finding["source"] as? String == "azure-devops")
            #expect(finding["org"] as? String == "contoso")
            #expect((finding["context"] as? [String: Any])?["org"] as? String == "contoso")
        }
        #expect(Self.records(first.stdout, "skipped").map { $0["reason"] as? String } == ["disabled"])
        let coverage = Self.records(first.stdout, "coverage")
        #expect(coverage.count == 2)
        #expect(coverage.allSatisfy { $0["status"] as? String == "full" && ($0["tip"] as? String)?.count == 40 && ($0["blobs"] as? Int ?? 0) >= 1 })
        // The 429 was waited out, and the credential went to the server as a header only.
        #expect(org.requests.contains { $0.hasPrefix("GET /contoso/web/_apis/git/repositories") && $0.hasSuffix(" 429") })
        #expect(!org.requests.contains { $0.hasSuffix(" 401") })

        // Nowhere on disk or in the output: not in the clones' config, the cache, stdout or stderr.
        let encoded = Data((":" + Self.adoPAT).utf8).base64EncodedString()
        for text in [first.stdout, first.stderr] {
            #expect(!text.contains(Self.adoPAT) && !text.contains(encoded))
        }
        let cache = org.scratch.url.appendingPathComponent("cache/patrol")
        let files = FileManager.default.enumerator(atPath: cache.path)?.compactMap { $0 as? String } ?? []
        #expect(files.contains { $0.hasSuffix("config") })
        for file in files {
            guard let data = FileManager.default.contents(atPath: cache.appendingPathComponent(file).path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains(Self.adoPAT) && !text.contains(encoded), "\(file) holds the credential")
        }

        // Day two: one repository added, one gone.
        try org.addRepository("contoso/web/_git/new")
        var routes = azureRoutes(org, withNewRepository: true)
        routes["/contoso/infra/_apis/git/repositories?api-version=7.1"] = [["body": ["count": 0, "value": [Any]()]]]
        try org.routes(routes, auth: ["/contoso/": auth, "/git/": auth])
        let before = org.requests.count
        let appMirror = try #require(Self.mirror(named: "web__git_app", in: org))
        let inode = try Self.inode(appMirror)
        let second = try org.patrol(arguments, environment: environment)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(Set(Self.findings(second.stdout).compactMap { $0["repository"] as? String }) == [
            "http://127.0.0.1:\(org.port)/git/contoso/web/_git/app", "http://127.0.0.1:\(org.port)/git/contoso/web/_git/new",
        ])
        #expect(Self.records(second.stdout, "removed").map { $0["repository"] as? String } == ["http://127.0.0.1:\(org.port)/git/contoso/infra/_git/terraform"])
        let statuses = Dictionary(uniqueKeysWithValues: Self.records(second.stdout, "coverage").map { ($0["repository"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(statuses["http://127.0.0.1:\(org.port)/git/contoso/web/_git/app"] == "unchanged")
        #expect(statuses["http://127.0.0.1:\(org.port)/git/contoso/web/_git/new"] == "full")
        // The known repository was fetched into its mirror, not cloned again.
        #expect(org.requests.dropFirst(before).contains { $0.hasPrefix("GET /git/contoso/web/_git/app/info/refs") })
        #expect(try Self.inode(appMirror) == inode)
    }

    @Test func aGitHubOrganisationIsListedPageByPageAndSweepListFeedsAShardedSweep() throws {
        let org = try Organisation()
        try org.addRepository("acme/api.git")
        try org.addRepository("acme/fork.git")
        try org.addRepository("acme/attic.git")
        let repository: (String, Bool, Bool) -> [String: Any] = { name, fork, archived in
            ["full_name": "acme/\(name)", "clone_url": "\(org.base)/git/acme/\(name).git", "default_branch": "main", "fork": fork, "archived": archived]
        }
        try org.routes([
            "/orgs/acme/repos?type=all&per_page=100": [["headers": ["Link": "<{base}/orgs/acme/repos?type=all&per_page=100&page=2>; rel=\"next\", <{base}/orgs/acme/repos?type=all&per_page=100&page=2>; rel=\"last\""],
                                                        "body": [repository("api", false, false), repository("fork", true, false)]]],
            "/orgs/acme/repos?type=all&per_page=100&page=2": [["body": [repository("attic", false, true)]]],
        ], auth: ["/orgs/": ["Authorization: Bearer " + Self.gitHubToken], "/git/": [Self.basic("x-access-token", Self.gitHubToken)]])
        let environment = ["GITHUB_TOKEN": Self.gitHubToken, "PATROL_GITHUB_API_URL": org.base]

        let listed = try org.patrol(["sweep", "list", "--github-org", "acme", "--no-forks"], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = Self.lines(listed.stdout)
        #expect(entries.map { $0["repository"] as? String } == ["acme/api", "acme/attic"])
        #expect(entries.map { $0["archived"] as? Bool } == [false, true])
        #expect(entries.allSatisfy { $0["source"] as? String == "github" && $0["org"] as? String == "acme" && $0["default_branch"] as? String == "main" })
        #expect(listed.stderr.contains("acme/fork: left out (fork)"))

        // The list is the input of a sweep: each shard gets its part, and the credential.
        try listed.stdout.write(toFile: org.scratch.path("repositories.jsonl"), atomically: true, encoding: .utf8)
        var swept: Set<String> = []
        for shard in 0..<2 {
            let run = try org.patrol(["sweep", "--list", "repositories.jsonl", "--shard", "\(shard)/2", "--cache", org.scratch.path("shard-\(shard).sqlite")], environment: ["GITHUB_TOKEN": Self.gitHubToken])
            #expect(run.status <= 1, "\(run.stderr)")
            #expect(Self.records(run.stdout, "error").isEmpty, "\(run.stdout)")
            for finding in Self.findings(run.stdout) {
                #expect(finding["org"] as? String == "acme")
                swept.insert(finding["repository"] as? String ?? "")
            }
        }
        #expect(swept == ["\(org.base)/git/acme/api.git", "\(org.base)/git/acme/attic.git"])

        // Without the credential, git's clone fails: an error line per repository, never a silent drop.
        let denied = try org.patrol(["sweep", "--list", "repositories.jsonl", "--cache", org.scratch.path("denied.sqlite"), "--clone-dir", org.scratch.path("denied")], environment: [:])
        #expect(denied.status == 2)
        #expect(Self.records(denied.stdout, "error").count == 2)
        #expect(Self.records(denied.stdout, "coverage").allSatisfy { $0["status"] as? String == "failed" })
    }

    @Test func aGitLabGroupWithSubgroupsIsSweptAndAFailedListingExitsTwo() throws {
        let org = try Organisation()
        try org.addRepository("platform/tools.git")
        try org.addRepository("platform/infra/deploy.git")
        let project: (String, String) -> [String: Any] = { namespace, name in
            ["path_with_namespace": "\(namespace)/\(name)", "http_url_to_repo": "\(org.base)/git/\(namespace)/\(name).git", "default_branch": "main",
             "archived": false, "namespace": ["full_path": namespace]]
        }
        try org.routes([
            "/api/v4/groups/platform/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc": [["headers": ["X-Next-Page": "2"], "body": [project("platform", "tools")]]],
            "/api/v4/groups/platform/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc&page=2": [["body": [project("platform/infra", "deploy")]]],
        ], auth: ["/api/": ["PRIVATE-TOKEN: " + Self.gitLabToken], "/git/": [Self.basic("oauth2", Self.gitLabToken)]])
        let environment = ["GITLAB_TOKEN": Self.gitLabToken, "PATROL_GITLAB_URL": org.base]

        let run = try org.patrol(["sweep", "--gitlab-group", "platform"], environment: environment)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(Set(Self.findings(run.stdout).compactMap { $0["project"] as? String }) == ["platform", "platform/infra"])

        let wrong = try org.patrol(["sweep", "--gitlab-group", "platform"], environment: ["GITLAB_TOKEN": "not-the-token", "PATROL_GITLAB_URL": org.base])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("HTTP 401") && wrong.stderr.contains("GITLAB_TOKEN"))
        #expect(!wrong.stderr.contains("not-the-token"))
    }
}
