/// Signed JSON Web Tokens (RFC 7519, compact JWS: `header.payload.signature`, base64url).
///
/// A string of three base64url segments is only a JWT when its header decodes to a JSON object
/// naming an algorithm, so that is the check: the header is a JSON object with a string `alg`
/// (not `none`: an unsigned token is not a credential), and the payload decodes to something
/// that starts like a JSON object. For the algorithms whose signature size is fixed (HMAC,
/// ECDSA, EdDSA, and RSA with 1024- to 4096-bit keys) the signature must decode to exactly that
/// many bytes, which also tells a real token from one with characters glued to its end.
///
/// GitHub's stateless installation tokens (`ghs_<app id>_<JWT>`, 2026) carry such a JWT; their
/// layout is marked unverified in the reference, so ``checkGitHubStateless(_:)`` answers
/// `.unverified`, not `.invalid`, when the embedded token is not a JWT we can read.
enum JSONWebToken {
    /// The outcome of reading a compact JWS.
    enum Reading: Equatable {
        /// A signed JWT whose signature size fits its algorithm.
        case signed
        /// A JWT header we could read, with a signature of the wrong size for its algorithm, or
        /// `alg: none`: malformed, truncated or glued to other text.
        case inconsistent
        /// Not three segments, not base64url, or no JSON header with `alg`.
        case notAJWT
    }

