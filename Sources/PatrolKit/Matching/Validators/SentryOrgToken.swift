/// Sentry organisation auth tokens: `sntrys_` + base64 of a JSON object + `_` + a 43-character
/// secret (`reference/token-formats.md` §1e, getsentry RFC 0091).
///
/// The JSON names the organisation and where its API lives: `iat`, `url` and/or `region_url`,
/// and `org`. Decoding it proves the structure; the secret itself has no checksum.
enum SentryOrgToken {
    static let prefix = "sntrys_"
    static let secretLength = 43

    static let requiredKeys: [StaticString] = ["iat", "org"]

    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        let count = token.count
        let separator = count - secretLength - 1
        guard separator > prefix.utf8.count, token.starts(with: prefix.utf8), token[separator] == UInt8(ascii: "_") else { return false }
        return Base64URL.withDecoded(UnsafeRawBufferPointer(rebasing: token[prefix.utf8.count..<separator])) { json in
            var hasURL = false
            var hasKeys = JSONObjectScanner.isObject(json, withKeys: requiredKeys)
            hasKeys = hasKeys && JSONObjectScanner.forEachMember(in: json) { key, _ in
                if JSONObjectScanner.equals(key, "url") || JSONObjectScanner.equals(key, "region_url") { hasURL = true }
            }
            return hasKeys && hasURL
        } ?? false
    }

    static func generate(using rng: inout SeededGenerator) -> String {
        let org = "acme-" + RandomText.string(from: RandomText.lowercase, count: 6, using: &rng)
        let json = "{\"iat\":\(Int.random(in: 1_700_000_000...1_800_000_000, using: &rng)).\(Int.random(in: 100_000...999_999, using: &rng)),"
            + "\"url\":\"https://sentry.io\",\"region_url\":\"https://us.sentry.io\",\"org\":\"\(org)\"}"
        return prefix + Array(json.utf8).withUnsafeBytes(Base64.encodedString) + "_"
            + RandomText.string(from: Base64.alphabet, count: secretLength, using: &rng)
    }
}
