import Foundation
import Testing
@testable import PatrolKit

// Every checksum-valid token in this file is written as two string literals joined with `+`
// (patrol scans its own repository and would rightly report a whole one). The vectors come from
// reference/token-formats.md §1; the rest are generated at run time.

/// The validator registered under `name`, run on `text`.
private func check(_ name: String, _ text: String) throws -> ValidationResult {
    let validator = try #require(Validator.builtIn[name], "no validator \(name)")
    var bytes = Array(text.utf8)
    let count = bytes.count
    bytes.append(0)
    return bytes.withUnsafeBytes { validator.check(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
}

private func generated(_ name: String, count: Int = 50, seed: UInt64 = 0x5EED) throws -> [String] {
    let validator = try #require(Validator.builtIn[name], "no validator \(name)")
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in validator.generate(&rng) }
}

/// Every single-character change of `token` within `alphabet` that `name` still accepts.
private func mutationsStillValid(_ name: String, _ token: String, alphabet: String = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", positions: Range<Int>? = nil) throws -> [String] {
    let validator = try #require(Validator.builtIn[name])
    var bytes = Array(token.utf8)
    var accepted: [String] = []
    for position in positions ?? bytes.indices {
        let original = bytes[position]
        for replacement in alphabet.utf8 where replacement != original {
            bytes[position] = replacement
            if bytes.withUnsafeBytes(validator.check) == .valid { accepted.append("\(Character(Unicode.Scalar(replacement)))@\(position)") }
        }
        bytes[position] = original
    }
    return accepted
}

// MARK: - GitHub and npm (CRC-32, base62)

@Test func gitHubReferenceVectorsValidate() throws {
    #expect(try check("github-ghp-crc32", "ghp_Jwtbv3P1xSOcnNzB8vrMWh" + "dbT0q7QP3yGq0R") == .valid)  // patrol:allow (a reference vector, split so that it is no whole token in the file)
    #expect(try check("npm-crc32", "npm_Alm0StFaK3t0kEN8uTval1" + "DcRC32dc1Bscp5") == .valid)  // patrol:allow (a reference vector, split so that it is no whole token in the file)
    #expect(try check("github-gho-crc32", "gho_" + String(repeating: "0", count: 30) + "2C8GjS") == .valid)
}

@Test func gitHubChecksumIsBase62OfTheCrcOfTheRandomPart() {
    let random = Array(("Jwtbv3P1xSOc" + "nNzB8vrMWhdbT0q7QP").utf8)
    #expect(random.withUnsafeBytes(CRC32.checksum) == 0xD8E6_9BCB)
    var checksum = [UInt8](repeating: 0, count: 6)
    random.withUnsafeBytes { random in checksum.withUnsafeMutableBytes { GitHubTokenChecksum.writeChecksum(of: random, into: $0) } }
    #expect(String(decoding: checksum, as: UTF8.self) == "3yGq" + "0R")
    // Small CRCs are left-padded with '0'.
    let zeros = Array(String(repeating: "0", count: 30).utf8)
    zeros.withUnsafeBytes { random in checksum.withUnsafeMutableBytes { GitHubTokenChecksum.writeChecksum(of: random, into: $0) } }
    #expect(String(decoding: checksum, as: UTF8.self) == "2C8GjS")
}

@Test func gitHubRejectsTheWrongAlphabetOrderWrongPrefixAndWrongLength() throws {
    // 0-9a-zA-Z order gives "3YgQ0r", which must not validate.
    #expect(try check("github-ghp-crc32", "ghp_Jwtbv3P1xSOcnNzB8vrMWh" + "dbT0q7QP3YgQ0r") == .invalid)
    #expect(try check("github-gho-crc32", "ghp_Jwtbv3P1xSOcnNzB8vrMWh" + "dbT0q7QP3yGq0R") == .invalid, "the prefix must match the rule's")  // patrol:allow (a reference vector, split so that it is no whole token in the file)
    #expect(try check("github-ghp-crc32", "ghp_Jwtbv3P1xSOcnNzB8vrMWh" + "dbT0q7QP3yGq0") == .invalid)
    #expect(try check("github-ghp-crc32", "") == .invalid)
}

@Test(arguments: ["github-ghp-crc32", "github-gho-crc32", "github-ghu-crc32", "github-ghs-crc32", "github-ghr-crc32", "npm-crc32"])
func generatedGitHubStyleTokensValidateAndFailWhenACharacterChanges(name: String) throws {
    for token in try generated(name, count: 20) {
        #expect(token.wholeMatch(of: /(ghp|gho|ghu|ghs|ghr|npm)_[A-Za-z0-9]{36}/) != nil, "\(token)")
        #expect(try check(name, token) == .valid, "\(token)")
        #expect(try mutationsStillValid(name, token, positions: 4..<40).isEmpty, "\(token)")
    }
}

// MARK: - GitLab routable tokens (CRC-32, base36, length field)

@Test func gitLabDesignDocumentExampleValidates() throws {
    // No prefix: the CRC covers the payload, the dot and the length field.
    #expect(try check("gitlab-routable", "bzoxd_Rb5_cHeWe1JH56wr2FCBA" + ".0r1pum4t4") == .valid)
    #expect(try check("gitlab-routable", "bzoxd_Rb5_cHeWe1JH56wr2FCBA" + ".0r1pum4t5") == .invalid)
    #expect(try check("gitlab-routable", "bzoxd_Rb5_cHeWe1JH56wr2FCBB" + ".0r1pum4t4") == .invalid)
}

@Test func gitLabVersionedExampleValidatesAndAFailureIsUnverifiedUnlessThePayloadConfirmsTheLayout() throws {
    let body = "glpat-YzoxCm86MQp1OjEAAQIDBAUGBwgJCgsMDQ4PEA" + ".01.12"
    #expect(try check("gitlab-routable-v1", body + "152k44n") == .valid)
    // The payload decodes to the design's `c:`/`o:`/`u:` lines, 16 random bytes and their
    // count: the layout is confirmed, so a failed checksum rejects the token.
    #expect(try check("gitlab-routable-v1", body + "152k44m") == .invalid)
    // The versioned layout is marked unverified in the reference: a failed check on a payload
    // that does not confirm it is reported with validated: false instead of being dropped.
    let unstructured = "glpat-" + String(repeating: "Qk", count: 19) + ".01.12"
    #expect(try check("gitlab-routable-v1", unstructured + "152k44m") == .unverified)
    #expect(try check("gitlab-routable-v1", "glpat-YzoxCm86MQp1OjEAAQIDBAUGBwgJCgsMDQ4PEA" + ".01.11152k44n") == .unverified, "wrong length field")  // patrol:allow (a reference vector, split so that it is no whole token in the file)
}

@Test func gitLabLengthFieldMustMatchThePayload() throws {
    // The design example with its length field claiming 26 characters instead of 27.
    let body = "glpat-bzoxd_Rb5_cHeWe1JH56wr2FCBA.0q"
    let crc = String(Array(body.utf8).withUnsafeBytes(CRC32.checksum), radix: 36)
    #expect(try check("gitlab-routable", body + String(repeating: "0", count: 7 - crc.count) + crc) == .valid,
            "26 characters before the dot are a payload too; the prefix absorbs the rest")
    let wrong = "glpat-bzoxd_Rb5_cHeWe1JH56wr2FCBA.zz"
    let wrongCRC = String(Array(wrong.utf8).withUnsafeBytes(CRC32.checksum), radix: 36)
    #expect(try check("gitlab-routable", wrong + String(repeating: "0", count: 7 - wrongCRC.count) + wrongCRC) == .invalid, "a payload longer than the token")
}

