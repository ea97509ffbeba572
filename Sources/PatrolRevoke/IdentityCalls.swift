/// The read-only identity calls `patrol verify` makes, by the provider id of the rule files
/// (`provider: id:`). Each entry follows the provider's documentation, cited beside it: the
/// call, where the token goes, and the success answer that alone counts as live. Azure DevOps,
/// GitHub, GitLab and Slack have clients of their own (their rule files name them); AWS and
/// Azure Storage / Service Bus are verified elsewhere.
enum IdentityCalls {
    static let all: [IdentityCall] = developerTools + cloud + saas + ai

    static let byProvider: [String: [IdentityCall]] = Dictionary(grouping: all, by: \.provider)

    /// Environment variables that name a self-hosted provider's host.
    static let hostVariables: [String] = ["VAULT_ADDR", "DATABRICKS_HOST"]

    /// Whether the table can check a token of `rule` from `provider`.
    static func covers(provider: String, rule: String) -> Bool {
        byProvider[provider]?.contains { $0.rules.matches(rule) } ?? false
    }

    static let developerTools: [IdentityCall] = [
        // https://docs.npmjs.com/cli/v11/commands/npm-whoami — the registry's GET /-/whoami
        // answers {"username": …} for a valid token, 401 otherwise.
        IdentityCall(provider: "npm", host: .fixed("https://registry.npmjs.org"), path: "/-/whoami", credential: .authorization("Bearer "),
                     live: [.present("username")], owner: ["username"], documentation: "https://docs.npmjs.com/cli/v11/commands/npm-whoami"),
        // https://huggingface.co/docs/hub/api — GET /api/whoami-v2 with a Bearer token: the
        // user or organisation, with its `name`.
        IdentityCall(provider: "huggingface", host: .fixed("https://huggingface.co"), path: "/api/whoami-v2", credential: .authorization("Bearer "),
                     live: [.present("name")], owner: ["name"], documentation: "https://huggingface.co/docs/hub/api#get-apiwhoami-v2"),
        // https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account — GET
        // /api/v2/account/details: the user as a JSON:API document (`data`). Team and
        // organisation tokens have no account: their 404 is not a refusal.
        IdentityCall(provider: "terraform", host: .fixed("https://app.terraform.io"), path: "/api/v2/account/details", credential: .authorization("Bearer "),
                     headers: [("Accept", "application/vnd.api+json")], live: [.present("data.id")], owner: ["data.attributes.username"], subject: "data.id",
                     documentation: "https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account#get-your-account-details"),
        // https://docs.doppler.com/reference/auth-me — GET /v3/me: the token's `type`,
        // `name` and `workplace`.
        IdentityCall(provider: "doppler", host: .fixed("https://api.doppler.com"), path: "/v3/me", credential: .authorization("Bearer "),
                     live: [.present("type")], owner: ["workplace.name", "name"], documentation: "https://docs.doppler.com/reference/auth-me"),
        // https://developers.linear.app/docs/graphql/working-with-the-graphql-api — personal API
        // keys go in `Authorization` as they are, OAuth tokens as Bearer; `{ viewer { id } }`.
        IdentityCall(provider: "linear", rules: .containing(["api-key"]), method: "POST", host: .fixed("https://api.linear.app"), path: "/graphql",
                     credential: .authorization(""), body: #"{"query":"{ viewer { id name } }"}"#, live: [.present("data.viewer.id")], owner: ["data.viewer.name"],
                     dead: [401], documentation: "https://developers.linear.app/docs/graphql/working-with-the-graphql-api#personal-api-keys"),
        IdentityCall(provider: "linear", rules: .containing(["oauth"]), method: "POST", host: .fixed("https://api.linear.app"), path: "/graphql",
                     credential: .authorization("Bearer "), body: #"{"query":"{ viewer { id name } }"}"#, live: [.present("data.viewer.id")], owner: ["data.viewer.name"],
                     dead: [401], documentation: "https://developers.linear.app/docs/graphql/working-with-the-graphql-api#authentication"),
        // https://docs.sentry.io/api/auth/ — GET /api/0/ answers with `auth` for a valid token
        // (and `user` for a user token); an invalid one gets 401.
        IdentityCall(provider: "sentry", host: .fixed("https://sentry.io"), path: "/api/0/", credential: .authorization("Bearer "),
                     live: [.present("auth")], owner: ["user.username", "user.email"], documentation: "https://docs.sentry.io/api/auth/"),
        // https://docs.postman.com/docs/developer/postman-api/authentication/ — GET /me with
        // `X-Api-Key`: the `user`.
        IdentityCall(provider: "postman", rules: .ids(["postman-api-key"]), host: .fixed("https://api.getpostman.com"), path: "/me", credential: .header("X-Api-Key"),
                     live: [.present("user.id")], owner: ["user.username"], documentation: "https://learning.postman.com/docs/developer/postman-api/authentication/"),
        // https://circleci.com/docs/api/v2/index.html#operation/getCurrentUser — GET /api/v2/me
        // with `Circle-Token`.
        IdentityCall(provider: "circleci", host: .fixed("https://circleci.com"), path: "/api/v2/me", credential: .header("Circle-Token"),
                     live: [.present("id")], owner: ["login"], documentation: "https://circleci.com/docs/api/v2/index.html#operation/getCurrentUser"),
        // https://buildkite.com/docs/apis/rest-api/access-token — GET /v2/access-token: the
        // token's `uuid` and `scopes`.
        IdentityCall(provider: "buildkite", host: .fixed("https://api.buildkite.com"), path: "/v2/access-token", credential: .authorization("Bearer "),
                     live: [.present("uuid")], documentation: "https://buildkite.com/docs/apis/rest-api/access-token"),
        // https://docs.travis-ci.com/user/developer/ — API v3 GET /user, `Authorization: token`.
        IdentityCall(provider: "travis", host: .fixed("https://api.travis-ci.com"), path: "/user", credential: .authorization("token "),
                     headers: [("Travis-API-Version", "3")], live: [.present("id")], owner: ["login"], dead: [401, 403], documentation: "https://developer.travis-ci.com/resource/user"),
        // https://docs.sonarsource.com/sonarqube-cloud/advanced-setup/web-api/ — GET
        // /api/authentication/validate answers 200 with `valid` true or false.
        IdentityCall(provider: "sonar", host: .fixed("https://sonarcloud.io"), path: "/api/authentication/validate", credential: .authorization("Bearer "),
                     live: [.equals("valid", "true")], deadBody: .equals("valid", "false"), documentation: "https://sonarcloud.io/web_api/api/authentication/validate"),
        // https://docs.snyk.io/snyk-api/reference/users — REST GET /rest/self, `Authorization: token`.
        IdentityCall(provider: "snyk", host: .fixed("https://api.snyk.io"), path: "/rest/self?version=2024-10-15", credential: .authorization("token "),
                     headers: [("Accept", "application/vnd.api+json")], live: [.present("data.id")], owner: ["data.attributes.username", "data.attributes.name"],
                     documentation: "https://docs.snyk.io/snyk-api/reference/users#get-self"),
        // https://guides.rubygems.org/rubygems-org-api/ — GET /api/v1/gems.json with the API
        // key in `Authorization`: the owner's gems, an array.
        IdentityCall(provider: "rubygems", host: .fixed("https://rubygems.org"), path: "/api/v1/gems.json", credential: .authorization(""),
                     live: [.array("")], documentation: "https://guides.rubygems.org/rubygems-org-api/#gem-methods"),
        // https://crates.io/data-access — the web API's GET /api/v1/me, token in `Authorization`.
        IdentityCall(provider: "crates-io", host: .fixed("https://crates.io"), path: "/api/v1/me", credential: .authorization(""),
                     live: [.present("user.id")], owner: ["user.login"], dead: [401, 403], documentation: "https://crates.io/data-access"),
        // https://www.pulumi.com/docs/pulumi-cloud/reference/cloud-rest-api/ — GET /api/user,
        // `Authorization: token`.
        IdentityCall(provider: "pulumi", host: .fixed("https://api.pulumi.com"), path: "/api/user", credential: .authorization("token "),
                     headers: [("Accept", "application/vnd.pulumi+8")], live: [.present("githubLogin")], owner: ["githubLogin", "name"],
                     documentation: "https://www.pulumi.com/docs/pulumi-cloud/reference/cloud-rest-api/#get-current-user"),
        // Not here: Docker Hub (a PAT is checked only with its user name), PyPI (upload
        // tokens have no read call).
    ]
}
