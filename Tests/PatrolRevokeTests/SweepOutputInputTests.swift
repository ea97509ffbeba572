import Foundation
import PatrolTestSupport
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

/// `verify`, `revoke` and `remediate` read the JSON Lines of `patrol sweep` and `--format jsonl`
/// as well as the JSON report (issue 16: verify runs as one central phase over a report or
/// sweep output), told apart by their content, streamed and deduplicated by secret.
@Suite struct SweepOutputInputTests {
    /// Two local repositories, each with one commit: the same GitHub token in both, and an
    /// Azure DevOps PAT next to its organisation's URL in the first.
    struct Repositories {
        let scratch: ScratchFolder
        let ado: String
        let gitHub: String
        var first: String { scratch.path("one") }
        var second: String { scratch.path("two") }

        init(seed: UInt64) throws {
            scratch = try ScratchFolder()
            ado = Secrets.azureDevOps(seed: seed)
            gitHub = Secrets.gitHub(seed: seed + 1)
            try scratch.write("one/config/app.env", """
                ADO_FEED=https://pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/
                AZURE_DEVOPS_PAT=\(ado)
                GITHUB_TOKEN=\(gitHub)

                """)
            try scratch.write("two/deploy.env", "GITHUB_TOKEN=\(gitHub)\n")
            for folder in [first, second] {
                let url = URL(fileURLWithPath: folder)
                try Self.git(["init", "-q", "-b", "main"], in: url)
                try Self.git(["add", "."], in: url)
                try Self.git(["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "add"], in: url)
            }
        }

        /// `patrol sweep` of both into `sweep.jsonl` (its own cache and clone folder).
        func sweep(showSecrets: Bool = true) throws -> String {
            let result = try PatrolProcess.run(
                ["sweep", first, second, "--cache", scratch.path("cache.sqlite"), "--clone-dir", scratch.path("clones"), "-o", scratch.path("sweep.jsonl")]
                    + (showSecrets ? ["--show-secrets"] : []),
                in: scratch.url)
            #expect(result.status == 1, "sweep: \(result.stderr)")
            return scratch.read("sweep.jsonl")
        }

        static func git(_ arguments: [String], in folder: URL) throws {
            let run = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments, in: folder, stdin: nil, environment: ProcessInfo.processInfo.environment)
            #expect(run.status == 0, "git \(arguments): \(run.stderr)")
        }
    }

