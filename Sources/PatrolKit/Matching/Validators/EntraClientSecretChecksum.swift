/// Microsoft Entra ID (Azure AD) application client secrets of the current `8Q~` kind: 40
/// characters, `xxx8Q~` + 31 random + 3 checksum characters, over `a-zA-Z0-9.-_~`.
///
/// Facts from `microsoft/security-utilities` (`IdentifiableMetadata.IsAzureAadClientAppIdentifiableSecret`):
/// the checksum is `Marvin32(first 37 characters, seed "AadPwd00")` as an unsigned 32-bit value,
/// written most significant digit first in the 66-character alphabet
/// `a…z A…Z 1…9 0 . - _ ~` and left-padded with `a` to six digits; the secret keeps the first
/// three. The older `7Q~` secrets have no checksum (their rule is shape-only).
enum EntraClientSecretChecksum {
    static let length = 40
    static let checksumLength = 3
    static let seed = IdentifiableKeyFormat.seed("AadPwd00")
    static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890.-_~".utf8)

    static func isValid(_ secret: UnsafeRawBufferPointer) -> Bool {
        guard secret.count == length,
              secret[3] == UInt8(ascii: "8"), secret[4] == UInt8(ascii: "Q"), secret[5] == UInt8(ascii: "~"),
              secret.allSatisfy({ alphabet.contains($0) })
        else { return false }
        let expected = checksumDigits(of: UnsafeRawBufferPointer(rebasing: secret[0..<(length - checksumLength)]))
        return secret[(length - checksumLength)...].elementsEqual(expected)
    }

    /// The first three of the six checksum digits of `body` (the secret's first 37 characters).
    static func checksumDigits(of body: UnsafeRawBufferPointer) -> [UInt8] {
        var value = Marvin32.hash32(body, seed: seed)
        var digits: [UInt8] = []
        let radix = UInt32(alphabet.count)
        while value > 0 {
            digits.append(alphabet[Int(value % radix)])
            value /= radix
        }
        while digits.count < 6 { digits.append(alphabet[0]) }
        return Array(digits.reversed().prefix(checksumLength))
    }

    static func generate(using rng: inout SeededGenerator) -> String {
        var body = RandomText.bytes(from: alphabet, count: 3, using: &rng)
        body.append(contentsOf: Array("8Q~".utf8))
        body.append(contentsOf: RandomText.bytes(from: alphabet, count: 31, using: &rng))
        body.append(contentsOf: body.withUnsafeBytes(checksumDigits(of:)))
        return String(decoding: body, as: UTF8.self)
    }
}
