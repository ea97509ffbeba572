import PatrolKit

/// What `verify` and `revoke` cover, provider by provider, from the code's own tables: the
/// identity-call table (`IdentityCalls`), the self-revocations (`SelfRevocations`) and the named
/// clients (`ProviderAccess.clients`, described in `namedClients`). `docs/verify-providers.md`
/// is this table written out; a test keeps the two equal.
public enum VerifyCoverage {
    public struct Row: Sendable, Equatable {
        public var provider: String
        /// The rules served: `all`, or which.
        public var rules: String
        public var verify: String
        /// nil: the token cannot revoke itself through the API.
        public var revoke: String?
        public var documentation: String
    }

    /// The clients of their own, as their files describe them.
    static let namedClients: [String: (verify: String, revoke: String?, documentation: String)] = [
        "azure-devops": ("GET {org}/_apis/connectionData (Basic)", "DELETE vssps/{org}/_apis/tokens/pats (owner's Entra token) or POST tokenadmin/revocations (--admin)",
                         "https://learn.microsoft.com/rest/api/azure/devops/tokens/pats"),
        "github": ("GET /user (installation tokens: GET /installation/repositories)", "POST /credentials/revoke, unauthenticated, in batches (installation tokens: DELETE /installation/token)",
                   "https://docs.github.com/rest/credentials/revoke"),
        "gitlab": ("GET /api/v4/personal_access_tokens/self (PRIVATE-TOKEN)", "DELETE /api/v4/personal_access_tokens/self",
                   "https://docs.gitlab.com/api/personal_access_tokens/"),
        "slack": ("POST /api/auth.test", "POST /api/auth.revoke", "https://api.slack.com/methods/auth.revoke"),
        "aws": ("STS GetCallerIdentity, signed with the pair (SigV4)", nil, "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"),
        "azure-storage": ("GET https://{account}.blob.core.windows.net/?restype=service&comp=properties (Shared Key)", nil,
                          "https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key"),
        "azure-servicebus": ("GET https://{namespace}.servicebus.windows.net/$namespaceinfo (SAS signed with the key)", nil,
                             "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas"),
    ]

    static func describe(_ rules: IdentityCall.Rules, provider: String, ruleSet: RuleSet) -> String {
        switch rules {
        case .all: return "all"
        case .ids(let ids): return ids.sorted().joined(separator: ", ")
        case .containing(let words):
            let matched = ruleSet.rules.filter { $0.providerID == provider && rules.matches($0.id) }.map(\.id).sorted()
            return matched.isEmpty ? "ids containing " + words.joined(separator: " or ") : matched.joined(separator: ", ")
        }
    }

    static func host(_ host: IdentityCall.Host) -> String {
        switch host {
        case .fixed(let url): return url
        case .named(_, let label, let domains, let variable):
            let named = label.map { "{name}.\($0)" } ?? "a host of " + domains.joined(separator: ", ")
            return named + (variable.map { " (or $\($0))" } ?? "")
        }
    }

    /// One row per identity call and per named client, by provider id.
    public static func rows(ruleSet: RuleSet) -> [Row] {
        var rows: [Row] = IdentityCalls.all.map { call in
            let revocation = SelfRevocations.byProvider[call.provider].flatMap { revocation -> String? in
                guard ruleSet.rules.contains(where: { $0.providerID == call.provider && call.rules.matches($0.id) && revocation.rules.matches($0.id) })
                        || ruleSet.provider(id: call.provider) == nil else { return nil }
                let lookup = revocation.lookup.map { "GET \($0.path), then " } ?? ""
                return lookup + "\(revocation.method) \(revocation.path)"
            }
            return Row(provider: call.provider, rules: describe(call.rules, provider: call.provider, ruleSet: ruleSet),
                       verify: "\(call.method) \(host(call.host))\(call.path.replacingOccurrences(of: "{token}", with: "…"))",
                       revoke: revocation, documentation: call.documentation)
        }
        for (name, client) in namedClients {
            let covered = ruleSet.rules.filter { $0.providerID == name && ProviderAPICoverage.canVerify(rule: $0.id, with: name) }.map(\.id).sorted()
            let all = ruleSet.rules.filter { $0.providerID == name }.count
            rows.append(Row(provider: name, rules: covered.count == all ? "all" : covered.joined(separator: ", "),
                            verify: client.verify, revoke: client.revoke, documentation: client.documentation))
        }
        return rows.sorted { ($0.provider, $0.rules) < ($1.provider, $1.rules) }
    }

    /// `docs/verify-providers.md`.
    public static func markdown(ruleSet: RuleSet) -> String {
        let rows = rows(ruleSet: ruleSet)
        let verified = Set(rows.map(\.provider))
        let revoked = Set(rows.filter { $0.revoke != nil }.map(\.provider))
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var text = """
            # Providers `verify` and `revoke` cover

            Written from the code's tables (`IdentityCalls`, `SelfRevocations`, the named clients in
            `VerifyCoverage`); `VerifyCoverageTests` fails when this page and the code differ.
            Regenerate it with `PATROL_WRITE_DOCS=1` and the test filter `VerifyCoverageTests`.

            `verify` covers **\(verified.count) providers**; `revoke` covers **\(revoked.count)**: those whose API lets a
            leaked token revoke itself (or, for Azure DevOps, its owner's token revoke it). Every other
            token gets `not-supported` from `revoke`, with the provider's own revoke step from its rule
            file. Hugging Face has no such call (the Hub API documents none): revoke its tokens in
            https://huggingface.co/settings/tokens. HCP Terraform has none either, and its token list
            (`GET /api/v2/users/:user_id/authentication-tokens`) shows no part of a token: a user's
            token is revoked only when it is the user's only one (as for Databricks); the others, and
            team and organisation tokens, in https://app.terraform.io/app/settings/tokens.

            | Provider | Rules | Verify call | Revoke call | Documentation |
            |---|---|---|---|---|

            """
        for row in rows {
            text += "| \(row.provider) | \(cell(row.rules)) | \(cell(row.verify)) | \(cell(row.revoke ?? "—")) | \(row.documentation) |\n"
        }
        return text
    }
}
