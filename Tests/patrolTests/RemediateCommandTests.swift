import Foundation
import Testing

/// `patrol remediate` on reports of real repositories, some pushed to a bare remote.
@Suite struct RemediateCommandTests {
    /// A repository with a bare remote ("origin") in a temporary folder.
    struct PushedRepository {
        let folder: TemporaryFolder
        let repo = "repo"
        var url: URL { folder.url.appendingPathComponent(repo) }

        init() throws {
            folder = try TemporaryFolder()
            try folder.git("init", "-q", "--bare", "remote.git")
            try folder.git("init", "-q", repo)
            try git("remote", "add", "origin", folder.url.appendingPathComponent("remote.git").path)
        }

        @discardableResult
        func git(_ arguments: String...) throws -> String {
            try folder.git(arguments, in: repo)
        }

        @discardableResult
        func commit(_ message: String, _ files: [String: String]) throws -> String {
            for (path, text) in files { try folder.write(repo + "/" + path, text) }
            try git("add", "-A")
            try git("commit", "-q", "-m", message)
            return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Writes a report of `command` (history, scan or diff arguments) to report.json.
        func report(_ arguments: [String]) throws -> String {
            let path = folder.url.appendingPathComponent("report.json").path
            let result = try patrol(arguments + ["--format", "json", "--output", path], in: url)
            #expect(result.status == 1, "the report should have findings: \(result.stderr)")
            return path
        }
    }

    private func remediate(_ arguments: [String], in folder: URL? = nil, stdin: Data? = nil, state: TemporaryFolder) throws -> RunResult {
        // The default replacements folder is under XDG_STATE_HOME: keep tests out of ~/.local.
        try patrol(["remediate"] + arguments, in: folder, stdin: stdin, environment: ["XDG_STATE_HOME": state.path])
    }

    private func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func pushedLeakGetsEveryStepAndAReplacementsFileWithMode0600() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 201)
        try repo.commit("start", ["README.md": "hello\n"])
        let leak = try repo.commit("add the pipeline", ["deploy/clone.sh": "#!/bin/sh\n\ngit clone https://ci:\(token)@dev.azure.com/contoso/web/_git/app\n"])
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        let report = try repo.report(["history"])
        let state = try TemporaryFolder()
        let replaceFile = state.url.appendingPathComponent("private/replace.txt").path

        let result = try remediate([report, "--replace-file", replaceFile], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        let plan = result.stdout
        #expect(!plan.contains(token), "the plan printed the secret")
        #expect(!plan.contains(String(token.dropFirst(4).prefix(20))), "the plan printed part of the secret")
        for expected in [
            "## 1. Azure DevOps personal access token `\(token.prefix(4))…(84)`",
            "### What", "### Where", "### Steps",
            "high confidence", "**Checksum:** valid", "**Live:** not checked", "organisation `contoso`",
            "| `deploy/clone.sh` | 3 | `\(leak.prefix(12))` |",
            "**Introduced** in commit `\(leak)` by Test <test@example.com>",
            "**Pushed:** yes — on `origin/main`",
            "patrol revoke \(report) --yes",
            "https://dev.azure.com/contoso/_usersSettings/tokens",
            "Regenerating it also invalidates the old value and keeps its name and scopes",
            "Token.PatCreateEvent", "Token.PatUpdateEvent", "Token.PatRevokeEvent", "Token.PatPublicDiscoveryEvent",
            "https://auditservice.dev.azure.com/contoso/_apis/audit/auditlog?startTime=",
            "**Replace the literal** in `deploy/clone.sh`", "It is still at `deploy/clone.sh:3`",
            "## History purge",
            "`\(replaceFile)` holds the secret in clear text",
            "git filter-repo --replace-text \(replaceFile)",
            "git push --force --all origin",
            "git push --force --tags origin",
            "must re-clone",
            "cached views",
        ] {
            #expect(plan.contains(expected), "the plan lacks: \(expected)\n\(plan)")
        }
        // Steps in order: revoke, rotate, consumers, audit log, literal, purge.
        let order = ["1. **Revoke**", "2. **Rotate**", "3. **Update its consumers**", "4. **Check the audit log**", "5. **Replace the literal**", "6. **Purge history**", "7. **Record it in the baseline**"]
        let positions = order.map { plan.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(plan)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())

        #expect(try String(contentsOfFile: replaceFile, encoding: .utf8) == "\(token)==>***REMOVED***\n")
        #expect(try mode(of: replaceFile) == 0o600)
        #expect(result.stderr.contains("replacements file (1 line, holds secrets, mode 0600): \(replaceFile)"))
        #expect(!result.stderr.contains(token))
    }

