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
        var collector = Collector(ruleSet: ruleSet, for: purpose)
        for entry in report.entries { collector.add(entry) }
        self = try collector.tokens(target: report.target)
    }

    private init(secrets: [String: String], tokens: [LeakedToken]) {
        self.secrets = secrets
        self.tokens = tokens
    }

    /// A report's findings folded into one token per distinct secret (by fingerprint) as they
    /// stream in: no finding is kept, only its token (with the first finding's context and
    /// place) and what recovering a redacted secret needs.
    public struct Collector: Sendable {
        let ruleSet: RuleSet
        let purpose: Purpose
        private var pending: [LeakedToken] = []
        private var seen = Set<String>()
        private var secrets = ReportSecrets.Collector()
        /// Each provider's revoke step for a token with no context: such tokens of one
        /// provider (often most of a big report) share one string.
        private var manualSteps: [String: String?] = [:]

        public init(ruleSet: RuleSet, for purpose: Purpose) {
            self.ruleSet = ruleSet
            self.purpose = purpose
        }

        public mutating func add(_ entry: LeakReport.Entry) {
            secrets.add(entry)
            let finding = entry.finding
            guard seen.insert(finding.fingerprint).inserted else { return }
            let provider = ruleSet.provider(id: finding.provider)
            let steps: String?
            if finding.context.isEmpty, let known = manualSteps[finding.provider] {
                steps = known
            } else {
                steps = provider.flatMap { ReportTokens.manualRevokeStep($0, context: finding.context) }
                if finding.context.isEmpty { manualSteps[finding.provider] = steps }
            }
            pending.append(LeakedToken(
                secret: finding.secret,   // the redacted form until recovered
                fingerprint: finding.fingerprint,
                rule: finding.rule,
                provider: finding.provider,
                providerName: provider?.name ?? finding.provider,
                verifier: ReportTokens.verifier(provider, id: finding.provider, rule: finding.rule),
                revoker: ReportTokens.revoker(provider, id: finding.provider, rule: finding.rule),
                context: finding.context,
                place: "\(finding.path):\(finding.line)",
                manualSteps: steps
            ))
        }

        /// The tokens, with their real secrets where they were redacted. Throws when a secret
        /// that must be sent cannot be recovered.
        public consuming func tokens(target: ScanTarget) throws(RevokeError) -> ReportTokens {
            let (found, failures) = secrets.recover(target: target, ruleSet: ruleSet)
            secrets = ReportSecrets.Collector()
            var tokens: [LeakedToken] = []
            tokens.reserveCapacity(pending.count)
            var missing: [String] = []
            for var token in pending {
                let provider = ruleSet.provider(id: token.provider)
                if let secret = found[token.fingerprint] {
                    token.secret = secret
                } else if ReportTokens.willBeSent(rule: token.rule, provider: provider, id: token.provider, for: purpose) {
                    missing.append("\(token.place): " + (failures[token.fingerprint] ?? "not found"))
                    continue
                }
                tokens.append(token)
            }
            pending = []
            if !missing.isEmpty { throw .unrecoverableSecrets(missing) }
            return ReportTokens(secrets: found, tokens: tokens)
        }
    }

    /// The rule file's verifier, else the identity-call table's (named by the provider id).
    static func verifier(_ provider: Provider?, id: String, rule: String) -> String? {
        provider?.verify ?? (IdentityCalls.covers(provider: id, rule: rule) ? id : nil)
    }

    /// The rule file's revoker, else the self-revocation table's (named by the provider id).
    static func revoker(_ provider: Provider?, id: String, rule: String) -> String? {
        provider?.revoke ?? (SelfRevocations.covers(provider: id, rule: rule) && IdentityCalls.covers(provider: id, rule: rule) ? id : nil)
    }

    static func willBeSent(rule: String, provider: Provider?, id: String, for purpose: Purpose) -> Bool {
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
    static func manualRevokeStep(_ provider: Provider, context: [String: String]) -> String? {
        let remediation = ProviderRemediation(markdown: provider.remediation)
        guard let step = remediation.steps.first(where: { $0.kind == .revoke }) else { return nil }
        var values = context
        values["org"] = values["org"] ?? "YOUR-ORG"
        return ProviderRemediation.fill(step.text, values)
    }
}
