/// GitLab routable tokens (`glpat-…`, `glrt-t1_…` and other prefixes since late 2024): a prefix,
/// a base64url payload, its length, and a CRC-32 of everything before the checksum.
///
/// Layouts (`reference/token-formats.md` §1b):
///
/// - unversioned (Nov 2024 – Apr 2025): `prefix + b64 + "." + len2 + crc7`;
/// - versioned (since 2025-04-22): `prefix + b64 + ".01." + len2 + crc7`, version `01`.
///
/// `len2` is the payload's length in characters, in base36 padded to two digits; `crc7` is the
/// CRC-32 of every character before it (prefix included), in lowercase base36 padded to seven.
/// The unversioned layout was verified on GitLab's design-document example, so a failed check
/// rejects the candidate. The versioned layout comes from secondary sources and is marked
/// unverified, so when its check fails the match is still reported, as `.unverified`: a wrong
/// guess about the layout must not hide every current GitLab token. Unless its payload decodes to
/// the design's structure (`c:` and `o:` lines, 16 random bytes and their count): that confirms
/// the layout, and the failed checksum rejects the token.
///
/// The prefix is whatever precedes the payload (its start is found from `len2`), so self-managed
/// instances' custom prefixes are covered by the same check.
enum GitLabRoutableToken {
    enum Layout: Sendable {
        case unversioned
        /// With the two-digit version field (`01`) between the payload and its length.
        case versioned
    }

    static let checksumLength = 7
    static let lengthFieldLength = 2
    static let versionFieldLength = 2
    static let version: StaticString = "01"
    /// The design document's bounds on the payload, in characters.
    static let payloadLengths = 20...400

    /// `.valid` when the length field and the checksum hold; otherwise `.invalid` for the
    /// unversioned layout and `.unverified` for the versioned one. Anything not shaped like
    /// either layout is `.invalid`. Allocates nothing.
    static func check(_ token: UnsafeRawBufferPointer) -> ValidationResult {
        guard let layout = layout(of: token) else { return .invalid }
        let failed: ValidationResult = layout == .versioned ? .unverified : .invalid
        let count = token.count
        let lengthField = count - checksumLength - lengthFieldLength
        let payloadEnd = layout == .versioned ? lengthField - versionFieldLength - 2 : lengthField - 1
        guard let payloadLength = base36Value(UnsafeRawBufferPointer(rebasing: token[lengthField..<(lengthField + lengthFieldLength)])),
              payloadLengths.contains(Int(payloadLength)),
              payloadEnd - Int(payloadLength) >= 0
        else { return failed }
        let payload = UnsafeRawBufferPointer(rebasing: token[(payloadEnd - Int(payloadLength))..<payloadEnd])
        guard payload.allSatisfy(isBase64URL) else { return failed }
        // A versioned token whose payload has the design's structure confirms the layout, so
        // its failed checksum rejects it as a look-alike (an edited or hand-made token).
        let rejected: ValidationResult = layout == .versioned && payloadFollowsDesign(payload) ? .invalid : failed
        guard let embedded = base36Value(UnsafeRawBufferPointer(rebasing: token[(count - checksumLength)...])) else { return rejected }
        let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: token[..<(count - checksumLength)]))
        return UInt64(crc) == embedded ? .valid : rejected
    }

    /// Whether the base64url payload decodes to the design's structure: `k:v` lines naming the
    /// cell (`c:`) and the organisation (`o:`), then the random bytes and their count (16).
    static func payloadFollowsDesign(_ payload: UnsafeRawBufferPointer) -> Bool {
        Base64URL.withDecoded(payload) { decoded -> Bool in
            guard decoded.count >= 17 + 6, let randomCount = decoded.last, randomCount == 16 else { return false }
            let lines = decoded[..<(decoded.count - 17)].split(separator: 0x0A, omittingEmptySubsequences: false)
            var cell = false, organisation = false
            for line in lines {
                let bytes = Array(line)
                guard bytes.count >= 3, bytes[1] == UInt8(ascii: ":"), bytes[2...].allSatisfy(isBase36Digit) else { return false }
                if bytes[0] == UInt8(ascii: "c") { cell = true }
                if bytes[0] == UInt8(ascii: "o") { organisation = true }
            }
            return cell && organisation
        } ?? false
    }

    /// Which layout the end of `token` has: `.NN.` before the length field means versioned, a
    /// payload character there means unversioned. nil for anything else.
    static func layout(of token: UnsafeRawBufferPointer) -> Layout? {
        let count = token.count
        let dot = count - checksumLength - lengthFieldLength - 1
        guard dot >= 1, token[dot] == UInt8(ascii: ".") else { return nil }
        let versionStart = dot - versionFieldLength
        if versionStart >= 2, token[versionStart - 1] == UInt8(ascii: "."),
           token[versionStart..<dot].allSatisfy(isBase36Digit) {
            return .versioned
        }
        return isBase64URL(token[dot - 1]) ? .unversioned : nil
    }

    /// A fresh valid token: `prefix` (e.g. `glpat-`, `glrt-t1_`), a payload of organisation,
    /// cell and user ids (base36, as GitLab writes them) plus 16 random bytes and their count,
    /// its length and the checksum.
    static func generate(prefix: String, layout: Layout, using rng: inout SeededGenerator) -> String {
        var payload = Array("c:\(base36(UInt64.random(in: 1...9, using: &rng)))\no:\(base36(UInt64.random(in: 1...9_999_999, using: &rng)))\nu:\(base36(UInt64.random(in: 1...99_999_999, using: &rng)))".utf8)
        payload += RandomText.randomBytes(count: 16, using: &rng)
        payload.append(16)
        let encoded = Base64URL.encodedString(payload)
        let lengthField = String(repeating: "0", count: max(0, lengthFieldLength - base36(UInt64(encoded.utf8.count)).count)) + base36(UInt64(encoded.utf8.count))
        let body = prefix + encoded + (layout == .versioned ? ".01." : ".") + lengthField
        let crc = base36(UInt64(Array(body.utf8).withUnsafeBytes(CRC32.checksum)))
        return body + String(repeating: "0", count: checksumLength - crc.count) + crc
    }

    /// Lowercase base36 of `value`, no padding (`0` for zero).
    static func base36(_ value: UInt64) -> String {
        String(value, radix: 36, uppercase: false)
    }

    /// The value of lowercase base36 digits, or nil for any other byte or more than 12 digits.
    static func base36Value(_ digits: UnsafeRawBufferPointer) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 12 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt64
            switch byte {
            case 0x30...0x39: digit = UInt64(byte - 0x30)
            case 0x61...0x7A: digit = UInt64(byte - 0x61 + 10)
            default: return nil
            }
            value = value * 36 + digit
        }
        return value
    }

    @inline(__always)
    private static func isBase36Digit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A)
    }

    @inline(__always)
    private static func isBase64URL(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
