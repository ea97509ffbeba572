import Foundation
import Testing
@testable import PatrolKit

/// `patrol verify` and `patrol revoke` end to end: a real scan's report, the built binary, and
/// the providers on the local server through the `PATROL_*_URL` variables.
@Suite struct CommandLineTests {
    /// A folder with an Azure DevOps PAT (next to its organisation's URL), a GitHub token and an
    /// PyPI token (no verifier, no revoker), and its redacted JSON report.
    struct Leak {
        let folder: ScratchFolder
        let ado: String
        let gitHub: String
        let pypi: String
        var secrets: [String] { [ado, gitHub, pypi] }

        init(seed: UInt64) throws {
            folder = try ScratchFolder()
            ado = Secrets.azureDevOps(seed: seed)
            gitHub = Secrets.gitHub(seed: seed + 1)
            pypi = Secrets.example("{{generate}}", rule: "pypi-upload-token", seed: seed + 2)
            try folder.write("repo/config/app.env", """
                ADO_FEED=https://pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/
                AZURE_DEVOPS_PAT=\(ado)
                GITHUB_TOKEN=\(gitHub)
                PYPI_TOKEN=\(pypi)

                """)
        }

        func scan(showSecrets: Bool = false) throws -> String {
            let result = try PatrolProcess.run(["scan", "repo", "--format", "json"] + (showSecrets ? ["--show-secrets"] : []), in: folder.url)
            #expect(result.status == 1, "scan: \(result.stderr)")
            return result.stdout
        }

        /// Fails the test if any secret shows in the texts given.
        func expectNoSecret(in texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            for text in texts {
                for secret in secrets { #expect(!text.contains(secret), "a secret leaked into: \(text)", sourceLocation: sourceLocation) }
            }
        }
    }

    @Test func verifyWritesTheReportWithVerifiedSetAndExitsOneWhenATokenIsLive() throws {
        let leak = try Leak(seed: 100)
        let fake = try FakeProviders()
        fake.addJanesTokens(leaked: leak.ado)
        try leak.folder.write("report.json", try leak.scan())
        let result = try PatrolProcess.run(["verify", "report.json", "--format", "json", "--audit-log", "audit.jsonl", "--verbose"], in: leak.folder.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(result.json?["findings"] as? [[String: Any]])
        var verified: [String: String] = [:]
        for finding in findings { verified[finding["rule"] as! String] = (finding["verified"] as? Bool).map { $0 ? "live" : "not live" } ?? "null" }
        #expect(verified == ["azure-devops-pat": "live", "github-pat": "not live", "pypi-upload-token": "null"])
        #expect(findings.allSatisfy { $0["redacted"] as? Bool == true })
        // The rest of the report is carried over as the scan wrote it.
        let scanned = try #require(try JSONSerialization.jsonObject(with: Data(leak.folder.read("report.json").utf8)) as? [String: Any])
        let stats = try #require(result.json?["stats"] as? [String: Any])
        #expect(stats["files"] as? Int == (scanned["stats"] as? [String: Any])?["files"] as? Int)
        #expect((stats["files"] as? Int ?? 0) > 0)
        #expect((result.json?["skipped"] as? [Any])?.count == (scanned["skipped"] as? [Any])?.count)
        // Providers are asked in parallel: the order between them is not fixed.
        // The live PAT's access map adds its two read-only listings.
        #expect(fake.requests.map(\.line).sorted() == ["GET /ado/contoso/_apis/connectionData", "GET /ado/contoso/_apis/git/repositories?api-version=7.1",
                                                        "GET /ado/contoso/_apis/projects?api-version=7.1&$top=100", "GET /github/user"])
        #expect(result.stderr.contains("patrol: live: azure-devops-pat \(Redaction.redact(leak.ado)) at config/app.env:2 (Jane Doe)"))
        #expect(result.stderr.contains("patrol: 3 distinct secrets: 1 live, 1 not live, 0 could not be checked, 1 not supported"))

        let audit = leak.folder.read("audit.jsonl").split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
        #expect(audit.map { $0["action"] as? String } == ["verify", "verify", "verify"])
        #expect(audit.map { "\($0["provider"]!) \($0["outcome"]!) \($0["status"]!)" }.sorted() == ["azure-devops live 200", "github not-live 401", "pypi not-supported <null>"])
        #expect(audit.allSatisfy { Set($0.keys) == ["time", "provider", "fingerprint", "action", "outcome", "status"] })
        leak.expectNoSecret(in: [result.stdout, result.stderr, leak.folder.read("audit.jsonl")])
    }

