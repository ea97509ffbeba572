/// Secrets that are visibly made up: a run of eight characters in sequence
/// (`…0123456789abcdef…`, `abcdefgh`, `ABCDEFGH`) or eight of the same character (`xxxxxxxx`).
/// A random token of the alphabets rules use holds such a run with a probability of about
/// 62⁻⁷ per position, so one that does was typed by a person: a documentation or test
/// placeholder, not a credential.
///
/// Long values are left alone: PEM bodies, certificates and base64 blobs hold `AAAAAAAA` (zero
/// bytes) and other runs by nature. So is `A` repeated (base64 of zero bytes) at any length, and
/// a token whose checksum holds (`record` asks only for unproven matches).
enum ObviousFake {
    /// How long a run must be.
    static let runLength = 8
    /// Secrets longer than this are not checked.
    static let maxLength = 160

    static func isFake(_ secret: UnsafeRawBufferPointer) -> Bool {
        guard secret.count >= runLength, secret.count <= maxLength else { return false }
        // Either run is `runLength - 1` links in a row, each a byte equal to the one before, one
        // more, or after a `9`. Random text seldom has two such links in a row, so this test
        // alone ends almost every call; only a long enough chain is looked at exactly.
        var links = 0
        var previous = secret[0]
        for index in 1..<secret.count {
            let byte = secret[index]
            if byte &- previous <= 1 || previous == UInt8(ascii: "9") {
                links += 1
                if links >= runLength - 1 { return hasRun(secret) }
            } else {
                links = 0
            }
            previous = byte
        }
        return false
    }

    /// Whether `secret` holds a run of `runLength` characters in sequence or the same.
    private static func hasRun(_ secret: UnsafeRawBufferPointer) -> Bool {
        var ascending = 1, same = 1
        var previous = secret[0]
        for index in 1..<secret.count {
            let byte = secret[index]
            ascending = follows(byte, previous) ? ascending + 1 : 1
            same = byte == previous && isAlphanumeric(byte) && byte != UInt8(ascii: "A") ? same + 1 : 1
            if ascending >= runLength || same >= runLength { return true }
            previous = byte
        }
        return false
    }

    /// `byte` comes right after `previous` in `0…9a…z` or `A…Z` (and `9` → `a`, `9` → `A`, as in
    /// `0123456789abcdef`).
    @inline(__always)
    private static func follows(_ byte: UInt8, _ previous: UInt8) -> Bool {
        switch previous {
        case UInt8(ascii: "0")..<UInt8(ascii: "9"), UInt8(ascii: "a")..<UInt8(ascii: "z"), UInt8(ascii: "A")..<UInt8(ascii: "Z"):
            byte == previous + 1
        case UInt8(ascii: "9"):
            byte == UInt8(ascii: "a") || byte == UInt8(ascii: "A")
        default:
            false
        }
    }

    @inline(__always)
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