@Test(arguments: ["gitlab-routable", "gitlab-routable-v1", "gitlab-runner-routable"])
func generatedGitLabTokensValidate(name: String) throws {
    for token in try generated(name, count: 30) {
        #expect(token.wholeMatch(of: /(glpat-|glrt-t1_)[0-9A-Za-z_-]{27,300}\.(01\.)?[0-9a-z]{2}[0-9a-z]{7}/) != nil, "\(token)")
        #expect(try check(name, token) == .valid, "\(token)")
        let changed = String(token.dropLast()) + (token.last == "a" ? "b" : "a")
        #expect(try check(name, changed) == .invalid, "\(changed)")
    }
}

// MARK: - Atlassian and Bitbucket (CRC-32, hex)

@Test func bitbucketReferenceVectorValidates() throws {
    #expect(try check("bitbucket-crc32", "ATBBcCe6fczW96Vzwgvb" + "4r8F2gZS54D591C4") == .valid)  // patrol:allow (a reference vector, split so that it is no whole token in the file)
    #expect(try check("bitbucket-crc32", "ATBBcCe6fczW96Vzwgvb" + "4r8F2gZS54D591C5") == .invalid)
    #expect(try check("bitbucket-crc32", "ATBBcCe6fczW96Vzwgvb" + "4r8F2gZS54d591c4") == .invalid, "the checksum is uppercase hex")
}

