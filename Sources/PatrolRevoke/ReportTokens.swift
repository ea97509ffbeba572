import PatrolKit

/// A report's distinct secrets (by fingerprint) as tokens to check or revoke, with their real
/// values: a redacted report's secrets are found again where it places them. Only tokens that
/// will be sent need their value; the others keep the redacted form.
public struct ReportTokens: Sendable {
    public enum Purpose: Sendable {
        case verify
        case revoke
    }

    /// Real secrets by fingerprint, where known.
    public let secrets: [String: String]
    public let tokens: [LeakedToken]

    /// Throws when a secret that must be sent cannot be recovered.
    public init(report: LeakReport, ruleSet: RuleSet, for purpose: Purpose) throws(RevokeError) {
        let (secrets, failures) = ReportSecrets.recover(report, ruleSet: ruleSet)
        var tokens: [LeakedToken] = []
        var seen = Set<String>()
        var missing: [String] = []
        for entry in report.entries where seen.insert(entry.finding.fingerprint).inserted {
            let finding = entry.finding
            let provider = ruleSet.provider(id: finding.provider)
            let secret = secrets[finding.fingerprint]
            if secret == nil && Self.willBeSent(rule: finding.rule, provider: provider, for: purpose) {
                missing.append("\(finding.path):\(finding.line): " + (failures[finding.fingerprint] ?? "not found"))
                continue
            }
            tokens.append(LeakedToken(
                secret: secret ?? finding.secret,
                fingerprint: finding.fingerprint,
                rule: finding.rule,
                provider: finding.provider,
                providerName: provider?.name ?? finding.provider,
                verifier: provider?.verify,
                revoker: provider?.revoke,
                context: finding.context,
                place: "\(finding.path):\(finding.line)",
                manualSteps: provider.flatMap { Self.manualRevokeStep($0, context: finding.context) }
            ))
        }
        if !missing.isEmpty { throw .unrecoverableSecrets(missing) }
        self.secrets = secrets
        self.tokens = tokens
    }

    private static func willBeSent(rule: String, provider: Provider?, for purpose: Purpose) -> Bool {
        switch purpose {
        case .verify: provider?.verify.map { ProviderAPICoverage.canVerify(rule: rule, with: $0) } ?? false
        case .revoke: provider?.revoke.map { ProviderAPICoverage.canRevoke(rule: rule, with: $0) } ?? false
        }
    }

    /// The provider's own revoke step, with `{org}` and the like filled from the finding.
    private static func manualRevokeStep(_ provider: Provider, context: [String: String]) -> String? {
        let remediation = ProviderRemediation(markdown: provider.remediation)
        guard let step = remediation.steps.first(where: { $0.kind == .revoke }) else { return nil }
        var values = context
        values["org"] = values["org"] ?? "YOUR-ORG"
        return ProviderRemediation.fill(step.text, values)
    }
}
