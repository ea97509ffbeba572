/// Atlassian API tokens (`ATATT3…`, Jira, Confluence, Bitbucket) and Bitbucket app passwords
/// (`ATBB…`): the last eight characters are the CRC-32 of everything before them, in uppercase
/// hex (`reference/token-formats.md` §1c, verified on public samples).
///
/// In an API token the checksum follows an `=` that the CRC covers. Written into a URL or a
/// properties file that `=` may appear escaped as `%3D` or `\=`; the check then covers the text
/// with the escape read back as `=`, as Atlassian computed it.
enum AtlassianTokenChecksum {
    static let checksumLength = 8
    static let apiTokenPrefix = "ATATT3xFfGF0"
    static let appPasswordPrefix = "ATBB"
    /// Random characters in a 192-character API token and a 36-character app password.
    static let apiTokenBodyLength = 171
    static let appPasswordBodyLength = 24

    /// True when the last eight bytes of `token` are uppercase hex equal to the CRC-32 of the
    /// rest (with a `%3D` or `\=` just before them read as `=`). Allocates nothing; an escaped
    /// token is unescaped into a stack buffer.
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        let count = token.count
        guard count > checksumLength + 4, let embedded = hexValue(UnsafeRawBufferPointer(rebasing: token[(count - checksumLength)...])) else { return false }
        let covered = count - checksumLength
        let escapeLength: Int
        if covered >= 3, token[covered - 3] == UInt8(ascii: "%"), token[covered - 2] == UInt8(ascii: "3"), token[covered - 1] | 0x20 == UInt8(ascii: "d") {
            escapeLength = 3
        } else if covered >= 2, token[covered - 2] == UInt8(ascii: "\\"), token[covered - 1] == UInt8(ascii: "=") {
            escapeLength = 2
        } else {
            return CRC32.checksum(UnsafeRawBufferPointer(rebasing: token[..<covered])) == embedded
        }
        let unescapedCount = covered - escapeLength + 1
        return withUnsafeTemporaryAllocation(byteCount: unescapedCount, alignment: 1) { unescaped in
            unescaped.copyMemory(from: UnsafeRawBufferPointer(rebasing: token[..<(covered - escapeLength)]))
            unescaped[unescapedCount - 1] = UInt8(ascii: "=")
            return CRC32.checksum(UnsafeRawBufferPointer(unescaped)) == embedded
        }
    }

    /// A fresh 192-character API token: the fixed prefix, 171 base64url characters, `=` and the
    /// checksum.
    static func generateAPIToken(using rng: inout SeededGenerator) -> String {
        withChecksum(apiTokenPrefix + RandomText.string(from: Base64URL.alphabet, count: apiTokenBodyLength, using: &rng) + "=")
    }

    /// A fresh 36-character app password: `ATBB`, 24 base62 characters and the checksum.
    static func generateAppPassword(using rng: inout SeededGenerator) -> String {
        withChecksum(appPasswordPrefix + RandomText.string(from: RandomText.base62, count: appPasswordBodyLength, using: &rng))
    }

    private static func withChecksum(_ body: String) -> String {
        let crc = Array(body.utf8).withUnsafeBytes(CRC32.checksum)
        let hex = String(crc, radix: 16, uppercase: true)
        return body + String(repeating: "0", count: checksumLength - hex.count) + hex
    }

    /// The value of exactly eight uppercase hex digits, or nil.
    private static func hexValue(_ digits: UnsafeRawBufferPointer) -> UInt32? {
        var value: UInt32 = 0
        for byte in digits {
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