    @Test func jsonPlanIsTheSamePlanAsData() throws {
        let repo = try PushedRepository()
        let token = Tokens.legacy(seed: 202)
        let leak = try repo.commit("leak", ["app.env": "PAT=\(token)\n", "second.env": "AGAIN=\(token)\n"])
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/release")
        let report = try repo.report(["history"])
        let state = try TemporaryFolder()
        let result = try remediate([report, "--format", "json"], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(token))
        let plan = try result.json()
        let secrets = try #require(plan["secrets"] as? [[String: Any]])
        #expect(secrets.count == 1, "one section per distinct secret, however many paths")
        let secret = try #require(secrets.first)
        #expect(secret["rule"] as? String == "azure-devops-pat-legacy")
        #expect(secret["secret"] as? String == String(token.prefix(4)) + "…(52)")
        #expect(secret["committed"] as? Bool == true)
        #expect(secret["pushed"] as? Bool == true)
        #expect(secret["remote_branches"] as? [String] == ["origin/main", "origin/release"])
        #expect((secret["locations"] as? [[String: Any]])?.compactMap { $0["path"] as? String }.sorted() == ["app.env", "second.env"])
        let introduced = try #require(secret["introduced"] as? [String: Any])
        #expect(introduced["commit"] as? String == leak)
        #expect(introduced["author"] as? String == "Test <test@example.com>")
        let steps = try #require(secret["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["kind"] as? String } == ["revoke", "rotate", "update-consumers", "audit", "replace-literal", "purge-history", "baseline"])
        #expect((steps.first?["commands"] as? [String]) == ["patrol revoke \(report) --yes"])
        let purge = try #require(plan["history_purge"] as? [String: Any])
        let file = try #require(purge["replacements_file"] as? String)
        #expect(file.hasPrefix(state.path + "/patrol/replacements-repo-"), "the default is the state folder: \(file)")
        #expect(purge["commits"] as? [String] == [leak])
        #expect((purge["commands"] as? [String])?.contains("git filter-repo --replace-text \(file)") == true)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "\(token)==>***REMOVED***\n")
        #expect(try mode(of: file) == 0o600)
    }

    @Test func committedButUnpushedLeakGetsALocalRewriteInsteadOfAPurge() throws {
        let repo = try PushedRepository()
        try repo.commit("start", ["README.md": "hello\n"])
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        try repo.git("fetch", "-q", "origin")
        let token = Tokens.cask(seed: 203)
        let leak = try repo.commit("local only", ["app.env": "PAT=\(token)\n"])
        let report = try repo.report(["history"])
        let state = try TemporaryFolder()
        let result = try remediate([report, "--format", "json"], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try #require((try result.json()["secrets"] as? [[String: Any]])?.first)
        #expect(secret["committed"] as? Bool == true)
        #expect(secret["pushed"] as? Bool == false)
        let steps = try #require(secret["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["kind"] as? String }.suffix(2) == ["rewrite-local-history", "baseline"])
        let rewrite = try #require(steps.first { $0["kind"] as? String == "rewrite-local-history" })
        #expect((rewrite["text"] as? String)?.contains("git rebase -i \(leak.prefix(12))~1") == true, "\(rewrite)")
        #expect(!steps.contains { $0["kind"] as? String == "purge-history" })
        #expect(try result.json()["history_purge"] is NSNull)

        let markdown = try remediate([report], state: state)
        #expect(!markdown.stdout.contains("## History purge"))
        #expect(markdown.stdout.contains("**Pushed:** no remote-tracking branch holds it"))
    }

    @Test func scanReportAsksGitWhichCommitIntroducedItAndWhetherItWasPushed() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 204)
        try repo.commit("start", ["README.md": "hello\n"])
        let leak = try repo.commit("leak", ["src/config.yml": "a: 1\nb: 2\nadoPat: \(token)\n"])
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        try repo.git("fetch", "-q", "origin")
        try repo.commit("unrelated", ["other.txt": "x\n"])
        // Lines added above the secret after the scan: recovery rescans the file.
        let report = try repo.report(["scan", "."])
        try repo.folder.write(repo.repo + "/src/config.yml", "# moved\n# down\na: 1\nb: 2\nadoPat: \(token)\n")
        let state = try TemporaryFolder()
        let result = try remediate([report, "--format", "json"], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try #require((try result.json()["secrets"] as? [[String: Any]])?.first)
        #expect((secret["introduced"] as? [String: Any])?["commit"] as? String == leak)
        #expect(secret["committed"] as? Bool == true)
        #expect(secret["pushed"] as? Bool == true)
        #expect(secret["remote_branches"] as? [String] == ["origin/main"])
        #expect((secret["in_work_tree"] as? [[String: Any]])?.first?["line"] as? Int == 5)
        let file = try #require((try result.json()["history_purge"] as? [String: Any])?["replacements_file"] as? String)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "\(token)==>***REMOVED***\n")
    }

