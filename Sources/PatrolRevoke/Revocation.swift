/// What happened to one token.
public struct Revocation: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// The provider revoked it (GitHub: accepted it for revocation).
        case revoked
        /// It did not work any more before patrol asked: nothing to revoke.
        case alreadyInvalid = "already-invalid"
        /// patrol cannot revoke this kind of token: `manualSteps` says how.
        case notSupported = "not-supported"
        /// Several of the owner's tokens fit: `candidates` lists them; `--authorization-id` picks one.
        case needsChoice = "needs-choice"
        /// The provider refused, or its answer was not understood: see `status` and `message`.
        case failed
        /// A dry run: `calls` would have been sent.
        case dryRun = "dry-run"
        /// At the terminal, the user answered no.
        case declined
    }

    public var token: LeakedToken
    public var outcome: Outcome
    public var status: Int?
    /// The provider's message, or patrol's reason; never the token.
    public var message: String?
    /// The revoking calls: sent, or in a dry run those that would be.
    public var calls: [PlannedCall]
    /// Azure DevOps: the owner's tokens that fit, when they must be chosen from (or the one chosen).
    public var candidates: [PersonalAccessToken]
    public var owner: String?

    public init(token: LeakedToken, outcome: Outcome, status: Int? = nil, message: String? = nil, calls: [PlannedCall] = [], candidates: [PersonalAccessToken] = [], owner: String? = nil) {
        self.token = token
        self.outcome = outcome
        self.status = status
        self.message = message
        self.calls = calls
        self.candidates = candidates
        self.owner = owner
    }

    /// The same outcome with nothing of a secret in what a person reads.
    func redacted(by redactor: Redactor) -> Revocation {
        var copy = self
        copy.owner = owner.map { redactor.clean($0) }
        copy.message = message.map { redactor.clean($0) }
        copy.candidates = candidates.map { $0.redacted(by: redactor) }
        return copy
    }

    /// Counts as done for the exit code: revoked, or nothing left to revoke.
    public var isSettled: Bool { outcome == .revoked || outcome == .alreadyInvalid }
}

/// An Azure DevOps personal access token as the lists describe it (never its value).
public struct PersonalAccessToken: Sendable, Equatable {
    public var authorizationId: String
    public var displayName: String
    public var scope: String
    public var validFrom: String
    public var validTo: String
    /// The administrator's list marks revoked tokens `isValid: false`.
    var isValidFlag: Bool?

    func redacted(by redactor: Redactor) -> PersonalAccessToken {
        var copy = self
        copy.displayName = redactor.clean(displayName)
        copy.scope = redactor.clean(scope)
        return copy
    }

    /// `deploy (vso.code vso.packaging), valid 2026-03-02 to 2026-06-01, authorization id …`.
    public var summary: String {
        "'\(displayName)' (\(scope.isEmpty ? "no scopes listed" : scope)), valid \(validFrom.prefix(10)) to \(validTo.prefix(10)), authorization id \(authorizationId)"
    }
}
