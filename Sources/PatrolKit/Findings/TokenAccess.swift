/// What a live token reaches, as `patrol verify` learnt it from the provider's read-only API
/// (the finding's `access`): who it is, where, with which scopes, and the first pages of what
/// it can list or push to. Lists are bounded by design — a few pages each — so `complete`
/// says whether a count is exact or a lower bound. What could not be listed is said, not
/// dropped: a map with a hole must not read as a small reach.
public struct TokenAccess: Sendable, Equatable {
    /// The user (login, display name) or principal the token acts as.
    public var user: String?
    /// Where it acts: the Azure DevOps organisation, the Slack team, the AWS account id.
    public var account: String?
    /// AWS: the caller's ARN.
    public var arn: String?
    /// The token's scopes, where the provider says them; nil: not said.
    public var scopes: [String]?
    /// When it expires (the provider's text), where said.
    public var expiresAt: String?
    public var lists: [AccessList]
    /// What could not be listed, and why.
    public var unlisted: [Unlisted]

    public init(user: String? = nil, account: String? = nil, arn: String? = nil, scopes: [String]? = nil, expiresAt: String? = nil, lists: [AccessList] = [], unlisted: [Unlisted] = []) {
        self.user = user
        self.account = account
        self.arn = arn
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.lists = lists
        self.unlisted = unlisted
    }

    /// A listing that failed: `repositories`, `HTTP 500`.
    public struct Unlisted: Sendable, Equatable {
        public var kind: String
        public var reason: String

        public init(kind: String, reason: String) {
            self.kind = kind
            self.reason = reason
        }
    }

    /// The same map with every text passed through `clean` (the redactor of `verify`).
    public func mapped(_ clean: (String) -> String) -> TokenAccess {
        TokenAccess(user: user.map(clean), account: account.map(clean), arn: arn.map(clean), scopes: scopes?.map(clean),
                    expiresAt: expiresAt.map(clean),
                    lists: lists.map { AccessList(kind: clean($0.kind), relation: $0.relation, names: $0.names.map(clean), complete: $0.complete) },
                    unlisted: unlisted.map { Unlisted(kind: clean($0.kind), reason: clean($0.reason)) })
    }

    /// One sentence per fact, for text reports and remediation plans:
    /// `can push to 14 repositories of contoso: api, web, docs, … (11 more)`.
    public func lines(names shown: Int = 5) -> [String] {
        var lines: [String] = []
        if let arn {
            // AWS: `account 123456789012, arn:aws:iam::123456789012:user/deploy, user id AIDA…`.
            lines.append(([account.map { "account \($0)" }, arn, user.map { "user id \($0)" }] as [String?]).compactMap { $0 }.joined(separator: ", "))
        } else if user != nil || account != nil {
            lines.append(([user.map { "acts as \($0)" }, account.map { "in \($0)" }] as [String?]).compactMap { $0 }.joined(separator: " "))
        }
        if let scopes { lines.append(scopes.isEmpty ? "scopes: none named" : "scopes: " + scopes.joined(separator: ", ")) }
        if let expiresAt { lines.append("expires: \(expiresAt)") }
        for list in lists { lines.append(list.sentence(account: arn == nil ? account : nil, names: shown)) }
        for hole in unlisted { lines.append("could not list \(hole.kind): \(hole.reason)") }
        return lines
    }
}

/// One listing of a token's access map: the organisations it is a member of, the projects or
/// repositories it can list, or those it can push to.
public struct AccessList: Sendable, Equatable {
    public enum Relation: String, Sendable {
        case member
        case list
        case push
    }

    /// `orgs`, `projects`, `repositories`.
    public var kind: String
    public var relation: Relation
    /// Every name read, in the provider's order.
    public var names: [String]
    /// false: the provider had more pages than patrol reads; `names.count` is a lower bound.
    public var complete: Bool

    public init(kind: String, relation: Relation, names: [String], complete: Bool) {
        self.kind = kind
        self.relation = relation
        self.names = names
        self.complete = complete
    }

    public var count: Int { names.count }

    /// `can push to 14 repositories of contoso: a, b, c, … (11 more)`. When every name has the
    /// same `owner/` prefix, the owner is said once.
    public func sentence(account: String?, names shown: Int) -> String {
        var names = self.names
        var of = account
        if let slash = names.first?.firstIndex(of: "/") {
            let owner = String(names[0][..<slash])
            if names.allSatisfy({ $0.hasPrefix(owner + "/") }) {
                of = owner
                names = names.map { String($0.dropFirst(owner.count + 1)) }
            }
        }
        let noun = kind == "orgs" ? (names.count == 1 ? "organisation" : "organisations") : (names.count == 1 ? String(kind.dropLast()) : kind)
        let amount = complete ? "\(names.count)" : "at least \(names.count)"
        let verb: String
        switch relation {
        case .member: verb = "is a member of"
        case .list: verb = "can list"
        case .push: verb = "can push to"
        }
        var text = "\(verb) \(amount) \(noun)" + (of.map { " of \($0)" } ?? "")
        if !names.isEmpty {
            text += ": " + names.prefix(shown).joined(separator: ", ")
            if names.count > shown { text += ", … (\(names.count - shown) more)" }
        }
        return text
    }
}