@Test func atlassianTokensValidateWithAnEscapedEqualsSign() throws {
    for token in try generated("atlassian-crc32", count: 20) {
        #expect(token.utf8.count == 192 && token.hasPrefix("ATATT3xFfGF0"), "\(token)")
        #expect(try check("atlassian-crc32", token) == .valid)
        let checksum = token.suffix(8)
        let body = token.dropLast(9)
        #expect(try check("atlassian-crc32", body + "%3D" + checksum) == .valid)
        #expect(try check("atlassian-crc32", body + "%3d" + checksum) == .valid)
        #expect(try check("atlassian-crc32", body + "\\=" + checksum) == .valid)
        #expect(try check("atlassian-crc32", body + "%3E" + checksum) == .invalid)
        #expect(try mutationsStillValid("atlassian-crc32", token, positions: 12..<183).isEmpty)
    }
}

// MARK: - Grafana

@Test func grafanaServiceAccountReferenceVectorValidates() throws {
    let covered = "glsa_ThisI5NtTheTok3n" + "You8reLo0k1ngF0r"
    #expect(Array(covered.utf8).withUnsafeBytes(CRC32.checksum) == 0xF73D_2A0A)
    #expect(try check("grafana-glsa-crc32", covered + "_0a2a3df7") == .valid)
    #expect(try check("grafana-glsa-crc32", covered + "_0A2A3DF7") == .valid, "hex in either case")
    #expect(try check("grafana-glsa-crc32", covered + "_f73d2a0a") == .invalid, "the CRC is stored little-endian")
    for token in try generated("grafana-glsa-crc32") {
        #expect(try check("grafana-glsa-crc32", token) == .valid)
    }
}

@Test func grafanaCloudTokensAndApiKeysNeedTheirJsonKeys() throws {
    func encoded(_ json: String) -> String { Array(json.utf8).withUnsafeBytes(Base64.encodedString) }
    #expect(try check("grafana-cloud-token", "glc_" + encoded(#"{"o":"1","n":"x","k":"abc","m":{"r":"us"}}"#)) == .valid)
    #expect(try check("grafana-cloud-token", "glc_" + encoded(#"{"o":"1","n":"x","k":"abc"}"#)) == .invalid)
    #expect(try check("grafana-cloud-token", "glc_" + encoded(#"{"o":"1","n":"x","k":"abc","m":{"r":"us"}} trailing"#)) == .invalid)
    #expect(try check("grafana-api-key", encoded(#"{"k":"abc","n":"deploy","id":1}"#)) == .valid)
    #expect(try check("grafana-api-key", encoded(#"{"k":"abc","n":"deploy"}"#)) == .invalid)
    for token in try generated("grafana-cloud-token") + (try generated("grafana-api-key")) {
        #expect(try check(token.hasPrefix("glc_") ? "grafana-cloud-token" : "grafana-api-key", token) == .valid, "\(token)")
    }
}

// MARK: - JSON and JWT

@Test func jsonScannerAcceptsObjectsAndRejectsEverythingElse() {
    func isObject(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { JSONObjectScanner.forEachMember(in: $0) { _, _ in } }
    }
    for good in [#"{}"#, #" {"a":1} "#, #"{"a":[1,2.5,-3e+2,true,false,null,{"b":"\u00e9\n"}]}"#, "{\"a\":\n\"b\"}"] {
        #expect(isObject(good), "\(good)")
    }
    for bad in [#""#, #"[]"#, #"{"a"}"#, #"{"a":01}"#, #"{"a":1,}"#, #"{"a":"b}"#, #"{"a":tru}"#, #"{"a":"\x"}"#, #"{} {}"#,
                String(repeating: "[", count: 40) + String(repeating: "]", count: 40)] {
        #expect(!isObject(bad), "\(bad)")
    }
}