    @Test func verifyOfSweepOutputAsksAboutEachDistinctSecretOnce() throws {
        let repositories = try Repositories(seed: 1700)
        let output = try repositories.sweep()
        let lines = output.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        let findings = lines.filter { $0["rule"] != nil }
        // Three findings of two secrets, and the records verify passes over.
        #expect(findings.count == 3, "\(output)")
        #expect(lines.contains { $0["coverage"] != nil } && lines.contains { $0["summary"] != nil })

        let fake = try FakeProviders()
        fake.addJanesTokens(leaked: repositories.ado)
        let result = try PatrolProcess.run(
            ["verify", "sweep.jsonl", "--no-access-map", "--format", "json", "--audit-log", "audit.jsonl"],
            in: repositories.scratch.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        // Each distinct secret once: the GitHub token of both repositories is one question.
        #expect(fake.requests.map(\.line).sorted() == ["GET /ado/contoso/_apis/connectionData", "GET /github/user"])
        #expect(result.stderr.contains("patrol: 2 distinct secrets: 1 live, 1 not live, 0 could not be checked, 0 not supported"), "\(result.stderr)")
        // The findings are written back, each with its result.
        let written = try #require(result.json?["findings"] as? [[String: Any]])
        #expect(written.count == 3)
        #expect(written.filter { $0["verified"] as? Bool == true }.map { $0["rule"] as? String } == ["azure-devops-pat"])
        #expect(written.filter { $0["verified"] as? Bool == false }.count == 2)
        for text in [result.stdout, result.stderr, repositories.scratch.read("audit.jsonl")] {
            #expect(!text.contains(repositories.ado) && !text.contains(repositories.gitHub))
        }
    }

    /// `scan --format jsonl` through a pipe: read once, its findings kept to be written back.
    @Test func verifyReadsScanJSONLinesFromStandardInput() throws {
        let repositories = try Repositories(seed: 1740)
        // JSON Lines name no root: their paths are read from the current folder.
        let one = URL(fileURLWithPath: repositories.first)
        let scan = try PatrolProcess.run(["scan", ".", "--format", "jsonl"], in: one)
        #expect(scan.status == 1, "\(scan.stderr)")
        #expect(scan.stdout.split(separator: "\n").count == 2)
        let fake = try FakeProviders()
        fake.addJanesTokens(leaked: repositories.ado)
        // Redacted: the secrets are found again in the scanned files, under the current folder.
        let result = try PatrolProcess.run(["verify", "-", "--no-access-map", "--format", "jsonl", "--audit-log", repositories.scratch.path("audit.jsonl")],
                                           in: one, stdin: Data(scan.stdout.utf8), environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(fake.requests.map(\.line).sorted() == ["GET /ado/contoso/_apis/connectionData", "GET /github/user"])
        let lines = result.stdout.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        #expect(lines.map { $0["verified"] as? Bool } == [true, false] || lines.map { $0["verified"] as? Bool } == [false, true], "\(result.stdout)")
        #expect(!result.stdout.contains(repositories.ado) && !result.stdout.contains(repositories.gitHub))
    }

    @Test func remediateAndRevokeReadSweepOutputToo() throws {
        let repositories = try Repositories(seed: 1710)
        _ = try repositories.sweep()
        let plan = try PatrolProcess.run(["remediate", "sweep.jsonl", "--no-replace-file", "--format", "json"], in: repositories.scratch.url)
        #expect(plan.status == 0, "\(plan.stderr)")
        let secrets = try #require(plan.json?["secrets"] as? [[String: Any]])
        #expect(secrets.map { $0["rule"] as? String } == ["azure-devops-pat", "github-pat"] || secrets.map { $0["rule"] as? String } == ["github-pat", "azure-devops-pat"])
        let gitHub = try #require(secrets.first { $0["rule"] as? String == "github-pat" })
        #expect((gitHub["locations"] as? [Any])?.count == 2, "the token of both repositories is one secret with two locations")
        #expect((plan.json?["target"] as? [String: Any])?["kind"] as? String == "sweep")

        let fake = try FakeProviders()
        let revoke = try PatrolProcess.run(["revoke", "sweep.jsonl", "--audit-log", "audit.jsonl"], in: repositories.scratch.url, environment: fake.environment)
        #expect(revoke.stderr.contains("patrol: 2 tokens"), "\(revoke.stderr)")
    }

    @Test func aMalformedLineIsNamedByItsNumber() throws {
        let repositories = try Repositories(seed: 1720)
        let output = try repositories.sweep()
        var lines = output.split(separator: "\n").map(String.init)
        lines.insert(#"{"rule": "github-pat", "provider": "#, at: 1)
        try repositories.scratch.write("broken.jsonl", lines.joined(separator: "\n") + "\n")
        for command in ["verify", "remediate", "revoke"] {
            let result = try PatrolProcess.run([command, "broken.jsonl", "--audit-log", "audit.jsonl"].filter { command != "remediate" || $0 != "--audit-log" && $0 != "audit.jsonl" },
                                               in: repositories.scratch.url)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("broken.jsonl: not a patrol JSON report or JSON Lines (line 2 is not valid JSON)"), "\(command): \(result.stderr)")
        }
        try repositories.scratch.write("odd.jsonl", output + #"{"weather": "fine"}"# + "\n")
        let odd = try PatrolProcess.run(["verify", "odd.jsonl"], in: repositories.scratch.url)
        #expect(odd.status == 2)
        #expect(odd.stderr.contains("line \(output.split(separator: "\n").count + 1) is neither a finding"), "\(odd.stderr)")
    }

    /// A sweep of an Azure DevOps organisation names it on each record (`source`, `org`): a
    /// token whose text named none is checked in that organisation.
    @Test func theOrganisationOfASweepRecordReachesTheToken() throws {
        let pat = Secrets.azureDevOps(seed: 1730)
        let fingerprint = Finding.fingerprint(rule: "azure-devops-pat", secret: pat)
        let line = #"{"repository":"https://dev.azure.com/fabrikam/web/_git/site","source":"azure-devops","org":"fabrikam","project":"web","rule":"azure-devops-pat","provider":"azure-devops","confidence":"high","secret":"\#(pat)","fingerprint":"\#(fingerprint)","redacted":false,"path":"a.env","line":1,"column":5,"commit":"\#(String(repeating: "a", count: 40))","context":{}}"#
        let other = line.replacingOccurrences(of: #""context":{}"#, with: #""context":{"org":"contoso"}"#)
            .replacingOccurrences(of: #""line":1"#, with: #""line":2"#)
        let folder = try ScratchFolder()
        try folder.write("sweep.jsonl", line + "\n" + #"{"coverage":{"repository":"x","tip":null,"blobs":1,"status":"full"}}"# + "\n")
        let descriptor = open(folder.path("sweep.jsonl"), O_RDONLY)
        defer { close(descriptor) }
        var entries: [LeakReport.Entry] = []
        let report = try LeakReport.read(descriptor: descriptor, source: "sweep.jsonl") { entries.append($0) }
        #expect(report.target.kind == "sweep")
        #expect(report.target.root == "https://dev.azure.com/fabrikam/web/_git/site")
        #expect(entries.map { $0.finding.context["org"] } == ["fabrikam"])
        let tokens = try ReportTokens(report: LeakReport(target: report.target, entries: entries), ruleSet: Secrets.ruleSet, for: .verify)
        #expect(tokens.tokens.map { $0.context["org"] } == ["fabrikam"])
        // The text's own organisation stays.
        let parsed = try LeakReport.parse(Array((other + "\n").utf8), source: "s")
        #expect(parsed.entries.map { $0.finding.context["org"] } == ["contoso"])
    }
}
