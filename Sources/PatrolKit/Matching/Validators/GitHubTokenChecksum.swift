/// GitHub's 40-character tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm access tokens
/// (`npm_`): a four-character prefix, 30 random base62 characters and a six-character checksum.
///
/// The checksum is CRC-32 of the 30 random characters (the prefix is not covered), written as
/// the unsigned value in base62 (`0-9A-Za-z`, most significant digit first) left-padded with `0`
/// to six characters. A random 40-character string passes with probability about 2⁻³², which
/// is what lets a bare `ghp_…` be reported with high confidence and a look-alike be dropped.
/// See `reference/token-formats.md` §1a (verified there on `ghp_` and `npm_` samples).
enum GitHubTokenChecksum {
    static let length = 40
    static let prefixLength = 4
    static let randomLength = 30
    static let checksumLength = 6

    /// True when `token` is 40 bytes starting with `prefix` (e.g. `ghp_`), with 30 base62
    /// characters and their base62 CRC-32. Allocates nothing: the expected checksum is written
    /// to a six-byte stack buffer.
    static func isValid(_ token: UnsafeRawBufferPointer, prefix: StaticString) -> Bool {
        guard token.count == length, prefix.utf8CodeUnitCount == prefixLength,
              token[0..<prefixLength].elementsEqual(UnsafeRawBufferPointer(start: prefix.utf8Start, count: prefixLength))
        else { return false }
        let random = UnsafeRawBufferPointer(rebasing: token[prefixLength..<(prefixLength + randomLength)])
        guard random.allSatisfy(isBase62) else { return false }
        let checksumText = UnsafeRawBufferPointer(rebasing: token[(prefixLength + randomLength)...])
        return withUnsafeTemporaryAllocation(byteCount: checksumLength, alignment: 1) { expected in
            writeChecksum(of: random, into: expected)
            return checksumText.elementsEqual(expected)
        }
    }

    /// A fresh valid token: `prefix` (four characters, e.g. `ghp_` or `npm_`), 30 random base62
    /// characters and their checksum.
    static func generate(prefix: String, using rng: inout SeededGenerator) -> String {
        precondition(prefix.utf8.count == prefixLength, "GitHub token prefixes are four characters")
        let random = RandomText.bytes(from: RandomText.base62, count: randomLength, using: &rng)
        var checksum = [UInt8](repeating: 0, count: checksumLength)
        random.withUnsafeBytes { random in
            checksum.withUnsafeMutableBytes { writeChecksum(of: random, into: $0) }
        }
        return prefix + String(decoding: random + checksum, as: UTF8.self)
    }

    /// Writes the six checksum characters of `random` into `output`.
    ///
    /// ``Base62/encode(_:into:)`` of the big-endian CRC writes one `0` per leading zero byte and
    /// then the digits of the rest; left-padding that to six characters gives exactly the padded
    /// base62 of the number, since four bytes never need more than six digits.
    static func writeChecksum(of random: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        let crc = CRC32.checksum(random)
        withUnsafeTemporaryAllocation(byteCount: 4, alignment: 4) { bigEndian in
            bigEndian.storeBytes(of: crc.bigEndian, as: UInt32.self)
            let written = Base62.encode(UnsafeRawBufferPointer(bigEndian), into: output)
            let padding = checksumLength - written
            if padding > 0 {
                for index in stride(from: written - 1, through: 0, by: -1) {
                    output[index + padding] = output[index]
                }
                for index in 0..<padding {
                    output[index] = Base62.alphabet[0]
                }
            }
        }
    }

    @inline(__always)
    private static func isBase62(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
