/// What a validator concluded about a candidate.
enum ValidationResult: Sendable, Equatable {
    /// The checksum or structure holds: the match is proven (`validated: true`).
    case valid
    /// It fails: not a finding; counted in `rejected_by_validator`.
    case invalid
    /// The check failed, but the format's layout is marked unverified in the reference, so the
    /// match is reported with `validated: false` and at most medium confidence.
    case unverified
}

/// A named offline check that proves a candidate is a real token (checksum or structure), and
/// a generator of valid tokens, so rule examples and tests never commit a valid token whole.
struct Validator: Sendable {
    let name: String
    let check: @Sendable (UnsafeRawBufferPointer) -> ValidationResult
    let generate: @Sendable (inout SeededGenerator) -> String
    /// False for a plausibility test (the generic heuristic's): passing it proves nothing, so a
    /// match is reported with `validated: null`, and failing it is not a rejected checksum.
    var provesSecret = true

    /// A validator whose answer is yes or no.
    init(name: String, isValid: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool, generate: @escaping @Sendable (inout SeededGenerator) -> String) {
        self.name = name
        self.check = { isValid($0) ? .valid : .invalid }
        self.generate = generate
    }

    /// The generic heuristic's value test (`GenericSecret`), named `generic-secret` in rule files.
    static let genericSecret: Validator = {
        var validator = Validator(name: "generic-secret", isValid: { GenericSecret.isPlausible($0) }, generate: { GenericSecret.generate(using: &$0) })
        validator.provesSecret = false
        return validator
    }()

    /// A validator that can also answer `.unverified`.
    init(name: String, check: @escaping @Sendable (UnsafeRawBufferPointer) -> ValidationResult, generate: @escaping @Sendable (inout SeededGenerator) -> String) {
        self.name = name
        self.check = check
        self.generate = generate
    }

    func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool { check(bytes) == .valid }