    @Test func verifyExitsZeroWhenNothingIsLiveAndTwoWhenNothingCouldBeChecked() throws {
        let leak = try Leak(seed: 200)
        let fake = try FakeProviders()
        let report = try leak.scan(showSecrets: true)
        let none = try PatrolProcess.run(["verify", "-", "--audit-log", "audit.jsonl", "--format", "json", "--show-secrets"], in: leak.folder.url, stdin: Data(report.utf8), environment: fake.environment)
        #expect(none.status == 0, "\(none.stderr)")
        #expect((none.json?["findings"] as? [[String: Any]])?.compactMap { $0["verified"] as? Bool } == [false, false])

        fake.fail("GET", "/ado/contoso/_apis/connectionData", with: .json(500, ["message": "down"]), times: 20)
        fake.fail("GET", "/ado/contoso/_apis/projects", with: .json(500, ["message": "down"]), times: 20)
        fake.fail("GET", "/github/user", with: .json(500, ["message": "down"]), times: 20)
        let failed = try PatrolProcess.run(["verify", "-", "--audit-log", "audit.jsonl", "--backoff", "0"], in: leak.folder.url, stdin: Data(report.utf8), environment: fake.environment)
        #expect(failed.status == 2, "\(failed.stderr)")
        #expect(failed.stderr.contains("patrol: failed: github-pat \(Redaction.redact(leak.gitHub)) at config/app.env:3, HTTP 500: GET /github/user: HTTP 500: down"))
        leak.expectNoSecret(in: [failed.stdout, failed.stderr, leak.folder.read("audit.jsonl")])
    }

    @Test func revokeWithoutYesIsADryRunThatSendsNothingRevoking() throws {
        let leak = try Leak(seed: 300)
        let fake = try FakeProviders()
        fake.addJanesTokens(leaked: leak.ado)
        fake.makeLive(leak.gitHub)
        var environment = fake.environment
        environment["AZURE_DEVOPS_ENTRA_TOKEN"] = "entra-jane"
        let result = try PatrolProcess.run(["revoke", "-", "--audit-log", "audit.jsonl"], in: leak.folder.url, stdin: Data(try leak.scan(showSecrets: true).utf8), environment: environment)
        #expect(result.status == 1, "\(result.stderr)")
        let host = "127.0.0.1:\(fake.server.port)"
        #expect(result.stdout.contains("    would send: DELETE \(host) /vssps/contoso/_apis/tokens/pats?authorizationId=a0000000-0000-4000-8000-000000000004&api-version=7.1-preview.1\n"))
        #expect(result.stdout.contains("    the owner's token: 'deploy' (vso.code vso.packaging), valid 2026-03-10 to 2027-03-10"))
        #expect(result.stdout.contains("    would send: POST \(host) /github/credentials/revoke\n"))
        #expect(result.stdout.contains("not-supported  pypi-upload-token"))
        #expect(result.stdout.contains("    by hand: **Revoke**"))
        #expect(result.stderr.contains("patrol: 3 tokens: 1 not-supported, 2 dry-run"))
        #expect(result.stderr.contains("dry run: nothing was revoked"))
        #expect(fake.revokingRequests.isEmpty)
        #expect(fake.isLive(leak.ado) && fake.isLive(leak.gitHub))
        #expect(leak.folder.read("audit.jsonl").components(separatedBy: "\"outcome\":\"dry-run\"").count == 3)
        leak.expectNoSecret(in: [result.stdout, result.stderr, leak.folder.read("audit.jsonl")])
    }

