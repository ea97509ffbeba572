/// Which kinds of a provider's tokens its API can check and revoke. A rule file names the
/// provider's verifier and revoker (`provider.verify`, `provider.revoke`), but an API often
/// covers only some kinds: GitLab's self-service API only personal access tokens, Slack's
/// `auth.*` only bot and user tokens, GitHub's refresh tokens cannot call the API. Kept here,
/// as data beside the rules, so remediation plans offer `patrol revoke` exactly where
/// PatrolRevoke will act, and PatrolRevoke answers `not-supported` everywhere else.
public enum ProviderAPICoverage {
    /// The verifier and revoker names a rule file may use (`provider.verify`, `provider.revoke`):
    /// the clients PatrolRevoke has.
    public static let clients: Set<String> = ["azure-devops", "github", "gitlab", "slack", "aws", "azure-storage", "azure-servicebus"]

    /// Rules the named client handles; nil: every rule of its provider.
    private static let verifiable: [String: Set<String>] = [
        "github": ["github-pat", "github-oauth", "github-user-to-server", "github-installation", "github-installation-jwt", "github-fine-grained-pat"],
        "gitlab": personalAccessTokens,
        "slack": slackTokens,
        // The pair only: a lone access key id has no secret to sign with.
        "aws": ["aws-access-key"],
        // Account keys sign requests; a SAS token is already a signature.
        "azure-storage": ["azure-storage-id-key", "azure-storage-key"],
        "azure-servicebus": ["azure-servicebus-key", "azure-eventhubs-key", "azure-relay-key", "azure-servicebus-conn"],
    ]
    private static let revocable: [String: Set<String>] = [
        "github": ["github-pat", "github-oauth", "github-user-to-server", "github-installation", "github-installation-jwt", "github-refresh", "github-refresh-long", "github-fine-grained-pat"],
        "gitlab": personalAccessTokens,
        "slack": slackTokens,
    ]
    private static let personalAccessTokens: Set<String> = ["gitlab-pat-legacy", "gitlab-pat-routable", "gitlab-pat-routable-v1"]
    private static let slackTokens: Set<String> = ["slack-bot-token", "slack-user-token"]

    /// Rules whose tokens revoke themselves with a call of PatrolRevoke's identity-call table
    /// (its `SelfRevocations`), for providers whose rule file names no revoker. Kept equal to
    /// that table by a test of PatrolRevoke, so remediation plans offer `patrol revoke` exactly
    /// where it acts.
    public static let selfRevoking: Set<String> = [
        "vault-service-token", "vault-token-legacy", "vault-batch-token",
        "doppler-personal-token", "doppler-cli-token", "doppler-service-token", "doppler-service-account", "doppler-scim-token", "doppler-audit-token",
        "npm-access-token", "buildkite-api-token", "terraform-api-token", "databricks-token",
    ]

    /// Whether the verifier `client` can check a token of `rule`.
    public static func canVerify(rule: String, with client: String) -> Bool {
        verifiable[client].map { $0.contains(rule) } ?? true
    }

    /// Whether the revoker `client` can revoke a token of `rule`.
    public static func canRevoke(rule: String, with client: String) -> Bool {
        revocable[client].map { $0.contains(rule) } ?? true
    }
}