private func jwt(header: String, payload: String = #"{"sub":"1"}"#, signatureBytes: Int) -> String {
    Base64URL.encodedString(Array(header.utf8)) + "." + Base64URL.encodedString(Array(payload.utf8)) + "."
        + Base64URL.encodedString([UInt8](repeating: 0x5A, count: signatureBytes))
}

@Test func jwtNeedsAHeaderWithAlgAndASignatureOfItsSize() throws {
    #expect(try check("jwt", jwt(header: #"{"alg":"HS256","typ":"JWT"}"#, signatureBytes: 32)) == .valid)
    #expect(try check("jwt", jwt(header: #"{"typ":"JWT","alg":"RS256"}"#, signatureBytes: 256)) == .valid)
    #expect(try check("jwt", jwt(header: #"{"alg":"ES384"}"#, signatureBytes: 96)) == .valid)
    #expect(try check("jwt", jwt(header: #"{"alg":"X-CUSTOM"}"#, signatureBytes: 40)) == .valid, "an unknown algorithm is not size-checked")
    #expect(try check("jwt", jwt(header: #"{"alg":"HS256"}"#, signatureBytes: 33)) == .invalid)
    #expect(try check("jwt", jwt(header: #"{"alg":"RS256"}"#, signatureBytes: 200)) == .invalid)
    #expect(try check("jwt", jwt(header: #"{"alg":"none"}"#, signatureBytes: 0)) == .invalid, "unsigned")
    #expect(try check("jwt", jwt(header: #"{"typ":"JWT"}"#, signatureBytes: 32)) == .invalid, "no alg")
    #expect(try check("jwt", jwt(header: #"{"alg":256}"#, signatureBytes: 32)) == .invalid, "alg is not a string")
    #expect(try check("jwt", jwt(header: #"{"alg":"HS256"}"#, payload: "[1]", signatureBytes: 32)) == .invalid, "the payload is not an object")
    #expect(try check("jwt", jwt(header: #"{"alg":"HS256"}"#, signatureBytes: 32) + ".x") == .invalid, "four segments")
    for token in try generated("jwt") {
        #expect(try check("jwt", token) == .valid, "\(token)")
        #expect(try check("jwt", token + "xq7") == .invalid, "glued: \(token)")
    }
}

@Test func gitHubStatelessTokensAreJwtsAfterTheAppId() throws {
    for token in try generated("github-stateless-jwt", count: 10) {
        #expect(token.wholeMatch(of: /ghs_[0-9]+_eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/) != nil, "\(token)")
        #expect(try check("github-stateless-jwt", token) == .valid)
        #expect(try check("github-stateless-jwt", token + "xq7") == .invalid, "a readable JWT with a wrong-sized signature")
    }
    // The layout is unverified: what is not a readable JWT is reported, unproven.
    #expect(try check("github-stateless-jwt", "ghs_12345_eyJ" + String(repeating: "A", count: 40) + ".abc.def") == .unverified)
    #expect(try check("github-stateless-jwt", "ghs_x_" + jwt(header: #"{"alg":"HS256"}"#, signatureBytes: 32)) == .invalid)
}

// MARK: - PyPI, Vault, Discord, Sentry

@Test func pypiTokensAreWellFormedMacaroonsForPyPI() throws {
    let fixedPrefix = "pypi-AgEIcHlwaS5vcmc"
    for token in try generated("pypi-macaroon") {
        #expect(token.hasPrefix(fixedPrefix + "CJ"), "\(token)")
        #expect(try check("pypi-macaroon", token) == .valid, "\(token)")
        #expect(try check("pypi-macaroon", token + "xq7") == .invalid, "glued")
        #expect(try check("pypi-macaroon", String(token.dropLast(4))) == .invalid, "cut short")
    }
    for token in try generated("testpypi-macaroon") {
        #expect(token.hasPrefix("pypi-AgENdGVzdC5weXBpLm9yZw"), "\(token)")
        #expect(try check("testpypi-macaroon", token) == .valid)
    }
    // A macaroon for another location is not a PyPI token.
    var other: [UInt8] = [2, 1, 11] + Array("example.org".utf8) + [2, 4] + Array("abcd".utf8) + [0, 0, 6, 32]
    other += [UInt8](repeating: 7, count: 32)
    #expect(try check("pypi-macaroon", "pypi-" + Base64URL.encodedString(other)) == .invalid)
}

