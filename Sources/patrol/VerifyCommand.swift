import ArgumentParser
import Foundation
import PatrolKit
import PatrolRevoke

/// `patrol verify [REPORT]`: asks each finding's provider whether its secret still works, and
/// writes the report again with `verified` set.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Ask the providers whether a JSON report's secrets still work; write the report with 'verified' set.",
        discussion: """
            Opt-in: the only commands that send secrets anywhere are verify and revoke. Azure DevOps \
            (connectionData), GitHub (GET /user), GitLab (personal_access_tokens/self), Slack \
            (auth.test) and AWS key pairs (STS GetCallerIdentity, SigV4-signed) are asked; other providers' findings keep 'verified': null. Providers are \
            asked in parallel, each one token at a time; 429 and 5xx answers are retried (at most \
            3 times, honouring Retry-After).

            Access map: for each live token, read-only calls with the token itself say what it \
            reaches (at most 3 pages of each list), written as 'access' on the finding: Azure \
            DevOps owner, organisation, projects and repositories; GitHub scopes, orgs and \
            repositories it can push to; GitLab scopes, expiry and projects it can push to; Slack \
            team, user and scopes; AWS account and ARN. --no-access-map skips the extra calls.

            Redacted reports work when the reported files (or commits) can still be read: their \
            secrets are found again by fingerprint. Base URLs: PATROL_AZURE_DEVOPS_URL, \
            PATROL_GITHUB_API_URL, PATROL_GITLAB_URL, PATROL_SLACK_API_URL, PATROL_AWS_STS_URL, \
            PATROL_AZURE_STORAGE_URL, PATROL_AZURE_SERVICEBUS_URL. Each check is appended \
            to the audit log (never the secret).

            Exit codes:
              0  no finding is live
              1  at least one finding is live (--exit-code N changes it)
              2  nothing could be checked; usage error; unreadable report; a redacted secret that \
            cannot be found again
            """
    )

    @Argument(help: ArgumentHelp("A JSON report (--format json), JSON Lines (--format jsonl) or patrol sweep output; '-' reads standard input.", valueName: "report"))
    var report: String = "-"

    @OptionGroup var output: ReportOptions

    @OptionGroup var calls: ProviderCallOptions

    @Flag(name: .customLong("no-access-map"), help: "Only check liveness: do not list what live tokens reach (no call beyond the verifying one).")
    var noAccessMap = false

    func run() throws {
        let input = try TokenReport.load(report, command: "verify", ruleDirectories: calls.ruleDirectories, for: .verify, minimumConfidence: output.minConfidence, keepFindings: true)
        defer { input.close() }
        let tokens = input.tokens
        let verifier = Verifier(access: try calls.access(settings: RevokeSettings(azureDevOpsOrganization: calls.org)))
        let mapAccess = !noAccessMap
        // A token with no verifier is never sent: it is not handed to the verifier (which would
        // keep a result for each), and its answer is made when asked for. A report of 200,000
        // such secrets then holds no 200,000 results.
        let checkable = tokens.filter { $0.verifier != nil }
        let answers = AsyncBridge.run { await verifier.verify(checkable, mapAccess: mapAccess) }
        func answer(for token: LeakedToken) -> Verification? {
            if let answer = answers[token.fingerprint] { return answer }
            guard token.verifier == nil else { return nil }
            return Verification(outcome: .notSupported, message: "patrol cannot check \(token.providerName) tokens through an API")
        }

        // The report again, each finding with its result: read a second time from the file and
        // written as it is read (JSON, JSON Lines), so that its findings are never all held.
        func verified(_ entry: LeakReport.Entry) -> Finding {
            var finding = ReportSecrets.finding(entry, secret: input.secrets[entry.finding.fingerprint])
            // A JSON report does not carry rule names; the text and SARIF reports show them.
            if let rule = input.ruleSet.rule(id: finding.rule) { finding.ruleName = rule.name }
            if let verified = answers[finding.fingerprint]?.verified { finding.verified = verified }
            finding.access = answers[finding.fingerprint]?.access
            return finding
        }
        var verifiedReport = ScanReport(target: input.report.target, skipped: input.report.skipped, errors: input.report.errors, stats: input.report.stats)
        switch output.format {
        case .json, .jsonl:
            let stream = try StreamedOutput(path: output.output, holdsSecrets: output.showSecrets)
            var failure: (any Error)?
            if output.format == .json {
                var writer = JSONReport.Writer(verifiedReport, toolVersion: Patrol.version, showSecrets: output.showSecrets)
                do {
                    try input.forEachFinding { entry in
                        writer.add(verified(entry))
                        stream.write(writer.takeOutput())
                    }
                } catch {
                    failure = error
                }
                stream.write(writer.finish())
            } else {
                do {
                    try input.forEachFinding { stream.write(JSONLinesReport.line(verified($0), showSecrets: output.showSecrets)) }
                } catch {
                    failure = error
                }
            }
            try stream.finish()
            if let failure { throw failure }
        default:
            try input.forEachFinding { verifiedReport.findings.append(verified($0)) }
            let text = ReportPrinter(options: output.settings, ruleSet: input.ruleSet).render(verifiedReport)
            try Terminal.write(text, to: output.output, holdsSecrets: output.showSecrets)
        }

        let now = Date()
        try calls.record(tokens.compactMap { token in
            answer(for: token).map {
                AuditLog.Entry(time: now, provider: token.provider, fingerprint: token.fingerprint, action: "verify", outcome: $0.outcome.rawValue, status: $0.status)
            }
        })

        func count(_ outcome: Verification.Outcome) -> Int { tokens.filter { answer(for: $0)?.outcome == outcome }.count }
        let live = count(.live), notLive = count(.notLive), failed = count(.failed), unsupported = count(.notSupported)
        if !output.quiet {
            for token in tokens {
                guard let result = answer(for: token) else { continue }
                if result.outcome == .notSupported && !output.verbose { continue }
                var line = "patrol: \(result.outcome.rawValue): \(token.rule) \(token.redacted) at \(token.place)"
                if let owner = result.owner { line += " (\(owner))" }
                if let status = result.status, result.outcome == .failed { line += ", HTTP \(status)" }
                if let message = result.message, result.outcome != .live { line += ": \(message)" }
                Terminal.note(line)
                for fact in result.access?.lines() ?? [] { Terminal.note("patrol:   " + TerminalText.escaped(fact)) }
            }
            Terminal.note("patrol: \(tokens.count) distinct secret\(tokens.count == 1 ? "" : "s"): \(live) live, \(notLive) not live, "
                + "\(failed) could not be checked, \(unsupported) not supported" + (unsupported > 0 && !output.verbose ? " (--verbose lists them)" : ""))
            if output.verbose, let peak = Terminal.peakMemoryKiB() { Terminal.note("patrol: peak memory \(peak / 1024) MiB") }
        }
        if live > 0 { throw ExitCode(output.exitCode) }
        if live + notLive == 0 && !tokens.isEmpty { throw ExitCode(2) }
    }
}
