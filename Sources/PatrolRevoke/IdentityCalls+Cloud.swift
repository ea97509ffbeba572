extension IdentityCalls {
    static let cloud: [IdentityCall] = [
        // https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account — GET /v2/account.
        IdentityCall(provider: "digitalocean", rules: .ids(["digitalocean-pat", "digitalocean-oauth"]), host: .fixed("https://api.digitalocean.com"), path: "/v2/account",
                     credential: .authorization("Bearer "), live: [.present("account.uuid")], owner: ["account.email"],
                     documentation: "https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account"),
        // https://devcenter.heroku.com/articles/platform-api-reference#account-info — GET /account
        // with the version 3 media type.
        IdentityCall(provider: "heroku", host: .fixed("https://api.heroku.com"), path: "/account", credential: .authorization("Bearer "),
                     headers: [("Accept", "application/vnd.heroku+json; version=3")], live: [.present("id")], owner: ["email"],
                     documentation: "https://devcenter.heroku.com/articles/platform-api-reference#account-info"),
        // https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/
        // — GET /client/v4/user/tokens/verify: `result.status` "active".
        IdentityCall(provider: "cloudflare", rules: .containing(["token"]), host: .fixed("https://api.cloudflare.com"), path: "/client/v4/user/tokens/verify",
                     credential: .authorization("Bearer "), live: [.equals("success", "true"), .equals("result.status", "active")],
                     documentation: "https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/"),
        // https://www.fastly.com/documentation/reference/api/auth-tokens/user/ — GET /tokens/self
        // with `Fastly-Key`.
        IdentityCall(provider: "fastly", host: .fixed("https://api.fastly.com"), path: "/tokens/self", credential: .header("Fastly-Key"),
                     live: [.present("id")], owner: ["name"], dead: [401, 403], documentation: "https://www.fastly.com/documentation/reference/api/auth-tokens/user/#get-token-current"),
        // https://open-api.netlify.com/#tag/user/operation/getCurrentUser — GET /api/v1/user.
        IdentityCall(provider: "netlify", host: .fixed("https://api.netlify.com"), path: "/api/v1/user", credential: .authorization("Bearer "),
                     live: [.present("id")], owner: ["email", "full_name"], documentation: "https://open-api.netlify.com/#tag/user/operation/getCurrentUser"),
        // https://vercel.com/docs/rest-api/reference/endpoints/user/get-the-user — GET /v2/user.
        IdentityCall(provider: "vercel", host: .fixed("https://api.vercel.com"), path: "/v2/user", credential: .authorization("Bearer "),
                     live: [.present("user.id")], owner: ["user.username"], dead: [401, 403], documentation: "https://vercel.com/docs/rest-api/reference/endpoints/user/get-the-user"),
        // https://supabase.com/docs/reference/api/v1-list-all-projects — GET /v1/projects with a
        // personal access token (`sbp_`): an array. Project keys (JWTs) are not for this API.
        IdentityCall(provider: "supabase", rules: .containing(["pat", "access-token", "personal"]), host: .fixed("https://api.supabase.com"), path: "/v1/projects",
                     credential: .authorization("Bearer "), live: [.array("")], documentation: "https://supabase.com/docs/reference/api/v1-list-all-projects"),
        // https://api-docs.neon.tech/reference/getcurrentuserinfo — GET /api/v2/users/me.
        IdentityCall(provider: "neon", host: .fixed("https://console.neon.tech"), path: "/api/v2/users/me", credential: .authorization("Bearer "),
                     live: [.present("id")], owner: ["email"], documentation: "https://api-docs.neon.tech/reference/getcurrentuserinfo"),
        // https://api-docs.render.com/reference/list-owners — GET /v1/owners: an array.
        IdentityCall(provider: "render", host: .fixed("https://api.render.com"), path: "/v1/owners?limit=1", credential: .authorization("Bearer "),
                     live: [.array("")], owner: ["0.owner.email"], documentation: "https://api-docs.render.com/reference/list-owners"),
        // https://cloud.ibm.com/docs/account?topic=account-iamtoken_from_apikey — exchanging an
        // API key for an IAM token reads nothing and changes nothing; an unknown key is 400
        // with `errorCode` BXNIM0415E.
        IdentityCall(provider: "ibm", rules: .containing(["api-key", "apikey"]), method: "POST", host: .fixed("https://iam.cloud.ibm.com"), path: "/identity/token",
                     credential: .form("apikey"), body: "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey", live: [.present("access_token")],
                     deadBody: .equals("errorCode", "BXNIM0415E"), documentation: "https://cloud.ibm.com/docs/account?topic=account-iamtoken_from_apikey"),
        // https://docs.databricks.com/api/workspace/currentuser/me — GET
        // /api/2.0/preview/scim/v2/Me on the workspace named next to the token.
        IdentityCall(provider: "databricks", host: .named(source: .context(["workspace", "host"]), labelDomain: nil,
                                                         domains: ["cloud.databricks.com", "gcp.databricks.com", "azuredatabricks.net"], variable: "DATABRICKS_HOST"),
                     path: "/api/2.0/preview/scim/v2/Me", credential: .authorization("Bearer "), live: [.present("id")], owner: ["userName"], dead: [401, 403],
                     documentation: "https://docs.databricks.com/api/workspace/currentuser/me"),
        // https://developer.hashicorp.com/vault/api-docs/auth/token#lookup-a-token-self — GET
        // /v1/auth/token/lookup-self with `X-Vault-Token`; Vault answers a bad token with 403.
        // The host: VAULT_ADDR, or an HCP Vault cluster named next to the token.
        IdentityCall(provider: "vault", host: .named(source: .context(["addr"]), labelDomain: nil, domains: ["hashicorp.cloud"], variable: "VAULT_ADDR"),
                     path: "/v1/auth/token/lookup-self", credential: .header("X-Vault-Token"), live: [.present("data.accessor")], owner: ["data.display_name"],
                     dead: [401, 403], documentation: "https://developer.hashicorp.com/vault/api-docs/auth/token#lookup-a-token-self"),
        // https://grafana.com/docs/grafana/latest/developers/http_api/org/#get-current-organization
        // — GET /api/org on the stack named next to the token, for service-account tokens.
        IdentityCall(provider: "grafana", rules: .ids(["grafana-service-account", "grafana-api-key"]),
                     host: .named(source: .context(["stack"]), labelDomain: "grafana.net", domains: ["grafana.net"]),
                     path: "/api/org", credential: .authorization("Bearer "), live: [.present("id")], owner: ["name"],
                     documentation: "https://grafana.com/docs/grafana/latest/developers/http_api/org/#get-current-organization"),
        // https://docs.dynatrace.com/docs/dynatrace-api/environment-api/tokens-v2/api-tokens/post-token-metadata
        // — POST /api/v2/apiTokens/lookup with the token as its own `Api-Token`.
        IdentityCall(provider: "dynatrace", method: "POST",
                     host: .named(source: .context(["environment", "host", "tenant"]), labelDomain: "live.dynatrace.com", domains: ["live.dynatrace.com", "apps.dynatrace.com"]),
                     path: "/api/v2/apiTokens/lookup", credential: .authorization("Api-Token "), body: #"{"token":"{token}"}"#, live: [.present("id")], owner: ["owner"],
                     documentation: "https://docs.dynatrace.com/docs/dynatrace-api/environment-api/tokens-v2/api-tokens/post-token-metadata"),
    ]
}