    @Test func base64EncodedSecretIsReplacedInBothForms() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 209)
        let encoded = Data(":\(token)".utf8).base64EncodedString()
        try repo.commit("basic auth", ["call.sh": "curl -H \"Authorization: Basic \(encoded)\" https://dev.azure.com/contoso/_apis/projects\n"])
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        let report = try repo.report(["history"])
        let state = try TemporaryFolder()
        let replaceFile = state.url.appendingPathComponent("r.txt").path
        let result = try remediate([report, "--replace-file", replaceFile], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(token) && !result.stdout.contains(encoded))
        // The clear token (the fingerprint's secret) and the encoded text the commits hold.
        #expect(try String(contentsOfFile: replaceFile, encoding: .utf8) == "\(token)==>***REMOVED***\n\(encoded)==>***REMOVED***\n")
        #expect(result.stdout.contains("It is still at `call.sh:1`"), "\(result.stdout)")
    }

    @Test func scanOfAFileNamedFromOutsideItsRepositoryFindsItsCommit() throws {
        let repo = try PushedRepository()
        let token = Tokens.legacy(seed: 210)
        let leak = try repo.commit("leak", ["deep/dir/app.env": "PAT=\(token)\n"])
        // Scanned from the folder above the repository, which is not a repository itself.
        let scan = try patrol(["scan", "repo/deep/dir/app.env", "--format", "json"], in: repo.folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let state = try TemporaryFolder()
        let result = try remediate(["-", "--format", "json", "--no-replace-file"], stdin: Data(scan.stdout.utf8), state: state)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try #require((try result.json()["secrets"] as? [[String: Any]])?.first)
        #expect(secret["committed"] as? Bool == true)
        #expect(secret["pushed"] as? Bool == false)
        #expect((secret["introduced"] as? [String: Any])?["commit"] as? String == leak)
    }

    @Test func uncommittedSecretNeedsNoPurgeAndNoReplacementsFile() throws {
        let repo = try PushedRepository()
        try repo.commit("start", ["README.md": "hello\n"])
        let token = Tokens.cask(seed: 205)
        try repo.folder.write(repo.repo + "/local.env", "PAT=\(token)\n")
        let report = try repo.report(["scan", "."])
        let state = try TemporaryFolder()
        let replaceFile = state.url.appendingPathComponent("replace.txt").path
        let result = try remediate([report, "--replace-file", replaceFile], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("**Committed:** no"))
        #expect(result.stdout.contains("**Keep it out of history**"))
        #expect(!result.stdout.contains("## History purge"))
        #expect(!FileManager.default.fileExists(atPath: replaceFile), "no history to purge, so no file of secrets")
    }

    @Test func redactedSecretThatCannotBeRecoveredExits2NamingTheFinding() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 206)
        try repo.commit("leak", ["app.env": "PAT=\(token)\n"])
        let report = try repo.report(["history"])
        let fingerprint = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]).flatMap { ($0["findings"] as? [[String: Any]])?.first?["fingerprint"] as? String })
        try FileManager.default.removeItem(at: repo.url)
        let state = try TemporaryFolder()
        let result = try remediate([report], state: state)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("azure-devops-pat at app.env:1 (fingerprint \(fingerprint))"), "\(result.stderr)")
        #expect(result.stderr.contains("--show-secrets"), "\(result.stderr)")

        // A plan without a replacements file needs no secret.
        let withoutFile = try remediate([report, "--no-replace-file"], state: state)
        #expect(withoutFile.status == 0, "\(withoutFile.stderr)")
        #expect(withoutFile.stdout.contains("No replacements file was written"))
    }

    @Test func reportWithShownSecretsNeedsNoRecoveryAndComesOnStandardInput() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 207)
        try repo.commit("leak", ["app.env": "PAT=\(token)\n"])
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        let report = try patrol(["history", "--format", "json", "--show-secrets"], in: repo.url)
        #expect(report.status == 1)
        let state = try TemporaryFolder()
        let replaceFile = state.url.appendingPathComponent("r.txt").path
        let result = try remediate(["-", "--replace-file", replaceFile], stdin: Data(report.stdout.utf8), state: state)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(token), "a report with shown secrets still gives a plan without them")
        #expect(result.stdout.contains("Report: standard input"))
        #expect(result.stdout.contains("patrol revoke report.json --yes"))
        #expect(try String(contentsOfFile: replaceFile, encoding: .utf8) == "\(token)==>***REMOVED***\n")
    }

    /// Providers whose tokens revoke themselves through patrol's call table (npm, Vault,
    /// Doppler, Buildkite, Databricks, HCP Terraform) get `patrol revoke` in the plan; a
    /// provider without such a call (PyPI) gets only its manual steps.
    @Test(arguments: [("npm-access-token", true), ("vault-service-token", true), ("pypi-upload-token", false)])
    func thePlanOffersRevokeExactlyForSelfRevokingTokens(rule: String, offered: Bool) throws {
        let folder = try TemporaryFolder()
        let token = Tokens.example(rule: rule, seed: 211)
        _ = try folder.write("deploy.env", "TOKEN=\(token)\n")
        let scan = try patrol(["scan", "deploy.env", "--no-config", "--format", "json", "--output", "report.json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let state = try TemporaryFolder()
        let result = try remediate(["report.json", "--no-replace-file"], in: folder.url, state: state)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("patrol revoke report.json --yes") == offered, "\(rule): \(result.stdout)")
    }

    @Test func replacementsFileInsideTheWorkTreeWarnsUnlessIgnored() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 208)
        try repo.commit("leak", ["app.env": "PAT=\(token)\n", ".gitignore": "ignored/\n"])
        let report = try repo.report(["history"])
        let state = try TemporaryFolder()
        let inside = repo.url.appendingPathComponent("replace.txt").path
        let warned = try remediate([report, "--replace-file", inside], state: state)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("patrol: warning: \(inside) is inside a git work tree and git does not ignore it"), "\(warned.stderr)")
        #expect(warned.stdout.contains("git does not ignore it"), "the plan lists the warning too")

        let ignored = repo.url.appendingPathComponent("ignored/replace.txt").path
        let quiet = try remediate([report, "--replace-file", ignored], state: state)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("warning"), "\(quiet.stderr)")
        #expect(try mode(of: ignored) == 0o600)
    }

    @Test func emptyReportIsAPlanWithNothingToDo() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.txt", "nothing\n")
        let report = try patrol(["scan", folder.path, "--format", "json"])
        #expect(report.status == 0)
        let state = try TemporaryFolder()
        let result = try remediate(["-"], stdin: Data(report.stdout.utf8), state: state)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("No findings: nothing to remediate."))
    }

    @Test func unreadableReportsExit2() throws {
        let state = try TemporaryFolder()
        let missing = try remediate([state.url.appendingPathComponent("nope.json").path], state: state)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read the report"), "\(missing.stderr)")
        let garbage = try remediate(["-"], stdin: Data("not json".utf8), state: state)
        #expect(garbage.status == 2)
        #expect(garbage.stderr.contains("<stdin>: not a patrol JSON report or JSON Lines (invalid JSON)"), "\(garbage.stderr)")
        let wrong = try remediate(["-"], stdin: Data(#"{"version": 1, "findings": []}"#.utf8), state: state)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("no \"target\""), "\(wrong.stderr)")
        let both = try remediate(["-", "--no-replace-file", "--replace-file", "x"], state: state)
        #expect(both.status == 2)
    }
}