    /// The validators that rule files can name in `validate:`.
    static let builtIn: [String: Validator] = {
        let all = [
            Validator(
                name: "azure-devops-cask",
                isValid: { AzureDevOpsCaskChecksum.isValid($0) },
                generate: { AzureDevOpsCaskChecksum.generate(using: &$0) }
            ),
            Validator(
                name: "azure-devops-legacy",
                isValid: { AzureDevOpsLegacyChecksum.isValid($0) },
                generate: { AzureDevOpsLegacyChecksum.generate(using: &$0) }
            ),
            // GitHub and npm: CRC-32 in base62; one validator per prefix, so each rule's
            // examples generate tokens with its own prefix.
            Validator(name: "github-ghp-crc32", isValid: { GitHubTokenChecksum.isValid($0, prefix: "ghp_") }, generate: { GitHubTokenChecksum.generate(prefix: "ghp_", using: &$0) }),
            Validator(name: "github-gho-crc32", isValid: { GitHubTokenChecksum.isValid($0, prefix: "gho_") }, generate: { GitHubTokenChecksum.generate(prefix: "gho_", using: &$0) }),
            Validator(name: "github-ghu-crc32", isValid: { GitHubTokenChecksum.isValid($0, prefix: "ghu_") }, generate: { GitHubTokenChecksum.generate(prefix: "ghu_", using: &$0) }),
            Validator(name: "github-ghs-crc32", isValid: { GitHubTokenChecksum.isValid($0, prefix: "ghs_") }, generate: { GitHubTokenChecksum.generate(prefix: "ghs_", using: &$0) }),
            Validator(name: "github-ghr-crc32", isValid: { GitHubTokenChecksum.isValid($0, prefix: "ghr_") }, generate: { GitHubTokenChecksum.generate(prefix: "ghr_", using: &$0) }),
            Validator(name: "github-stateless-jwt", check: { JSONWebToken.checkGitHubStateless($0) }, generate: { JSONWebToken.generateGitHubStateless(using: &$0) }),
            Validator(name: "npm-crc32", isValid: { GitHubTokenChecksum.isValid($0, prefix: "npm_") }, generate: { GitHubTokenChecksum.generate(prefix: "npm_", using: &$0) }),
            // GitLab routable tokens: CRC-32 in base36 and a length field.
            Validator(name: "gitlab-routable", check: { GitLabRoutableToken.check($0) }, generate: { GitLabRoutableToken.generate(prefix: "glpat-", layout: .unversioned, using: &$0) }),
            Validator(name: "gitlab-routable-v1", check: { GitLabRoutableToken.check($0) }, generate: { GitLabRoutableToken.generate(prefix: "glpat-", layout: .versioned, using: &$0) }),
            Validator(name: "gitlab-runner-routable", check: { GitLabRoutableToken.check($0) }, generate: { GitLabRoutableToken.generate(prefix: "glrt-t1_", layout: .unversioned, using: &$0) }),
            // Atlassian and Bitbucket: CRC-32 in hex.
            Validator(name: "atlassian-crc32", isValid: { AtlassianTokenChecksum.isValid($0) }, generate: { AtlassianTokenChecksum.generateAPIToken(using: &$0) }),
            Validator(name: "bitbucket-crc32", isValid: { AtlassianTokenChecksum.isValid($0) }, generate: { AtlassianTokenChecksum.generateAppPassword(using: &$0) }),
            // Grafana: CRC-32 (service accounts), base64 JSON (cloud tokens, legacy API keys).
            Validator(name: "grafana-glsa-crc32", isValid: { GrafanaTokens.isValidServiceAccountToken($0) }, generate: { GrafanaTokens.generateServiceAccountToken(using: &$0) }),
            Validator(name: "grafana-cloud-token", isValid: { GrafanaTokens.isValidCloudToken($0) }, generate: { GrafanaTokens.generateCloudToken(using: &$0) }),
            Validator(name: "grafana-api-key", isValid: { GrafanaTokens.isValidAPIKey($0) }, generate: { GrafanaTokens.generateAPIKey(using: &$0) }),
            // Structure: a JWT header, a macaroon, a protobuf, a snowflake, a JSON payload.
            Validator(name: "jwt", isValid: { JSONWebToken.isValid($0) }, generate: { JSONWebToken.generate(using: &$0) }),
            Validator(name: "pypi-macaroon", isValid: { PyPIMacaroon.isValid($0) }, generate: { PyPIMacaroon.generate(location: "pypi.org", using: &$0) }),
            Validator(name: "testpypi-macaroon", isValid: { PyPIMacaroon.isValid($0) }, generate: { PyPIMacaroon.generate(location: "test.pypi.org", using: &$0) }),
            Validator(name: "vault-service-token", isValid: { VaultServiceToken.isValid($0) }, generate: { VaultServiceToken.generate(using: &$0) }),
            Validator(name: "discord-bot-token", isValid: { DiscordBotToken.isValid($0) }, generate: { DiscordBotToken.generate(using: &$0) }),
            Validator(name: "sentry-org-token", isValid: { SentryOrgToken.isValid($0) }, generate: { SentryOrgToken.generate(using: &$0) }),
            // Microsoft identifiable keys: a service signature before a Marvin32 checksum.
            identifiable("azure-storage-identifiable", .storage),
            identifiable("azure-cosmosdb-identifiable", .cosmosDB),
            identifiable("azure-servicebus-identifiable", .serviceBus),
            identifiable("azure-eventhubs-identifiable", .eventHubs),
            identifiable("azure-relay-identifiable", .relay),
            identifiable("azure-functions-identifiable", .functions),
            identifiable("azure-search-identifiable", .search),
            identifiable("azure-apim-identifiable", .apiManagement),
            identifiable("azure-acr-identifiable", .containerRegistry),
            identifiable("azure-iot-identifiable", .iot),
            identifiable("azure-redis-identifiable", .cacheForRedis),
            identifiable("azure-batch-identifiable", .batch),
            // Other services' keys in the CASK layout, with their provider signature at offset 76.
            Validator(name: "azure-cognitive-cask", isValid: { AzureDevOpsCaskChecksum.isValid($0, provider: "ACOG") }, generate: { AzureDevOpsCaskChecksum.generate(using: &$0, provider: "ACOG") }),
            Validator(name: "azure-maps-cask", isValid: { AzureDevOpsCaskChecksum.isValid($0, provider: "AZMP") }, generate: { AzureDevOpsCaskChecksum.generate(using: &$0, provider: "AZMP") }),
            Validator(name: "azure-appconfig-cask", isValid: { AzureDevOpsCaskChecksum.isValid($0, provider: "AZAC") }, generate: { AzureDevOpsCaskChecksum.generate(using: &$0, provider: "AZAC") }),
            Validator(name: "entra-client-secret", isValid: { EntraClientSecretChecksum.isValid($0) }, generate: { EntraClientSecretChecksum.generate(using: &$0) }),
            // Private Packagist: CRC-32 of prefix and random part in lowercase hex; one
            // validator per prefix, so each rule's examples generate tokens with its own prefix.
            Validator(name: "packagist-ort-crc32", isValid: { PackagistTokenChecksum.isValid($0) }, generate: { PackagistTokenChecksum.generate(prefix: "packagist_ort_", using: &$0) }),
            Validator(name: "packagist-out-crc32", isValid: { PackagistTokenChecksum.isValid($0) }, generate: { PackagistTokenChecksum.generate(prefix: "packagist_out_", using: &$0) }),
            Validator(name: "packagist-uut-crc32", isValid: { PackagistTokenChecksum.isValid($0) }, generate: { PackagistTokenChecksum.generate(prefix: "packagist_uut_", using: &$0) }),
            Validator(name: "packagist-cut-crc32", isValid: { PackagistTokenChecksum.isValid($0) }, generate: { PackagistTokenChecksum.generate(prefix: "packagist_cut_", using: &$0) }),
            // age: the Bech32 checksum of an X25519 secret key.
            Validator(name: "age-bech32", isValid: { AgeSecretKey.isValid($0) }, generate: { AgeSecretKey.generate(using: &$0) }),
            genericSecret,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    private static func identifiable(_ name: String, _ format: IdentifiableKeyFormat) -> Validator {
        Validator(name: name, isValid: { IdentifiableKeyChecksum.isValid($0, format: format) }, generate: { IdentifiableKeyChecksum.generate(format: format, using: &$0) })
    }

    func isValid(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        let count = bytes.count
        bytes.append(0)
        return bytes.withUnsafeBytes { isValid(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// A token of the right shape whose checksum fails: a valid one with its last character
    /// changed to another of the same kind (lower, upper, digit), retried until the check fails
    /// (a change can land on bits the checksum ignores); nil when the check never fails that way.
    func generateCorrupted(using rng: inout SeededGenerator) -> String? {
        // Structure validators (a JWT, a macaroon) ignore the last character: give up, don't spin.
        for _ in 0..<32 {
            var bytes = Array(generate(&rng).utf8)
            guard let last = bytes.lastIndex(where: { Self.kind(of: $0) != nil }),
                  let alphabet = Self.kind(of: bytes[last])
            else { continue }
            for _ in 0..<16 {
                let replacement = alphabet.randomElement(using: &rng)!
                guard replacement != bytes[last] else { continue }
                bytes[last] = replacement
                let text = String(decoding: bytes, as: UTF8.self)
                if !isValid(text) { return text }
            }
        }
        return nil
    }

    private static func kind(of byte: UInt8) -> [UInt8]? {
        switch byte {
        case 0x61...0x7A: Array(0x61...0x7A)
        case 0x41...0x5A: Array(0x41...0x5A)
        case 0x30...0x39: Array(0x30...0x39)
        default: nil
        }
    }
}