    /// A signed JWT that is not a published example (see ``isPublicExample(payload:)``) and
    /// whose claims name a holder (see ``namesAHolder(payload:)``).
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        guard read(token) == .signed,
              let firstDot = token.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = token[(firstDot + 1)...].firstIndex(of: UInt8(ascii: "."))
        else { return false }
        let payload = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        return !isPublicExample(payload: payload) && namesAHolder(payload: payload)
    }

    /// Whether some claim of the payload says who or what the token is for: a registered claim
    /// of RFC 7519 (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`) or a name about a holder or
    /// a grant (`user_id`, `scope`, `roles`, `client_id`, `tenant`, `session`, `email`, …).
    /// A signed statement about data is not a credential: Hugging Face's model cards carry a
    /// `verifyToken` for each evaluation result, a JWT whose only claims are `hash` and
    /// `version`, published on purpose. Such a token grants nothing to whoever holds it.
    /// A payload that is not a JSON object with members is left to the other checks (true).
    static func namesAHolder(payload: UnsafeRawBufferPointer) -> Bool {
        Base64URL.withDecoded(payload) { claims -> Bool in
            var members = 0, holder = false
            let complete = JSONObjectScanner.forEachMember(in: claims) { key, _ in
                members += 1
                if !holder, isHolderClaim(key) { holder = true }
            }
            return !complete || members == 0 || holder
        } ?? true
    }

    private static let registeredClaims: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]
    /// Parts of claim names about a holder or what it may do, compared in lower case.
    private static let holderWords = [
        "id", "user", "name", "mail", "login", "account", "owner", "client", "app", "tenant", "org",
        "team", "group", "role", "scope", "scp", "perm", "grant", "priv", "admin", "auth", "sess",
        "tok", "key", "cred", "nonce", "upn", "azp"
    ]

    private static func isHolderClaim(_ key: UnsafeRawBufferPointer) -> Bool {
        let name = String(decoding: key, as: UTF8.self).lowercased()
        if registeredClaims.contains(name) { return true }
        return holderWords.contains { name.contains($0) }
    }

    /// Whether the payload (base64url) holds the claims of a token printed in documentation,
    /// copied into countless READMEs and tests: jwt.io's default (`"sub": "1234567890"` with
    /// `"name": "John Doe"` or its fixed `"iat": 1516239022`, whatever name a copy gives it),
    /// RFC 7519's example (`"iss": "joe"` with the claim `http://example.com/is_root`), and AWS's
    /// documentation samples, which mark their made-up values with `EXAMPLE`
    /// (`"sts:identity_context": "EXAMPLEIDENTITYCONTEXT"`), whatever their signature. Known by
    /// their claims, not by the token text, so a re-signed copy is recognised too.
    static func isPublicExample(payload: UnsafeRawBufferPointer) -> Bool {
        Base64URL.withDecoded(payload) { claims -> Bool in
            var jwtIOSubject = false, jwtIOName = false, jwtIOIssuedAt = false
            var rfcIssuer = false, rfcClaim = false, awsExample = false
            JSONObjectScanner.forEachMember(in: claims) { key, value in
                let text = JSONObjectScanner.stringContents(value)
                if JSONObjectScanner.equals(key, "sub"), let text, JSONObjectScanner.equals(text, "1234567890") { jwtIOSubject = true }
                if JSONObjectScanner.equals(key, "name"), let text, JSONObjectScanner.equals(text, "John Doe") { jwtIOName = true }
                if JSONObjectScanner.equals(key, "iat"), JSONObjectScanner.equals(value, "1516239022") { jwtIOIssuedAt = true }
                if JSONObjectScanner.equals(key, "iss"), let text, JSONObjectScanner.equals(text, "joe") { rfcIssuer = true }
                if JSONObjectScanner.equals(key, "http://example.com/is_root") { rfcClaim = true }
                if let text, text.count >= 7, containsExampleMarker(text) { awsExample = true }
            }
            return (jwtIOSubject && (jwtIOName || jwtIOIssuedAt)) || (rfcIssuer && rfcClaim) || awsExample
        } ?? false
    }

    /// `EXAMPLE` in capitals inside a claim's text: AWS's documentation convention for made-up
    /// values (`AKIAIOSFODNN7EXAMPLE`, `EXAMPLEIDENTITYCONTEXT`), which a token issued by a
    /// provider never carries in a claim.
    private static func containsExampleMarker(_ text: UnsafeRawBufferPointer) -> Bool {
        let marker: [UInt8] = Array("EXAMPLE".utf8)
        guard text.count >= marker.count else { return false }
        for start in 0...(text.count - marker.count) where text[start] == marker[0] {
            if (1..<marker.count).allSatisfy({ text[start + $0] == marker[$0] }) { return true }
        }
        return false
    }

    /// `ghs_` + digits + `_` + a JWT: `.valid` when the JWT reads as signed, `.invalid` when it
    /// reads but is inconsistent, `.unverified` when it is not a JWT we can read.
    static func checkGitHubStateless(_ token: UnsafeRawBufferPointer) -> ValidationResult {
        guard token.count > 6, token.starts(with: "ghs_".utf8) else { return .invalid }
        var index = 4
        while index < token.count, token[index] >= 0x30, token[index] <= 0x39 { index += 1 }
        guard index > 4, index < token.count, token[index] == UInt8(ascii: "_") else { return .invalid }
        switch read(UnsafeRawBufferPointer(rebasing: token[(index + 1)...])) {
        case .signed: return .valid
        case .inconsistent: return .invalid
        case .notAJWT: return .unverified
        }
    }

    static func read(_ token: UnsafeRawBufferPointer) -> Reading {
        guard let firstDot = token.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = token[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
              !token[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { return .notAJWT }
        let header = UnsafeRawBufferPointer(rebasing: token[..<firstDot])
        let payload = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let signature = UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
        guard !header.isEmpty, !payload.isEmpty,
              header.allSatisfy(isBase64URL), payload.allSatisfy(isBase64URL), signature.allSatisfy(isBase64URL)
        else { return .notAJWT }

        var algorithm = Algorithm.unknown
        let headerIsJWT = Base64URL.withDecoded(header) { decoded -> Bool in
            var hasAlgorithm = false
            let isObject = JSONObjectScanner.forEachMember(in: decoded) { key, value in
                guard JSONObjectScanner.equals(key, "alg"), let name = JSONObjectScanner.stringContents(value) else { return }
                hasAlgorithm = true
                algorithm = Algorithm(name)
            }
            return isObject && hasAlgorithm
        } ?? false
        guard headerIsJWT, payloadStartsLikeAnObject(payload) else { return .notAJWT }
        guard algorithm != .unsigned, signature.count % 4 != 1 else { return .inconsistent }
        let signatureBytes = signature.count * 3 / 4
        return algorithm.acceptsSignature(ofLength: signatureBytes) ? .signed : .inconsistent
    }

    /// The first bytes of the payload (decoded from its first four characters) are optional
    /// whitespace and then `{`.
    private static func payloadStartsLikeAnObject(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 2 else { return false }
        let head = UnsafeRawBufferPointer(rebasing: payload[..<min(4, payload.count)])
        return Base64URL.withDecoded(head) { decoded in
            for byte in decoded {
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D: continue
                case UInt8(ascii: "{"): return true
                default: return false
                }
            }
            return false
        } ?? false
    }

    /// What an `alg` value says about the signature's size.
    enum Algorithm: Equatable {
        /// `alg: none`: no signature.
        case unsigned
        case fixed(bytes: Int)
        /// RSA: the signature is as long as the modulus.
        case rsa
        case unknown

        init(_ name: UnsafeRawBufferPointer) {
            func named(_ text: StaticString) -> Bool { JSONObjectScanner.equals(name, text) }
            if named("none") {
                self = .unsigned
            } else if named("HS256") {
                self = .fixed(bytes: 32)
            } else if named("HS384") {
                self = .fixed(bytes: 48)
            } else if named("HS512") || named("ES256") || named("ES256K") || named("EdDSA") || named("Ed25519") {
                self = .fixed(bytes: 64)
            } else if named("ES384") {
                self = .fixed(bytes: 96)
            } else if named("Ed448") {
                self = .fixed(bytes: 114)
            } else if named("ES512") {
                self = .fixed(bytes: 132)
            } else if named("RS256") || named("RS384") || named("RS512") || named("PS256") || named("PS384") || named("PS512") {
                self = .rsa
            } else {
                self = .unknown
            }
        }

        func acceptsSignature(ofLength bytes: Int) -> Bool {
            switch self {
            case .unsigned: bytes == 0
            case .fixed(let length): bytes == length
            // 1024-, 2048-, 3072- and 4096-bit keys.
            case .rsa: bytes == 128 || bytes == 256 || bytes == 384 || bytes == 512
            case .unknown: bytes >= 16
            }
        }
    }

    /// A fresh signed JWT: an `HS256`, `RS256` or `ES256` header, a payload with a subject, an
    /// issuer and issue and expiry times, and random signature bytes of the algorithm's size.
    static func generate(using rng: inout SeededGenerator) -> String {
        let (name, signatureLength) = [("HS256", 32), ("RS256", 256), ("ES256", 64)][Int.random(in: 0..<3, using: &rng)]
        let issuedAt = Int.random(in: 1_700_000_000...1_800_000_000, using: &rng)
        let header = "{\"alg\":\"\(name)\",\"typ\":\"JWT\"}"
        let payload = "{\"sub\":\"\(Int.random(in: 1_000...99_999_999, using: &rng))\","
            + "\"iss\":\"https://auth.\(RandomText.string(from: RandomText.lowercase, count: 8, using: &rng)).example\","
            + "\"iat\":\(issuedAt),\"exp\":\(issuedAt + 3600)}"
        return Base64URL.encodedString(Array(header.utf8)) + "."
            + Base64URL.encodedString(Array(payload.utf8)) + "."
            + Base64URL.encodedString(RandomText.randomBytes(count: signatureLength, using: &rng))
    }

    /// A stateless installation token: `ghs_`, an app id, `_` and an `RS256` JWT.
    static func generateGitHubStateless(using rng: inout SeededGenerator) -> String {
        let issuedAt = Int.random(in: 1_770_000_000...1_800_000_000, using: &rng)
        let header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"\(RandomText.string(from: RandomText.hexLower, count: 16, using: &rng))\"}"
        let payload = "{\"iss\":\"https://github.com\",\"iat\":\(issuedAt),\"exp\":\(issuedAt + 3600),"
            + "\"installation_id\":\(Int.random(in: 10_000_000...99_999_999, using: &rng))}"
        return "ghs_\(Int.random(in: 100_000...9_999_999, using: &rng))_"
            + Base64URL.encodedString(Array(header.utf8)) + "."
            + Base64URL.encodedString(Array(payload.utf8)) + "."
            + Base64URL.encodedString(RandomText.randomBytes(count: 256, using: &rng))
    }

    @inline(__always)
    private static func isBase64URL(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
