/// The plan as Markdown: one section per distinct secret (What, Where, Steps), then the history
/// purge. It shows secrets only redacted, never in full.
public enum RemediationMarkdown {
    public static func render(_ plan: RemediationPlan) -> String {
        var out = ""
        render(plan) { out += $0 }
        return out
    }

    /// The plan a section at a time: `write` gets the header, then each secret's section (its
    /// steps written just then, so a plan of 200,000 secrets is never held whole), then the purge.
    public static func render(_ plan: RemediationPlan, to write: (String) -> Void) {
        let source = plan.reportFile.map { "`\($0)`" } ?? "standard input"
        var out = "# Remediation plan\n\n"
        out += "Report: \(source) — \(describe(plan.target)). Made \(plan.generatedAt).\n\n"
        if plan.secrets.isEmpty {
            write(out + "No findings: nothing to remediate.\n" + warnings(plan))
            return
        }
        let count = plan.secrets.count
        write(out + "\(count) distinct secret\(count == 1 ? "" : "s"). Treat each as compromised and **revoke it first**: rewriting history never replaces revocation.\n")
        for (index, secret) in plan.secrets.enumerated() {
            write("\n## \(index + 1). \(secret.ruleName) `\(secret.redactedSecret)`\n\n" + access(secret) + what(secret) + "\n" + whereSection(secret) + "\n" + steps(secret))
        }
        if let purge = plan.historyPurge { write("\n" + historyPurge(purge)) }
        write(warnings(plan))
    }

    private static func describe(_ target: ScanTarget) -> String {
        let command: String
        switch target.kind {
        case "git": command = "`patrol history`"
        case "diff": command = "`patrol diff`"
        case "sweep": command = "`patrol sweep`"
        case "stdin": command = "`patrol scan -` (standard input)"
        default: command = "`patrol scan`"
        }
        let revs = target.revs.map { $0.isEmpty ? "" : " " + $0.map { "`\($0)`" }.joined(separator: " ") } ?? ""
        if target.root.isEmpty { return "\(command) of several repositories" }
        return "\(command)\(revs) of `\(target.root)`"
    }

    /// First in a secret's section, before any step: what the live token reaches, as
    /// `patrol verify` mapped it — the size of what must be rotated and audited.
    private static func access(_ secret: SecretRemediation) -> String {
        guard let access = secret.access else { return "" }
        var out = "### Access\n\n"
        // What it can push to first: that is what rotating and auditing must cover.
        let order: [AccessList.Relation] = [.push, .list, .member]
        let lists = access.lists.enumerated().sorted { (order.firstIndex(of: $0.element.relation)!, $0.offset) < (order.firstIndex(of: $1.element.relation)!, $1.offset) }
            .map { TerminalText.escaped($0.element.sentence(account: access.arn == nil ? access.account : nil, names: 10)) }
        if !lists.isEmpty { out += "This token " + lists.joined(separator: "; it ") + ".\n\n" }
        var facts = access
        facts.lists = []
        let lines = facts.lines().map { TerminalText.escaped($0) }
        for fact in lines { out += "- \(fact)\n" }
        if !lines.isEmpty { out += "\n" }
        out += "(From `patrol verify`: read-only calls with the token, the first pages of each list.)\n\n"
        return out
    }

    private static func what(_ secret: SecretRemediation) -> String {
        var out = "### What\n\n"
        out += "- **Kind:** \(secret.providerName) — \(secret.ruleName) (`\(secret.rule)`), \(secret.confidence.rawValue) confidence\n"
        let proof: String
        switch secret.validated {
        case true?: proof = "valid — its checksum or structure proves it is a real token, not a look-alike"
        case false?: proof = "not proven — the rule's layout is unverified"
        case nil: proof = "none — the rule has no checksum; its shape matched"
        }
        out += "- **Checksum:** \(proof)\n"
        let live: String
        switch secret.verified {
        case true?: live = "**yes** — `patrol verify` found it working"
        case false?: live = "no — `patrol verify` found it no longer works"
        case nil: live = "not checked (`patrol verify` on the report asks the provider)"
        }
        out += "- **Live:** \(live)\n"
        if !secret.reach.isEmpty {
            out += "- **Reaches:** " + secret.reach.keys.sorted().map { key in reach(key, secret.reach[key]!) }.joined(separator: ", ") + "\n"
        } else {
            out += "- **Reaches:** unknown (no organisation or host found near it)\n"
        }
        out += "- **Fingerprint:** `\(secret.fingerprint)`\n"
        if !secret.summary.isEmpty { out += "\n" + secret.summary + "\n" }
        return out
    }

