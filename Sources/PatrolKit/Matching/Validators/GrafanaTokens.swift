/// Grafana's three token formats and what proves each offline (`reference/token-formats.md`
/// §1d, §1e):
///
/// - service-account tokens `glsa_` + 32 base62 + `_` + 8 hex: the hex is CRC-32 of the first 37
///   characters, stored little-endian (`…_0a2a3df7` for CRC `0xf73d2a0a`);
/// - Grafana Cloud access-policy tokens `glc_` + base64 of a JSON object with keys `o`, `n`,
///   `k` and `m`;
/// - legacy API keys: base64 of a JSON object with keys `k`, `n` and `id` (`eyJrIjoi…`).
enum GrafanaTokens {
    static let serviceAccountPrefix = "glsa_"
    static let serviceAccountLength = 46
    /// Characters covered by the service-account token's CRC: `glsa_` and the 32 random ones.
    static let serviceAccountCoveredLength = 37
    static let cloudTokenPrefix = "glc_"

    static let cloudTokenKeys: [StaticString] = ["o", "n", "k", "m"]
    static let apiKeyKeys: [StaticString] = ["k", "n", "id"]

    /// True when `token` is a `glsa_` token whose last eight hex digits (either case) are the
    /// little-endian CRC-32 of its first 37 characters.
    static func isValidServiceAccountToken(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count == serviceAccountLength, token[serviceAccountCoveredLength] == UInt8(ascii: "_") else { return false }
        var stored: UInt32 = 0
        for (index, byte) in token[(serviceAccountCoveredLength + 1)...].enumerated() {
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: return false
            }
            // Byte `index / 2` of the little-endian value; the high nibble comes first.
            stored |= digit << UInt32(8 * (index / 2) + (index % 2 == 0 ? 4 : 0))
        }
        return CRC32.checksum(UnsafeRawBufferPointer(rebasing: token[..<serviceAccountCoveredLength])) == stored
    }

    /// True when `token` is `glc_` followed by base64 (either alphabet) of a JSON object with
    /// the keys `o`, `n`, `k` and `m`.
    static func isValidCloudToken(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count > cloudTokenPrefix.utf8.count, token.starts(with: cloudTokenPrefix.utf8) else { return false }
        return Base64URL.withDecoded(UnsafeRawBufferPointer(rebasing: token[cloudTokenPrefix.utf8.count...])) {
            JSONObjectScanner.isObject($0, withKeys: cloudTokenKeys)
        } ?? false
    }

    /// True when `token` is base64 of a JSON object with the keys `k`, `n` and `id`.
    static func isValidAPIKey(_ token: UnsafeRawBufferPointer) -> Bool {
        Base64URL.withDecoded(token) { JSONObjectScanner.isObject($0, withKeys: apiKeyKeys) } ?? false
    }

    static func generateServiceAccountToken(using rng: inout SeededGenerator) -> String {
        let covered = serviceAccountPrefix + RandomText.string(from: RandomText.base62, count: 32, using: &rng)
        let crc = Array(covered.utf8).withUnsafeBytes(CRC32.checksum)
        let hex = withUnsafeBytes(of: crc.littleEndian) { littleEndian in
            littleEndian.flatMap { [RandomText.hexLower[Int($0 >> 4)], RandomText.hexLower[Int($0 & 0xF)]] }
        }
        return covered + "_" + String(decoding: hex, as: UTF8.self)
    }

    /// A `glc_` token like Grafana Cloud's: organisation id, token name, key, and region.
    static func generateCloudToken(using rng: inout SeededGenerator) -> String {
        let json = "{\"o\":\"\(Int.random(in: 100_000...9_999_999, using: &rng))\","
            + "\"n\":\"stack-\(Int.random(in: 100_000...999_999, using: &rng))-hm-read\","
            + "\"k\":\"\(RandomText.string(from: RandomText.base62, count: 24, using: &rng))\","
            + "\"m\":{\"r\":\"prod-us-east-0\"}}"
        return cloudTokenPrefix + Array(json.utf8).withUnsafeBytes(Base64.encodedString)
    }

    /// A legacy API key: base64 of `{"k":…,"n":…,"id":…}`.
    static func generateAPIKey(using rng: inout SeededGenerator) -> String {
        let json = "{\"k\":\"\(RandomText.string(from: RandomText.base62, count: 32, using: &rng))\","
            + "\"n\":\"deploy-\(RandomText.string(from: RandomText.lowercase, count: 6, using: &rng))\","
            + "\"id\":\(Int.random(in: 1...99, using: &rng))}"
        return Array(json.utf8).withUnsafeBytes(Base64.encodedString)
    }
}
