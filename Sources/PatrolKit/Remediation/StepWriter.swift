import Foundation

/// Writes one secret's steps: the provider's numbered remediation, each step filled with the
/// situation — the `patrol revoke` command for providers with a revoker, the audit-log query
/// for the time since the leak, every file and line holding the literal, and a history step
/// that depends on whether the secret was pushed.
struct StepWriter {
    let provider: Provider?
    let secret: SecretRemediation
    let target: ScanTarget
    let reportFile: String?
    let replacementsFile: String?
    let now: Date

    /// Steps for providers whose rule file has no remediation text.
    static let genericRemediation = """
        A committed secret is compromised: revoke it first, then clean up.

        1. **Revoke** it in the provider's settings or API.
        2. **Rotate**: create a replacement with the fewest permissions and a short lifetime.
        3. **Update its consumers**: CI secrets, pipeline variables, application configuration.
        4. **Check** the provider's audit or activity log for use since the leak.
        5. **Replace the literal** in `{path}` with a reference: an environment variable or a secret store.
        6. **Purge history** if commit {commit} was pushed.
        """

    func steps() -> [RemediationStep] {
        var markdown = provider?.remediation ?? ""
        if ProviderRemediation(markdown: markdown).steps.isEmpty { markdown = Self.genericRemediation }
        let remediation = ProviderRemediation(markdown: ProviderRemediation.fill(markdown, placeholders))
        var steps: [RemediationStep] = []
        var purgeWritten = false
        for step in remediation.steps {
            switch step.kind {
            case .revoke where !steps.contains(where: { $0.kind == .revoke }):
                steps.append(revoke(step))
            case .audit:
                steps.append(audit(step))
            case .replaceLiteral:
                steps.append(replaceLiteral(step))
            case .purgeHistory, .rewriteLocalHistory:
                if let history = history() { steps.append(history) }
                purgeWritten = true
            default:
                steps.append(RemediationStep(kind: step.kind, title: step.title, text: step.text, commands: []))
            }
        }
        if !purgeWritten, let history = history() { steps.append(history) }
        if secret.committed != false {
            steps.append(RemediationStep(
                kind: .baseline,
                title: "Record it in the baseline",
                text: "Once it is revoked, if any history still holds it (commits you did not rewrite, other clones), `patrol baseline update --history` records it in `.patrol-baseline.json` so later scans stop reporting it. A baselined secret is still compromised: never baseline one that is not revoked.",
                commands: []
            ))
        }
        return steps
    }

    /// `{org}`, `{path}`, `{commit}` and every context name, filled from the situation; a
    /// value not found becomes `YOUR-ORG` and the like, so a URL still shows what to put there.
    var placeholders: [String: String] {
        var values: [String: String] = [:]
        for context in provider?.context ?? [] {
            values[context.name] = "YOUR-" + String(context.name.uppercased().map { $0 == "_" ? "-" : $0 })
        }
        values["org"] = values["org"] ?? "YOUR-ORG"
        for (key, value) in secret.reach { values[key] = value }
        values["path"] = secret.locations.first?.path ?? "the file"
        values["commit"] = secret.introduced.map { String($0.oid.prefix(12)) } ?? "(none)"
        return values
    }

    private func revoke(_ step: ProviderRemediation.Step) -> RemediationStep {
        var text = step.text
        var commands: [String] = []
        if secret.verified == false {
            text = "`patrol verify` found that it no longer works (revoked or expired); make sure it is revoked. " + text
        } else if secret.verified == true {
            text = "`patrol verify` found it **live**: revoke it now. " + text
        }
        let revocable = provider?.revoke.map { ProviderAPICoverage.canRevoke(rule: secret.rule, with: $0) }
            ?? ProviderAPICoverage.selfRevoking.contains(secret.rule)
        if revocable {
            let report = reportFile.map(Shell.quote) ?? "report.json"
            commands.append("patrol revoke \(report) --yes")
            text += " `patrol revoke` revokes it through the \(secret.providerName) API (without `--yes` it only shows what it would do;"
                + " it acts on every secret of the report, `--fingerprint \(secret.fingerprint)` on this one only)"
                + (reportFile == nil ? "; save the JSON report to a file first." : ".")
            if provider?.revoke == nil {
                text += " Where the \(secret.providerName) API cannot tell this token from its owner's others, nothing is revoked and patrol says so."
            }
            if provider?.id == "azure-devops" {
                text += " A leaked PAT cannot revoke itself: patrol finds it among its owner's tokens, which needs the owner's"
                    + " Microsoft Entra token in `AZURE_DEVOPS_ENTRA_TOKEN` (`az account get-access-token --resource"
                    + " 499b84ac-1321-427f-aa17-267ca6975798 --query accessToken -o tsv`), or `--admin` with an organisation administrator's."
            }
        }
        return RemediationStep(kind: .revoke, title: step.title, text: text, commands: commands)
    }

