extension IdentityCalls {
    /// Model lists: the cheapest call these APIs have, and none of them bills it.
    static let ai: [IdentityCall] = [
        // https://platform.openai.com/docs/api-reference/models/list — GET /v1/models: `data`.
        IdentityCall(provider: "openai", rules: .ids(["openai-api-key", "openai-project-key", "openai-svcacct-key"]), host: .fixed("https://api.openai.com"), path: "/v1/models",
                     credential: .authorization("Bearer "), live: [.array("data")], documentation: "https://platform.openai.com/docs/api-reference/models/list"),
        // https://platform.openai.com/docs/api-reference/users/list — admin keys reach only the
        // administration API: GET /v1/organization/users.
        IdentityCall(provider: "openai", rules: .ids(["openai-admin-key"]), host: .fixed("https://api.openai.com"), path: "/v1/organization/users?limit=1",
                     credential: .authorization("Bearer "), live: [.array("data")], documentation: "https://platform.openai.com/docs/api-reference/users/list"),
        // https://docs.anthropic.com/en/api/models-list — GET /v1/models with `x-api-key` and
        // `anthropic-version`.
        IdentityCall(provider: "anthropic", rules: .ids(["anthropic-api-key"]), host: .fixed("https://api.anthropic.com"), path: "/v1/models",
                     credential: .header("x-api-key"), headers: [("anthropic-version", "2023-06-01")], live: [.array("data")],
                     documentation: "https://docs.anthropic.com/en/api/models-list"),
        // https://docs.anthropic.com/en/api/admin-api/users/list-users — admin keys: GET
        // /v1/organizations/users.
        IdentityCall(provider: "anthropic", rules: .ids(["anthropic-admin-key"]), host: .fixed("https://api.anthropic.com"), path: "/v1/organizations/users?limit=1",
                     credential: .header("x-api-key"), headers: [("anthropic-version", "2023-06-01")], live: [.array("data")],
                     documentation: "https://docs.anthropic.com/en/api/admin-api/users/list-users"),
        // https://console.groq.com/docs/api-reference#models-list
        IdentityCall(provider: "groq", host: .fixed("https://api.groq.com"), path: "/openai/v1/models", credential: .authorization("Bearer "),
                     live: [.array("data")], documentation: "https://console.groq.com/docs/api-reference#models-list"),
        // https://docs.mistral.ai/api/#tag/models/operation/list_models_v1_models_get
        IdentityCall(provider: "mistral", host: .fixed("https://api.mistral.ai"), path: "/v1/models", credential: .authorization("Bearer "),
                     live: [.array("data")], documentation: "https://docs.mistral.ai/api/#tag/models/operation/list_models_v1_models_get"),
        // https://docs.cohere.com/reference/checkapikey — POST /v1/check-api-key: `valid`.
        IdentityCall(provider: "cohere", method: "POST", host: .fixed("https://api.cohere.com"), path: "/v1/check-api-key", credential: .authorization("Bearer "),
                     live: [.equals("valid", "true")], deadBody: .equals("valid", "false"), documentation: "https://docs.cohere.com/reference/checkapikey"),
        // https://replicate.com/docs/reference/http#account.get — GET /v1/account.
        IdentityCall(provider: "replicate", host: .fixed("https://api.replicate.com"), path: "/v1/account", credential: .authorization("Bearer "),
                     live: [.present("username")], owner: ["username"], documentation: "https://replicate.com/docs/reference/http#account.get"),
        // https://docs.x.ai/docs/api-reference#api-key — GET /v1/api-key: the key's own record.
        IdentityCall(provider: "xai", host: .fixed("https://api.x.ai"), path: "/v1/api-key", credential: .authorization("Bearer "),
                     live: [.present("api_key_id")], owner: ["name"], dead: [400, 401, 403], documentation: "https://docs.x.ai/docs/api-reference#api-key"),
        // https://elevenlabs.io/docs/api-reference/user/get — GET /v1/user with `xi-api-key`.
        IdentityCall(provider: "elevenlabs", host: .fixed("https://api.elevenlabs.io"), path: "/v1/user", credential: .header("xi-api-key"),
                     live: [.present("subscription")], owner: ["first_name"], documentation: "https://elevenlabs.io/docs/api-reference/user/get"),
        // https://docs.pinecone.io/reference/api/2024-10/control-plane/list_indexes — GET /indexes
        // with `Api-Key`.
        IdentityCall(provider: "pinecone", host: .fixed("https://api.pinecone.io"), path: "/indexes", credential: .header("Api-Key"),
                     headers: [("X-Pinecone-API-Version", "2024-10")], live: [.array("indexes")],
                     documentation: "https://docs.pinecone.io/reference/api/2024-10/control-plane/list_indexes"),
    ]
}