    @Test func revokeWithYesRevokesARedactedReportsTokensAndLogsEachOutcome() throws {
        let leak = try Leak(seed: 400)
        let fake = try FakeProviders()
        fake.addJanesTokens(leaked: leak.ado)
        try leak.folder.write("report.json", try leak.scan())
        var environment = fake.environment
        environment["AZURE_DEVOPS_ENTRA_TOKEN"] = "entra-jane"
        // The GitHub token is already dead; the PyPI token has no API: not everything is revoked.
        let all = try PatrolProcess.run(["revoke", "report.json", "--yes", "--format", "json", "--audit-log", "audit.jsonl"], in: leak.folder.url, environment: environment)
        #expect(all.status == 1, "\(all.stderr)")
        let results = try #require(all.json?["results"] as? [[String: Any]])
        #expect(results.map { "\($0["rule"]!) \($0["outcome"]!)" } == ["azure-devops-pat revoked", "github-pat already-invalid", "pypi-upload-token not-supported"])
        #expect(all.json?["dry_run"] as? Bool == false)
        #expect(fake.revokingRequests.map(\.line) == ["DELETE /vssps/contoso/_apis/tokens/pats?authorizationId=a0000000-0000-4000-8000-000000000004&api-version=7.1-preview.1"])
        #expect(!fake.isLive(leak.ado))

        // Only the Azure DevOps finding, again: now it no longer works, which counts as done.
        let fingerprint = Finding.fingerprint(rule: "azure-devops-pat", secret: leak.ado)
        let again = try PatrolProcess.run(["revoke", "report.json", "--yes", "--fingerprint", fingerprint, "--audit-log", "audit.jsonl"], in: leak.folder.url, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("already-invalid  azure-devops-pat"))
        let lines = leak.folder.read("audit.jsonl").split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.last?.contains("\"fingerprint\":\"\(fingerprint)\"") == true)
        leak.expectNoSecret(in: [all.stdout, all.stderr, again.stdout, again.stderr, leak.folder.read("audit.jsonl")])
    }

    @Test func revokeAsAnAdministratorWithAdminPATPicksTheChosenAuthorizationId() throws {
        let leak = try Leak(seed: 450)
        let fake = try FakeProviders()
        fake.addJanesTokens(leaked: leak.ado, secondFromMarch: true)
        let adminPAT = Secrets.azureDevOps(seed: 451)
        fake.addAdmin(adminPAT)
        try leak.folder.write("report.json", try leak.scan())
        var environment = fake.environment
        environment["AZURE_DEVOPS_ADMIN_PAT"] = adminPAT
        let fingerprint = Finding.fingerprint(rule: "azure-devops-pat", secret: leak.ado)
        let arguments = ["revoke", "report.json", "--yes", "--admin", "--fingerprint", fingerprint, "--audit-log", "audit.jsonl"]
        let choose = try PatrolProcess.run(arguments, in: leak.folder.url, environment: environment)
        #expect(choose.status == 1)
        #expect(choose.stdout.hasPrefix("needs-choice  azure-devops-pat"))
        #expect(choose.stdout.contains("    - 'march too' (vso.packaging), valid 2026-03-28 to 2027-05-02, authorization id a0000000-0000-4000-8000-000000000005\n"))
        #expect(fake.revokingRequests.isEmpty)

        let revoke = try PatrolProcess.run(arguments + ["--authorization-id", "a0000000-0000-4000-8000-000000000004"], in: leak.folder.url, environment: environment)
        #expect(revoke.status == 0, "\(revoke.stdout)\(revoke.stderr)")
        #expect(fake.revokingRequests.map(\.line) == ["POST /vssps/contoso/_apis/tokenadmin/revocations?isPublic=false&api-version=7.1-preview.1"])
        #expect(fake.revokingRequests.first?.bodyText == #"[{"authorizationId":"a0000000-0000-4000-8000-000000000004"}]"#)
        #expect(!fake.isLive(leak.ado))
        for text in [choose.stdout, choose.stderr, revoke.stdout, revoke.stderr, leak.folder.read("audit.jsonl")] {
            #expect(!text.contains(adminPAT))
        }
        leak.expectNoSecret(in: [choose.stdout, revoke.stdout, leak.folder.read("audit.jsonl")])
    }

    @Test func revokeOfARedactedReportWhoseFilesAreGoneExitsTwoAskingForShowSecrets() throws {
        let leak = try Leak(seed: 500)
        let fake = try FakeProviders()
        try leak.folder.write("report.json", try leak.scan())
        try FileManager.default.removeItem(atPath: leak.folder.path("repo/config/app.env"))
        let result = try PatrolProcess.run(["revoke", "report.json", "--yes", "--audit-log", "audit.jsonl"], in: leak.folder.url, environment: fake.environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("write the report with --show-secrets"))
        #expect(fake.requests.isEmpty)
    }

    @Test func theRemediationPlansRevokeCommandIsOneThisPatrolRuns() throws {
        let leak = try Leak(seed: 600)
        let fake = try FakeProviders()
        fake.makeLive(leak.gitHub)
        try leak.folder.write("report.json", try leak.scan())
        let plan = try PatrolProcess.run(["remediate", "report.json", "--format", "json", "--no-replace-file"], in: leak.folder.url)
        #expect(plan.status == 0, "\(plan.stderr)")
        let secrets = try #require(plan.json?["secrets"] as? [[String: Any]])
        var revokeSteps: [String: [String: Any]] = [:]
        for secret in secrets {
            revokeSteps[secret["rule"] as! String] = (secret["steps"] as? [[String: Any]])?.first { $0["kind"] as? String == "revoke" }
        }
        // Offered where patrol revoke acts (Azure DevOps, GitHub), not for PyPI, which it cannot revoke.
        #expect(revokeSteps.mapValues { $0["commands"] as? [String] ?? [] } == [
            "azure-devops-pat": ["patrol revoke report.json --yes"],
            "github-pat": ["patrol revoke report.json --yes"],
            "pypi-upload-token": [],
        ])
        #expect((revokeSteps["azure-devops-pat"]?["text"] as? String)?.contains("`AZURE_DEVOPS_ENTRA_TOKEN` (`az account get-access-token --resource 499b84ac-1321-427f-aa17-267ca6975798 --query accessToken -o tsv`)") == true)
        let commands = revokeSteps.values.flatMap { $0["commands"] as? [String] ?? [] }
        let arguments = try #require(commands.first).split(separator: " ").dropFirst().map(String.init)
        let result = try PatrolProcess.run(arguments + ["--audit-log", "audit.jsonl"], in: leak.folder.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("revoked  github-pat"))
    }

    @Test func aSlackWebhookGetsNoRevokeCommandButABotTokenDoes() throws {
        let folder = try ScratchFolder()
        let bot = Secrets.slack(seed: 700)
        let webhook = Secrets.example("https://hooks.slack.com/services/T{{upper:8}}/B{{upper:10}}/{{base62:24}}", rule: "slack-webhook-url", seed: 701)
        try folder.write("repo/notify.env", "SLACK_BOT_TOKEN=\(bot)\nSLACK_WEBHOOK=\(webhook)\n")
        let scan = try PatrolProcess.run(["scan", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let plan = try PatrolProcess.run(["remediate", "report.json", "--format", "json", "--no-replace-file"], in: folder.url)
        let secrets = try #require(plan.json?["secrets"] as? [[String: Any]])
        var commands: [String: [String]] = [:]
        for secret in secrets {
            let steps = secret["steps"] as? [[String: Any]] ?? []
            commands[secret["rule"] as! String] = steps.first { $0["kind"] as? String == "revoke" }?["commands"] as? [String]
        }
        #expect(commands == ["slack-bot-token": ["patrol revoke report.json --yes"], "slack-webhook-url": []])

        let fake = try FakeProviders()
        let revoke = try PatrolProcess.run(["revoke", "report.json", "--audit-log", "audit.jsonl"], in: folder.url, environment: fake.environment)
        #expect(revoke.stdout.contains("not-supported  slack-webhook-url"))
        #expect(revoke.stdout.contains("a webhook URL has no API to check or revoke it"))
        #expect(!revoke.stdout.contains(webhook) && !revoke.stderr.contains(webhook))
    }

    @Test func verifyFindsARedactedHistorySecretAgainInItsCommit() throws {
        let folder = try ScratchFolder()
        let secret = Secrets.gitLab(seed: 800)
        func git(_ arguments: String...) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"] + arguments
            process.currentDirectoryURL = folder.url.appendingPathComponent("repo")
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "git \(arguments)")
        }
        try folder.write("repo/ci.env", "GITLAB_TOKEN=\(secret)\n")
        try git("init", "-q")
        try git("add", "-A")
        try git("commit", "-q", "-m", "add token")
        try folder.write("repo/ci.env", "GITLAB_TOKEN=$GITLAB_TOKEN\n")
        try git("commit", "-q", "-am", "remove token")
        let history = try PatrolProcess.run(["history", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(history.status == 1, "\(history.stderr)")
        #expect(!folder.read("report.json").contains(secret))

        let fake = try FakeProviders()
        fake.makeLive(secret)
        let result = try PatrolProcess.run(["verify", "report.json", "--format", "json", "--audit-log", "audit.jsonl"], in: folder.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect((result.json?["findings"] as? [[String: Any]])?.map { $0["verified"] as? Bool } == [true])
        #expect(fake.requests.first?.line == "GET /gitlab/api/v4/personal_access_tokens/self")
        #expect(Set(fake.requests.map { $0.header("PRIVATE-TOKEN") }) == [secret])
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
    }

    @Test func aBadBaseURLIsAUsageError() throws {
        let folder = try ScratchFolder()
        try folder.write("report.json", #"{"version": 1, "target": {"kind": "directory", "root": "/nowhere"}, "findings": []}"#)
        let result = try PatrolProcess.run(["verify", "report.json"], in: folder.url, environment: ["PATROL_GITLAB_URL": "gitlab.example.com"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("PATROL_GITLAB_URL='gitlab.example.com' is not an http(s) URL"))
    }
}
