import PatrolKit

/// One distinct secret of a report, with what the clients need to call its provider.
public struct LeakedToken: Sendable {
    public var secret: String
    public var fingerprint: String
    public var rule: String
    /// The provider id of the rule file (`azure-devops`, `github`, …).
    public var provider: String
    public var providerName: String
    /// The verifier and revoker names of the rule file; nil: the provider has none.
    public var verifier: String?
    public var revoker: String?
    /// Hints from the text near it, such as `org` for Azure DevOps.
    public var context: [String: String]
    /// Where the report places it (`path:line`), for messages.
    public var place: String
    /// The provider's own revoke step (Markdown), for tokens patrol cannot revoke.
    public var manualSteps: String?

    public init(secret: String, fingerprint: String, rule: String, provider: String, providerName: String, verifier: String?, revoker: String?, context: [String: String], place: String, manualSteps: String?) {
        self.secret = secret
        self.fingerprint = fingerprint
        self.rule = rule
        self.provider = provider
        self.providerName = providerName
        self.verifier = verifier
        self.revoker = revoker
        self.context = context
        self.place = place
        self.manualSteps = manualSteps
    }

    /// How messages name it: `ghp_…(40)`.
    public var redacted: String { Redaction.redact(secret) }
}
