import Foundation
import Testing
@testable import PatrolKit

// Every checksum-valid token here is generated at run time (patrol scans its own repository and
// would rightly report a whole one).

/// The cloud, CI, registry and database rules where a one-line example cannot show the point:
/// checksums that prove Private Packagist tokens and age keys, database URIs that are one
/// finding (not a provider one and a generic one), pairs and context values.
@Suite struct CloudAndRegistryRuleTests {
    static let ruleSet = try! RuleLoader.load()

    /// Every rule's findings in `text`, the whole rule set enabled (as `patrol scan` runs).
    private func scan(_ text: String) -> [(rule: String, secret: String, confidence: Confidence, context: [String: String])] {
        let scanner = InputScanner(ruleSet: Self.ruleSet, chunkCapacity: 1 << 18)
        guard case .scanned(_, let occurrences) = scanner.scan(bytes: Array(text.utf8)) else { return [] }
        return occurrences.map { (Self.ruleSet.rules[$0.rule].id, $0.secret, Self.ruleSet.rules[$0.rule].confidence, $0.context.dictionary) }
    }

    private func check(_ name: String, _ text: String) throws -> ValidationResult {
        let validator = try #require(Validator.builtIn[name], "no validator \(name)")
        var bytes = Array(text.utf8)
        let count = bytes.count
        bytes.append(0)
        return bytes.withUnsafeBytes { validator.check(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    private func generate(_ name: String, seed: UInt64) throws -> String {
        let validator = try #require(Validator.builtIn[name], "no validator \(name)")
        var rng = SeededGenerator(seed: seed)
        return validator.generate(&rng)
    }

    /// `token` with the character at `index` replaced by `replacement`.
    private func replacing(_ token: String, at index: Int, with replacement: Character) -> String {
        var characters = Array(token)
        characters[index] = replacement
        return String(characters)
    }

    // MARK: - Private Packagist (CRC-32 in lowercase hex)

    @Test func packagistChecksumIsTheLowercaseHexCrcOfPrefixAndRandomPart() throws {
        let random = String(repeating: "0123456789abcdef", count: 4).prefix(60)
        let body = "packagist_" + "ort_" + random
        let crc = Array(body.utf8).withUnsafeBytes(CRC32.checksum)
        let hex = String(crc, radix: 16)
        let token = body + String(repeating: "0", count: 8 - hex.count) + hex
        #expect(try check("packagist-ort-crc32", token) == .valid)
        #expect(try check("packagist-ort-crc32", body + String(repeating: "0", count: 8 - hex.count) + hex.uppercased()) == (hex == hex.uppercased() ? .valid : .invalid))
    }

    @Test(arguments: ["packagist-ort-crc32", "packagist-out-crc32", "packagist-uut-crc32", "packagist-cut-crc32"])
    func everyOneCharacterChangeOfAPackagistTokenFailsItsChecksum(validator: String) throws {
        for seed: UInt64 in 1...5 {
            let token = try generate(validator, seed: seed)
            #expect(token.count == 82)
            #expect(try check(validator, token) == .valid)
            for index in 14..<token.count {
                for replacement in "0123456789abcdef" where replacement != Array(token)[index] {
                    #expect(try check(validator, replacing(token, at: index, with: replacement)) == .invalid, "\(index)")
                }
            }
            // The CRC covers the prefix too: another kind's prefix breaks it.
            let other = token.replacingOccurrences(of: String(token.prefix(14)), with: token.hasPrefix("packagist_uut_") ? "packagist_ort_" : "packagist_uut_")
            #expect(try check(validator, other) == .invalid)
        }
    }

    @Test func aPackagistTokenIsAValidatedHighConfidenceFindingAndALookAlikeIsNone() throws {
        let token = try generate("packagist-out-crc32", seed: 7)
        let found = scan("{\"http-basic\": {\"repo.packagist.com\": {\"username\": \"token\", \"password\": \"\(token)\"}}}")
        #expect(found.map(\.rule) == ["packagist-out-token"])
        #expect(found.first?.secret == token)
        #expect(found.first?.confidence == .high)
        let lookAlike = replacing(token, at: 40, with: Array(token)[40] == "a" ? "b" : "a")
        #expect(scan("PACKAGIST_TOKEN=\(lookAlike)").isEmpty)
    }

    // MARK: - age (Bech32)

    @Test func ageKeysAreBech32WithTheirHumanReadablePart() throws {
        for seed: UInt64 in 1...20 {
            let key = try generate("age-bech32", seed: seed)
            #expect(key.hasPrefix("AGE-SECRET-KEY-1"))
            #expect(key.count == 74)
            #expect(try check("age-bech32", key) == .valid)
            // Lower case is valid Bech32, but age writes secret keys in upper case only.
            #expect(try check("age-bech32", key.lowercased()) == .invalid)
        }
    }

    @Test func everyOneCharacterChangeOfAnAgeKeyFailsItsChecksum() throws {
        let alphabet = Array("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")
        for seed: UInt64 in 1...3 {
            let key = try generate("age-bech32", seed: seed)
            for index in 16..<key.count {
                for replacement in alphabet where replacement != Array(key)[index] {
                    #expect(try check("age-bech32", replacing(key, at: index, with: replacement)) == .invalid, "\(index)")
                }
            }
            // Swapping two different neighbours is caught as well.
            var characters = Array(key)
            if let index = (20..<60).first(where: { characters[$0] != characters[$0 + 1] }) {
                characters.swapAt(index, index + 1)
                #expect(try check("age-bech32", String(characters)) == .invalid)
            }
        }
    }

    @Test func anAgeKeyFileIsOneHighConfidenceFinding() throws {
        let key = try generate("age-bech32", seed: 11)
        let found = scan("# created: 2024-05-01T10:00:00Z\n# public key: age1qqqq\n\(key)\n")
        #expect(found.map(\.rule) == ["age-secret-key"])
        #expect(found.first?.confidence == .high)
    }

    // MARK: - Database URIs yield no second, generic finding

    private func password(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return GenericSecret.generate(using: &rng)
    }

    @Test(arguments: [
        ("postgres-uri", "DATABASE_URL=postgresql://app:{p}@db.prod.acme.io:5432/app"),
        ("mysql-uri", "url = \"mysql+pymysql://shop:{p}@10.1.2.3/shop\""),
        ("redis-uri", "REDIS_URL=rediss://:{p}@cache.acme.io:6380/0"),
        ("mongodb-uri", "\"uri\": \"mongodb+srv://etl:{p}@prod.x1y2z.mongodb.net/?retryWrites=true\""),
    ])
    func aDatabaseUriIsOneFindingOfItsProviderRule(rule: String, template: String) throws {
        let secret = password(seed: 21)
        let found = scan(template.replacingOccurrences(of: "{p}", with: secret))
        #expect(found.map(\.rule) == [rule], "\(found.map(\.rule))")
        #expect(found.first?.secret == secret)
        #expect(found.first?.confidence == .medium)
        #expect(found.first?.context["host"]?.isEmpty == false)
    }

    @Test func aDatabaseUriToLocalhostIsLeftToTheGenericRuleAtLowConfidence() throws {
        let secret = password(seed: 22)
        for host in ["localhost:5432", "127.0.0.1", "[::1]:5432", "host.docker.internal"] {
            let found = scan("DATABASE_URL=postgres://app:\(secret)@\(host)/app")
            #expect(found.map(\.rule) == ["generic-url-password"], "\(host): \(found.map(\.rule))")
            #expect(found.first?.confidence == .low)
        }
        // A host that merely starts with "localhost" is not local.
        #expect(scan("DATABASE_URL=postgres://app:\(secret)@localhost-db.acme.io/app").map(\.rule) == ["postgres-uri"])
    }

    @Test func aPlanetScalePasswordInAMysqlUriIsOnlyAPlanetScaleFinding() {
        var rng = SeededGenerator(seed: 23)
        let password = "pscale_pw_" + RandomText.string(from: RandomText.base62, count: 43, using: &rng)
        let found = scan("DATABASE_URL=mysql://k2j4h5g6f7d8:\(password)@aws.connect.psdb.cloud/app?sslaccept=strict")
        #expect(found.map(\.rule) == ["planetscale-password"])
        #expect(found.first?.secret == password)
    }

    @Test(arguments: ["password", "changeme", "${DB_PASSWORD}", "<password>", "xxxxxxxxxxxx", "example"])
    func aPlaceholderPasswordInADatabaseUriIsNoFindingAtAll(placeholder: String) {
        #expect(scan("DATABASE_URL=postgres://app:\(placeholder)@db.acme.io/app").isEmpty)
        #expect(scan("MONGODB_URI=mongodb+srv://app:\(placeholder)@c0.ab1cd.mongodb.net/app").isEmpty)
    }

    // MARK: - Context values and pairs

    @Test func aServiceAccountKeyFileNamesItsAccountAndProject() throws {
        var rng = SeededGenerator(seed: 5)
        let keyID = RandomText.string(from: RandomText.hexLower, count: 40, using: &rng)
        let body = RandomText.string(from: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8), count: 64, using: &rng)
        let file = """
        {
          "type": "service_account",
          "project_id": "acme-prod-42",
          "private_key_id": "\(keyID)",
          "private_key": "-----BEGIN PRIVATE KEY-----\\n\(body)\\n-----END PRIVATE KEY-----\\n",
          "client_email": "deployer@acme-prod-42.iam.gserviceaccount.com",
          "client_id": "123456789012345678901"
        }
        """
        let found = scan(file).filter { $0.rule == "gcp-service-account" }
        #expect(found.map(\.secret) == [keyID])
        #expect(found.first?.context["client_email"] == "deployer@acme-prod-42.iam.gserviceaccount.com")
        #expect(found.first?.context["project_id"] == "acme-prod-42")
    }

    @Test func anAlibabaPairIsOneFindingAndALoneIdIsLow() throws {
        var rng = SeededGenerator(seed: 9)
        let id = "LTAI5t" + RandomText.string(from: RandomText.base62, count: 18, using: &rng)
        let secret = "Xk7" + RandomText.string(from: RandomText.base62, count: 27, using: &rng)
        let pair = scan("ALIBABA_CLOUD_ACCESS_KEY_ID=\(id)\nALIBABA_CLOUD_ACCESS_KEY_SECRET=\(secret)\n")
        #expect(pair.map(\.rule) == ["alibaba-access-key"])
        #expect(pair.first?.secret == secret)
        #expect(pair.first?.context["access_key_id"] == id)
        let lone = scan("ALIBABA_CLOUD_ACCESS_KEY_ID=\(id)\n")
        #expect(lone.map(\.rule) == ["alibaba-access-key-id"])
        #expect(lone.first?.confidence == .low)
    }

    @Test func aContextRuleNeedsItsProviderName() throws {
        var rng = SeededGenerator(seed: 13)
        let hex = RandomText.string(from: RandomText.hexLower, count: 37, using: &rng)
        #expect(scan("CLOUDFLARE_API_KEY=\(hex)").map(\.rule) == ["cloudflare-global-key"])
        #expect(scan("X-Auth-Key: \(hex)").map(\.rule) == ["cloudflare-global-key"])
        #expect(!scan("SOME_OTHER_KEY=\(hex)").contains { $0.rule.hasPrefix("cloudflare") })
    }
}
