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
            if secret == nil && Self.willBeSent(rule: finding.rule, provider: provider, id: finding.provider, for: purpose) {
                missing.append("\(finding.path):\(finding.line): " + (failures[finding.fingerprint] ?? "not found"))
                continue
            }
            tokens.append(LeakedToken(
                secret: secret ?? finding.secret,
                fingerprint: finding.fingerprint,
                rule: finding.rule,
                provider: finding.provider,
                providerName: provider?.name ?? finding.provider,
                verifier: Self.verifier(provider, id: finding.provider, rule: finding.rule),
                revoker: Self.revoker(provider, id: finding.provider, rule: finding.rule),
                context: finding.context,
                place: "\(finding.path):\(finding.line)",
                manualSteps: provider.flatMap { Self.manualRevokeStep($0, context: finding.context) }
            ))
        }
        if !missing.isEmpty { throw .unrecoverableSecrets(missing) }
        self.secrets = secrets
        self.tokens = tokens
    }

    /// The rule file's verifier, else the identity-call table's (named by the provider id).
    static func verifier(_ provider: Provider?, id: String, rule: String) -> String? {
        provider?.verify ?? (IdentityCalls.covers(provider: id, rule: rule) ? id : nil)
    }

    /// The rule file's revoker, else the self-revocation table's (named by the provider id).
    static func revoker(_ provider: Provider?, id: String, rule: String) -> String? {
        provider?.revoke ?? (SelfRevocations.covers(provider: id, rule: rule) && IdentityCalls.covers(provider: id, rule: rule) ? id : nil)
    }

    private static func willBeSent(rule: String, provider: Provider?, id: String, for purpose: Purpose) -> Bool {
        switch purpose {
        case .verify:
            if let name = provider?.verify { return ProviderAPICoverage.canVerify(rule: rule, with: name) }
            return IdentityCalls.covers(provider: id, rule: rule)
        case .revoke:
            if let name = provider?.revoke { return ProviderAPICoverage.canRevoke(rule: rule, with: name) }
            return revoker(provider, id: id, rule: rule) != nil
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
