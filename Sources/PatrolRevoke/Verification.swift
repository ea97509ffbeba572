import PatrolKit

/// What the provider said about one token.
public struct Verification: Sendable {
    public enum Outcome: String, Sendable {
        /// The provider accepted it.
        case live
        /// The provider refused it: revoked, expired, or never valid.
        case notLive = "not-live"
        /// patrol has no way to ask this provider about this kind of token.
        case notSupported = "not-supported"
        /// The answer was neither (a timeout, an error, an unexpected reply).
        case failed
    }

    public var outcome: Outcome
    /// The HTTP status of the deciding answer, if any.
    public var status: Int?
    /// Who the token belongs to, when the provider says (a login, a display name).
    public var owner: String?
    /// Why it failed or is not supported; redacted.
    public var message: String?
    /// What a live token reaches (its access map); nil: not live, or not mapped.
    public var access: TokenAccess?
    /// Azure DevOps: the owner's identity, for revoking as the owner or as an administrator.
    var identity: AzureDevOpsIdentity?
    /// Identity-call providers: the caller's id (`IdentityCall.subject`), for a self-revocation
    /// whose lookup is under the caller (HCP Terraform's `/users/{user}/…`).
    var subject: String?

    public init(outcome: Outcome, status: Int? = nil, owner: String? = nil, message: String? = nil) {
        self.outcome = outcome
        self.status = status
        self.owner = owner
        self.message = message
    }

    /// The finding's `verified` field: true live, false not live, nil not checked.
    public var verified: Bool? {
        switch outcome {
        case .live: true
        case .notLive: false
        case .notSupported, .failed: nil
        }
    }

    /// The same answer with nothing of a secret in what a person reads.
    func redacted(by redactor: Redactor) -> Verification {
        var copy = self
        copy.owner = owner.map { redactor.clean($0) }
        copy.message = message.map { redactor.clean($0) }
        copy.access = access?.mapped { redactor.clean($0) }
        return copy
    }

    static func failed(_ message: String, status: Int? = nil) -> Verification {
        Verification(outcome: .failed, status: status, message: message)
    }
}

/// An Azure DevOps user as `connectionData` names them.
struct AzureDevOpsIdentity: Sendable, Equatable {
    var id: String
    var displayName: String?
    var subjectDescriptor: String?
}
