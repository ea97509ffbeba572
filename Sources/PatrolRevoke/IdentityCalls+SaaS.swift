extension IdentityCalls {
    static let saas: [IdentityCall] = [
        // https://docs.stripe.com/api/balance/balance_retrieve — GET /v1/balance, the key as the
        // Basic user name: `object` "balance". A restricted key without the balance permission
        // is refused with 403 although it works: only 401 is a dead key.
        IdentityCall(provider: "stripe", host: .fixed("https://api.stripe.com"), path: "/v1/balance", credential: .basicUsername,
                     live: [.equals("object", "balance")], caveat: "a restricted key may lack the balance permission",
                     documentation: "https://docs.stripe.com/api/balance/balance_retrieve"),
        // https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access
        // — GET /v3/scopes: the key's `scopes`.
        IdentityCall(provider: "sendgrid", host: .fixed("https://api.sendgrid.com"), path: "/v3/scopes", credential: .authorization("Bearer "),
                     live: [.array("scopes")], documentation: "https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access"),
        // https://core.telegram.org/bots/api#getme — the token is part of the path; `ok` true.
        IdentityCall(provider: "telegram", host: .fixed("https://api.telegram.org"), path: "/bot{token}/getMe", credential: .path,
                     live: [.equals("ok", "true"), .present("result.id")], owner: ["result.username"], documentation: "https://core.telegram.org/bots/api#getme"),
        // https://discord.com/developers/docs/resources/user#get-current-user — `Bot` scheme.
        IdentityCall(provider: "discord", rules: .ids(["discord-bot-token"]), host: .fixed("https://discord.com"), path: "/api/v10/users/@me",
                     credential: .authorization("Bot "), live: [.present("id")], owner: ["username"], documentation: "https://discord.com/developers/docs/resources/user#get-current-user"),
        // https://shopify.dev/docs/api/admin-rest/latest/resources/accessscope — GET
        // /admin/oauth/access_scopes.json (not versioned) on the shop named next to the token.
        IdentityCall(provider: "shopify", rules: .ids(["shopify-access-token", "shopify-custom-app", "shopify-private-app"]),
                     host: .named(source: .context(["shop"]), labelDomain: "myshopify.com", domains: ["myshopify.com"]),
                     path: "/admin/oauth/access_scopes.json", credential: .header("X-Shopify-Access-Token"), live: [.array("access_scopes")],
                     documentation: "https://shopify.dev/docs/api/admin-rest/latest/resources/accessscope"),
        // https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains/
        // — GET /v3/domains, Basic `api:KEY`. A key of an EU account is refused by the US host.
        IdentityCall(provider: "mailgun", host: .fixed("https://api.mailgun.net"), path: "/v3/domains?limit=1", credential: .basicPassword(user: "api"),
                     live: [.array("items")], dead: [], caveat: "an EU account's key is refused by api.mailgun.net",
                     documentation: "https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains/"),
        // https://mailchimp.com/developer/marketing/api/root/ — GET /3.0/ on the data centre
        // the key ends in (`-us6` → us6.api.mailchimp.com), any Basic user name.
        IdentityCall(provider: "mailchimp", host: .named(source: .tokenSuffix, labelDomain: "api.mailchimp.com", domains: ["api.mailchimp.com"]),
                     path: "/3.0/", credential: .basicPassword(user: "patrol"), live: [.present("account_id")], owner: ["account_name"],
                     documentation: "https://mailchimp.com/developer/marketing/api/root/list-api-root-resources/"),
        // https://developer.pagerduty.com/api-reference/ — GET /abilities, `Token token=KEY`.
        IdentityCall(provider: "pagerduty", host: .fixed("https://api.pagerduty.com"), path: "/abilities", credential: .authorization("Token token="),
                     headers: [("Accept", "application/vnd.pagerduty+json;version=2")], live: [.array("abilities")],
                     documentation: "https://developer.pagerduty.com/api-reference/574bd9a4e5b1c-list-abilities"),
        // https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/getUser
        // — GET /api/v1/users/me on the org named next to the token, `SSWS` scheme.
        IdentityCall(provider: "okta", host: .named(source: .context(["org", "domain", "host"]), labelDomain: "okta.com", domains: ["okta.com", "oktapreview.com", "okta-emea.com"]),
                     path: "/api/v1/users/me", credential: .authorization("SSWS "), live: [.present("id")], owner: ["profile.login"],
                     documentation: "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/"),
        // https://developers.asana.com/reference/getuser — GET /api/1.0/users/me.
        IdentityCall(provider: "asana", host: .fixed("https://app.asana.com"), path: "/api/1.0/users/me", credential: .authorization("Bearer "),
                     live: [.present("data.gid")], owner: ["data.email", "data.name"], documentation: "https://developers.asana.com/reference/getuser"),
        // https://developers.notion.com/reference/get-self — GET /v1/users/me with Notion-Version.
        IdentityCall(provider: "notion", host: .fixed("https://api.notion.com"), path: "/v1/users/me", credential: .authorization("Bearer "),
                     headers: [("Notion-Version", "2022-06-28")], live: [.equals("object", "user"), .present("id")], owner: ["name"],
                     documentation: "https://developers.notion.com/reference/get-self"),
        // https://airtable.com/developers/web/api/get-user-id-scopes — GET /v0/meta/whoami.
        IdentityCall(provider: "airtable", host: .fixed("https://api.airtable.com"), path: "/v0/meta/whoami", credential: .authorization("Bearer "),
                     live: [.present("id")], owner: ["email"], documentation: "https://airtable.com/developers/web/api/get-user-id-scopes"),
        // https://www.figma.com/developers/api#get-me-endpoint — GET /v1/me, `X-Figma-Token`;
        // Figma answers an invalid token with 403.
        IdentityCall(provider: "figma", host: .fixed("https://api.figma.com"), path: "/v1/me", credential: .header("X-Figma-Token"),
                     live: [.present("id")], owner: ["email", "handle"], dead: [401, 403], documentation: "https://www.figma.com/developers/api#get-me-endpoint"),
        // https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account
        // — an RPC endpoint: POST with the JSON body `null`.
        IdentityCall(provider: "dropbox", method: "POST", host: .fixed("https://api.dropboxapi.com"), path: "/2/users/get_current_account", credential: .authorization("Bearer "),
                     body: "null", live: [.present("account_id")], owner: ["email"],
                     documentation: "https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account"),
        // https://docs.newrelic.com/docs/apis/nerdgraph/get-started/introduction-new-relic-nerdgraph/
        // — NerdGraph with `API-Key`; EU accounts live at api.eu.newrelic.com.
        IdentityCall(provider: "newrelic", rules: .containing(["user", "api-key"]), method: "POST", host: .fixed("https://api.newrelic.com"), path: "/graphql",
                     credential: .header("API-Key"), body: #"{"query":"{ actor { user { id email } } }"}"#, live: [.present("data.actor.user.id")], owner: ["data.actor.user.email"],
                     dead: [], caveat: "an EU account's key is refused by api.newrelic.com",
                     documentation: "https://docs.newrelic.com/docs/apis/nerdgraph/get-started/introduction-new-relic-nerdgraph/"),
        // https://docs.datadoghq.com/api/latest/authentication/#validate-api-key — GET
        // /api/v1/validate with `DD-API-KEY`: `valid` true. A key of another site (EU, US3…)
        // is refused by the US1 host, so a 403 there proves nothing.
        IdentityCall(provider: "datadog", rules: .containing(["api-key"]), host: .fixed("https://api.datadoghq.com"), path: "/api/v1/validate", credential: .header("DD-API-KEY"),
                     live: [.equals("valid", "true")], dead: [], caveat: "a key of another Datadog site is refused by api.datadoghq.com",
                     documentation: "https://docs.datadoghq.com/api/latest/authentication/#validate-api-key"),
        // https://developer.squareup.com/reference/square/merchants-api/retrieve-merchant — GET
        // /v2/merchants/me.
        IdentityCall(provider: "square", host: .fixed("https://connect.squareup.com"), path: "/v2/merchants/me", credential: .authorization("Bearer "),
                     headers: [("Square-Version", "2024-10-17")], live: [.present("merchant.id")], owner: ["merchant.business_name"],
                     documentation: "https://developer.squareup.com/reference/square/merchants-api/retrieve-merchant"),
        // https://developers.hubspot.com/docs/api/settings/account-information-api — GET
        // /account-info/v3/details with a private app token.
        IdentityCall(provider: "hubspot", host: .fixed("https://api.hubapi.com"), path: "/account-info/v3/details", credential: .authorization("Bearer "),
                     live: [.present("portalId")], documentation: "https://developers.hubspot.com/docs/api/settings/account-information-api"),
        // https://docs.mapbox.com/api/accounts/tokens/#retrieve-a-token — GET /tokens/v2 with
        // `access_token`: `code` TokenValid; TokenInvalid, TokenExpired or TokenRevoked otherwise.
        IdentityCall(provider: "mapbox", host: .fixed("https://api.mapbox.com"), path: "/tokens/v2", credential: .query("access_token"),
                     live: [.equals("code", "TokenValid")], owner: ["token.user"], deadBody: .oneOf("code", ["TokenInvalid", "TokenExpired", "TokenRevoked"]),
                     documentation: "https://docs.mapbox.com/api/accounts/tokens/#retrieve-a-token"),
        // https://posthog.com/docs/api — personal API keys (`phx_`) on GET /api/users/@me/; EU
        // projects live at eu.posthog.com.
        IdentityCall(provider: "posthog", rules: .containing(["personal"]), host: .fixed("https://us.posthog.com"), path: "/api/users/@me/", credential: .authorization("Bearer "),
                     live: [.present("uuid")], owner: ["email"], dead: [], caveat: "an EU key is refused by us.posthog.com", documentation: "https://posthog.com/docs/api/users"),
    ]
}