    private func audit(_ step: ProviderRemediation.Step) -> RemediationStep {
        var text = step.text
        var commands: [String] = []
        let start = leakStart
        if provider?.id == "azure-devops" {
            let org = secret.reach["org"] ?? "YOUR-ORG"
            let retention = now.addingTimeInterval(-90 * 86_400)
            let windowStart = max(start ?? retention, retention)
            let from = RemediationPlanner.timestamp(windowStart), to = RemediationPlanner.timestamp(now)
            commands.append("curl -sS -u \":$AUDIT_TOKEN\" \"https://auditservice.dev.azure.com/\(org)/_apis/audit/auditlog?startTime=\(from)&endTime=\(to)&api-version=7.1-preview.1\"")
            text += " For the time since the leak (\(from) to \(to)), query the audit log REST API with a token that has the"
                + " *Read audit log* scope (`vso.auditlog`) in `AUDIT_TOKEN` — never the leaked one — and follow `continuationToken` for more pages."
            if let start, start < retention {
                text += " The leak is older than the log's 90 days: what happened before \(from) is no longer recorded."
            }
        } else if let start {
            text += " Look from \(RemediationPlanner.timestamp(start)), when it was committed, until now."
        }
        return RemediationStep(kind: .audit, title: step.title, text: text, commands: commands)
    }

    /// When the leak began: the introducing commit's author date.
    private var leakStart: Date? {
        secret.introduced.flatMap { RemediationPlanner.date($0.authorDate) }
    }

    private func replaceLiteral(_ step: ProviderRemediation.Step) -> RemediationStep {
        var text = step.text
        if let current = secret.inWorkTree {
            if current.isEmpty {
                text += " The current files no longer hold it"
                    + (secret.committed == true ? "; only history does." : ".")
            } else {
                text += " It is still at " + current.map { "`\($0.path):\($0.line)`" }.joined(separator: ", ") + "."
            }
        } else {
            let places = uniquePlaces
            text += " The report places it at " + places.joined(separator: ", ") + "."
        }
        text += archiveNote
        return RemediationStep(kind: .replaceLiteral, title: step.title, text: text, commands: [])
    }

    /// For a secret inside archives: it cannot be edited where it lies, and `--replace-text`
    /// does not reach into compressed files, so each archive is rebuilt and purged whole.
    private var archiveNote: String {
        var archives: [String] = []
        var inner: [String: String] = [:]
        for location in secret.locations {
            guard let archive = ArchivePath.outermost(of: location.path), !archives.contains(archive) else { continue }
            archives.append(archive)
            inner[archive] = String(location.path.dropFirst(archive.count + 1))
        }
        guard !archives.isEmpty else { return "" }
        let named = archives.map { "`\($0)`" }.joined(separator: ", ")
        var text = " It is inside \(archives.count == 1 ? "the archive" : "the archives") \(named), where it cannot be edited in place:"
            + " the archive must be rebuilt — extract it, replace the literal in " + archives.map { "`\(inner[$0]!)`" }.joined(separator: ", ")
            + ", and create the archive again (or stop committing it and build it in the pipeline)."
        if secret.committed != false {
            text += " `git filter-repo --replace-text` cannot rewrite inside compressed files: if it was committed, purge the archive from history with "
                + archives.map { "`git filter-repo --invert-paths --path \(Shell.quote($0))`" }.joined(separator: ", ")
                + " and commit the rebuilt one."
        }
        return text
    }

    private var uniquePlaces: [String] {
        var seen = Set<String>()
        return secret.locations.compactMap { location in
            let place = "`\(location.path):\(location.line)`" + (location.commit.map { " (commit `\($0.prefix(12))`)" } ?? "")
            return seen.insert(place).inserted ? place : nil
        }
    }

    /// The last step, by exposure: purge after a push, rewrite local commits before one, or
    /// keep an uncommitted secret out of history.
    private func history() -> RemediationStep? {
        let file = replacementsFile.map { "`\($0)`" } ?? "a replacements file"
        switch (secret.committed, secret.pushed) {
        case (true?, true?):
            let branches = secret.remoteBranches.prefix(5).map { "`\($0)`" }.joined(separator: ", ") + (secret.remoteBranches.count > 5 ? ", …" : "")
            return RemediationStep(
                kind: .purgeHistory,
                title: "Purge history",
                text: "It was pushed: \(branches) hold\(secret.remoteBranches.count == 1 ? "s" : "") it. After revoking it — a rewrite never replaces revocation — replace it in every commit with `git filter-repo --replace-text` and \(file), force-push, have every collaborator re-clone, and ask the hosting service to drop its cached views: see **History purge** below.",
                commands: []
            )
        case (true?, false?):
            var text = "It is committed but no remote-tracking branch has it yet (as of the last `git fetch`): rewrite those commits before anything is pushed."
            if let introduced = secret.introduced {
                let short = String(introduced.oid.prefix(12))
                text += " If `\(short)` is the last commit, remove the secret and run `git commit --amend`; otherwise `git rebase -i \(short)~1`, mark `\(short)` as `edit`, remove it, `git commit --amend`, `git rebase --continue`."
            }
            text += " To rewrite every commit at once: `git filter-repo --force --replace-text` with \(file)."
            return RemediationStep(kind: .rewriteLocalHistory, title: "Rewrite the unpushed commits", text: text, commands: [])
        case (true?, nil), (nil, _):
            let why = secret.committed == nil ? "Whether a commit holds it is unknown" : "Whether it was pushed is unknown (git could not tell which remote branches hold its commits)"
            return RemediationStep(
                kind: .purgeHistory,
                title: "Purge history if it was pushed",
                text: "\(why): run `patrol history` in the repository for the full picture. If it was pushed, purge it as in **History purge** below.",
                commands: []
            )
        case (false?, _):
            if target.kind == "stdin" { return nil }
            return RemediationStep(
                kind: .other,
                title: "Keep it out of history",
                text: "No commit holds it yet: do not commit it. `patrol hook install` adds a pre-commit hook that stops such a commit.",
                commands: []
            )
        }
    }
}
