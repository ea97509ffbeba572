/// Private Packagist authentication tokens: a prefix (`packagist_ort_`, `packagist_out_`,
/// `packagist_uut_`, `packagist_cut_`), 60 random lowercase hex characters and an eight-character
/// checksum, the CRC-32 of the prefix and the random part in lowercase hex padded to eight
/// (Private Packagist's "Composer Authentication" documentation, "How to calculate the checksum").
enum PackagistTokenChecksum {
    static let prefixLength = 14   // "packagist_" + three letters + "_"
    static let randomLength = 60
    static let checksumLength = 8
    static let tokenLength = prefixLength + randomLength + checksumLength

    /// True when `token` is a prefix, 60 lowercase hex characters and the lowercase hex CRC-32
    /// of everything before the checksum. Allocates nothing.
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count == tokenLength else { return false }
        let covered = prefixLength + randomLength
        for byte in token[prefixLength...] where !isLowerHex(byte) { return false }
        var embedded: UInt32 = 0
        for byte in token[covered...] {
            embedded = embedded << 4 | UInt32(byte <= 0x39 ? byte - 0x30 : byte - 0x61 + 10)
        }
        return CRC32.checksum(UnsafeRawBufferPointer(rebasing: token[..<covered])) == embedded
    }

    /// A fresh token with `prefix` (e.g. `packagist_ort_`): 60 random hex characters and the
    /// checksum.
    static func generate(prefix: String, using rng: inout SeededGenerator) -> String {
        let body = prefix + RandomText.string(from: RandomText.hexLower, count: randomLength, using: &rng)
        let crc = Array(body.utf8).withUnsafeBytes(CRC32.checksum)
        let hex = String(crc, radix: 16, uppercase: false)
        return body + String(repeating: "0", count: checksumLength - hex.count) + hex
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }
}