@Test func vaultServiceTokensParseAsSignedTokenProtobufs() throws {
    for token in try generated("vault-service-token") {
        #expect(token.hasPrefix("hvs.CAESI"), "\(token)")
        #expect(token.utf8.count >= 90 && token.utf8.count <= 100, "\(token.utf8.count)")
        #expect(try check("vault-service-token", token) == .valid, "\(token)")
        #expect(try check("vault-service-token", token + "xq7") == .invalid)
    }
    // A namespaced token: the Token's random id carries ".nsid", and local_index is two bytes.
    let random = Array(("hvs." + String(repeating: "k", count: 24) + ".QXRq6").utf8)
    let inner: [UInt8] = [0x0A, UInt8(random.count)] + random + [0x10, 0x97, 0x01]
    let signed: [UInt8] = [0x08, 0x01, 0x12, 0x20] + [UInt8](repeating: 0x33, count: 32) + [0x1A, UInt8(inner.count)] + inner
    let namespaced = "hvs." + Base64URL.encodedString(signed)
    #expect(namespaced.utf8.count == 4 + 103)
    #expect(try check("vault-service-token", namespaced) == .valid)
    var wrongHMAC = signed
    wrongHMAC[3] = 0x1F
    #expect(try check("vault-service-token", "hvs." + Base64URL.encodedString(wrongHMAC)) == .invalid)
}

@Test func discordBotTokensStartWithABase64Snowflake() throws {
    func token(id: String) -> String {
        Array(id.utf8).withUnsafeBytes(Base64.encodedString).filter { $0 != "=" } + ".GhIjKl." + String(repeating: "x", count: 38)
    }
    #expect(try check("discord-bot-token", token(id: "198622483471925248")) == .valid)
    #expect(try check("discord-bot-token", token(id: "1234")) == .invalid, "too few digits")
    #expect(try check("discord-bot-token", token(id: "19862248347192524x")) == .invalid, "not a number")
    #expect(try check("discord-bot-token", token(id: "9999999999999999999")) == .invalid, "beyond 63 bits")
    for generated in try generated("discord-bot-token") {
        #expect(generated.wholeMatch(of: /[MNO][DTjz][AEIMQUYcgk][A-Za-z0-9]{20,23}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{38}/) != nil, "\(generated)")
        #expect(try check("discord-bot-token", generated) == .valid)
    }
}

@Test func sentryOrgTokensCarryTheirOrganisationAsJson() throws {
    for token in try generated("sentry-org-token") {
        #expect(token.hasPrefix("sntrys_eyJpYXQiO"), "\(token)")
        #expect(try check("sentry-org-token", token) == .valid, "\(token)")
    }
    let noURL = Array(#"{"iat":1,"org":"acme"}"#.utf8).withUnsafeBytes(Base64.encodedString)
    #expect(try check("sentry-org-token", "sntrys_" + noURL + "_" + String(repeating: "a", count: 43)) == .invalid)
}

// MARK: - Every validator

@Test(arguments: Validator.builtIn.keys.sorted())
func generatedTokensAreValidAndReproducible(name: String) throws {
    let first = try generated(name, count: 20, seed: 99)
    #expect(first == (try generated(name, count: 20, seed: 99)))
    for token in first {
        #expect(try check(name, token) == .valid, "\(name): \(token)")
    }
}

@Test(arguments: Validator.builtIn.keys.sorted())
func validatorsRejectEmptyShortAndForeignInputWithoutCrashing(name: String) throws {
    for text in ["", "a", "ghp_", "glpat-.", "....", "=====", "eyJ.eyJ.", String(repeating: "\u{FF}", count: 64)] {
        #expect(try check(name, text) != .valid, "\(name) accepted \(text.debugDescription)")
    }
}