    private static func reach(_ key: String, _ value: String) -> String {
        switch key {
        case "org": return "organisation `\(value)`"
        case "access_key_id": return "access key id `\(value)`"
        default: return "\(key) `\(value)`"
        }
    }

    private static func whereSection(_ secret: SecretRemediation) -> String {
        var out = "### Where\n\n"
        let committed = secret.locations.contains { $0.commit != nil }
        if committed {
            out += "| file | line | commit | date | pushed to |\n|---|---|---|---|---|\n"
            for location in secret.locations {
                let pushed: String
                switch location.remoteBranches {
                case nil: pushed = location.commit == nil ? "—" : "unknown"
                case let branches? where branches.isEmpty: pushed = "no"
                case let branches?: pushed = branches.prefix(3).map { "`\($0)`" }.joined(separator: ", ") + (branches.count > 3 ? ", …" : "")
                }
                let commit = location.commit.map { "`\($0.prefix(12))`" } ?? "(working tree)"
                out += "| \(MarkdownReport.code(location.path)) | \(location.line) | \(commit) | \(location.authorDate ?? "") | \(pushed) |\n"
            }
        } else {
            out += "| file | line |\n|---|---|\n"
            for location in secret.locations {
                out += "| \(MarkdownReport.code(location.path)) | \(location.line) |\n"
            }
        }
        out += "\n"
        if let introduced = secret.introduced {
            let by = introduced.author.isEmpty ? "" : " by \(introduced.author)"
            let on = introduced.authorDate.isEmpty ? "" : " on \(introduced.authorDate)"
            out += "- **Introduced** in commit `\(introduced.oid)`\(by)\(on).\n"
        }
        switch (secret.committed, secret.pushed) {
        case (false?, _):
            out += "- **Committed:** no — no commit holds it; nothing was pushed.\n"
        case (nil, _):
            out += "- **Committed:** unknown.\n"
        case (true?, true?):
            out += "- **Pushed:** yes — on " + secret.remoteBranches.map { "`\($0)`" }.joined(separator: ", ") + " (the remote-tracking branches as of the last `git fetch`).\n"
        case (true?, false?):
            out += "- **Pushed:** no remote-tracking branch holds it (as of the last `git fetch`: fetch and run again to be sure).\n"
        case (true?, nil):
            out += "- **Pushed:** unknown — git could not say which remote branches hold its commits.\n"
        }
        if let current = secret.inWorkTree {
            out += current.isEmpty
                ? "- **Current files:** no longer hold it.\n"
                : "- **Current files:** still hold it at " + current.map { "`\($0.path):\($0.line)`" }.joined(separator: ", ") + ".\n"
        }
        return out
    }

    private static func steps(_ secret: SecretRemediation) -> String {
        var out = "### Steps\n\n"
        for (index, step) in secret.steps.enumerated() {
            var text = step.text
            let bold = "**\(step.title)**"
            if !text.hasPrefix(bold) { text = bold + ": " + text }
            out += "\(index + 1). \(text)\n"
            if !step.commands.isEmpty {
                out += "\n   ```sh\n" + step.commands.map { "   \($0)\n" }.joined() + "   ```\n\n"
            }
        }
        return out
    }

    private static func historyPurge(_ purge: HistoryPurge) -> String {
        var out = "## History purge\n\n"
        if let file = purge.replacementsFile {
            out += "> **Warning:** `\(file)` holds \(purge.secretCount == 1 ? "the secret" : "\(purge.secretCount) secrets") in clear text"
                + " (mode 0600), one `SECRET==>\(ReplacementsFile.replacement)` line each. Keep it out of every repository,"
                + " never share it, and delete it when the purge is done (`rm \(Shell.quote(file))`).\n\n"
        } else {
            out += "No replacements file was written (`--no-replace-file`): write one line `SECRET==>\(ReplacementsFile.replacement)` per secret to a private file (mode 0600, outside the repository) and use it below.\n\n"
        }
        out += "After revoking, replace the secrets in every commit of every branch and tag, then force-push:\n\n"
        out += "```sh\n" + purge.commands.joined(separator: "\n") + "\n```\n\n"
        for note in purge.notes { out += "- \(note)\n" }
        return out
    }

    private static func warnings(_ plan: RemediationPlan) -> String {
        guard !plan.warnings.isEmpty else { return "" }
        return "\n## Warnings\n\n" + plan.warnings.map { "- \($0)\n" }.joined()
    }
}
