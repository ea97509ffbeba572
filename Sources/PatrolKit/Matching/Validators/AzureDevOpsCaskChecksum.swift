/// Azure DevOps 84-char PAT ("legacy CASK"): JQQJ99 at offset 52, AZDO at 76, Marvin32-based checksum.
///
/// The token is standard base64 of 63 bytes (88 characters, ending `==`, for the 64-byte long
/// form). Its first 80 characters decode to 60 bytes; the checksum is
/// `c32 = Marvin32(those bytes, seed "Default0")`, folded to 32 bits. Azure DevOps has written
/// it two ways, and Microsoft's validator (`IdentifiableSecrets.TryValidateCommonAnnotatedKey`
/// in `microsoft/security-utilities`) accepts both, so we do too:
///
/// - current: `c32` as 4 little-endian bytes, base62-encoded and right-padded with `'0'` to six
///   characters, then round-tripped through base64 (`"3Or6gz"` → `"3Or6gw=="`). The 84-char
///   form keeps the first four characters, the long form all eight;
/// - older, seen on tokens from January 2025: plain base64 of the first 3 (long form: all 4)
///   little-endian bytes of `c32`, which may contain `+` or `/`.
///
/// Unlike Microsoft's code we require the exact characters: it compares with `StartsWith` after
/// trimming `=`, which would also accept a truncated checksum such as `"3O=="`.
/// See `reference/azure-devops-pat.md` §1b.
enum AzureDevOpsCaskChecksum {
    static let standardLength = 84
    static let longFormLength = 88

    /// Characters covered by the checksum; they decode to exactly 60 bytes.
    static let checksummedLength = 80
    static let checksummedByteCount = 60

    /// `ComputeHisV1ChecksumSeed("Default0")`: the ASCII of "Default0" read as a big-endian integer.
    static let checksumSeed: UInt64 = 0x4465_6661_756C_7430

    /// The CASK signature plus key kind `9` (a standard key, which every ADO PAT is).
    static let caskSignature: StaticString = "JQQJ99"
    static let caskSignatureOffset = 52

    /// The provider signature; uppercase marks a customer-managed key, which ADO PATs are.
    static let providerSignature: StaticString = "AZDO"
    static let providerSignatureOffset = 76

    /// Offsets 60–75: 12 "platform reserved" and 4 "provider reserved" characters, as every real
    /// token the reference saw had them (`ACAAAAA` + `AAAAA`, then `AAAS`). Not checked on
    /// validation; used to make generated tokens look like issued ones.
    static let reservedFields: StaticString = "ACAAAAAAAAAAAAAS"

    /// True when `token` (ASCII bytes, exactly 84 chars, or 88 chars long form ending "==") has
    /// a valid checksum in either the base62 encoding or the older raw-base64 encoding.
    ///
    /// Returns false, without crashing, for any other length or any non-base64 byte. Cheap
    /// checks (length, fixed signatures, padding) run before decoding and hashing, and nothing
    /// is allocated: the 60 decoded bytes and the expected checksum live on the stack.
    /// `provider` is the four-character provider signature at offset 76: `AZDO` for Azure DevOps;
    /// other Azure services issue the same layout (`ACOG` Cognitive Services / Azure OpenAI,
    /// `AZMP` Maps, `AZAC` App Configuration, `AZEG` Event Grid, `AZCS` Communication Services).
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        isValid(token, provider: providerSignature)
    }

    static func isValid(_ token: UnsafeRawBufferPointer, provider: StaticString) -> Bool {
        let isLongForm: Bool
        switch token.count {
        case standardLength: isLongForm = false
        case longFormLength: isLongForm = true
        default: return false
        }
        guard has(caskSignature, at: caskSignatureOffset, in: token),
              has(provider, at: providerSignatureOffset, in: token)
        else { return false }
        if isLongForm {
            guard token[longFormLength - 2] == Base64.padding, token[longFormLength - 1] == Base64.padding else { return false }
        }
        let checksumText = UnsafeRawBufferPointer(rebasing: token[checksummedLength...])
        guard let checksum = checksum(ofEncodedBody: UnsafeRawBufferPointer(rebasing: token[..<checksummedLength]))
        else { return false }

        return withUnsafeTemporaryAllocation(byteCount: 8, alignment: 1) { expected in
            writeBase62Checksum(checksum, into: expected)
            if checksumText.elementsEqual(expected.prefix(checksumText.count)) { return true }
            writeRawChecksum(checksum, longForm: isLongForm, into: expected)
            return checksumText.elementsEqual(expected.prefix(checksumText.count))
        }
    }

    /// String convenience for tests and the CLI; it may copy the string to get contiguous UTF-8.
    static func isValid(_ token: String) -> Bool {
        var token = token
        return token.withUTF8 { isValid(UnsafeRawBufferPointer($0)) }
    }

    /// The folded Marvin32 checksum (`c32`) of the 80 checksummed characters, or `nil` when they
    /// are not 80 characters of unpadded base64.
    static func checksum(ofEncodedBody body: UnsafeRawBufferPointer) -> UInt32? {
        guard body.count == checksummedLength else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: checksummedByteCount, alignment: 8) { decoded -> UInt32? in
            guard Base64.decode(body, into: decoded) == checksummedByteCount else { return nil }
            return Marvin32.hash32(UnsafeRawBufferPointer(decoded), seed: checksumSeed)
        }
    }

    /// A fresh valid 84-char token (base62 checksum encoding), shaped like real ones: 52 random
    /// base62 characters, `JQQJ99`, the year (`A` = 2024) and month (`A`–`L`) characters, the
    /// reserved fields real tokens carry (`ACAAAAAAAAAA`, `AAAS`), `AZDO`, then the checksum.
    static func generate(using rng: inout SeededGenerator, year: Int = 2026, month: Int = 3, provider: StaticString = providerSignature) -> String {
        generate(using: &rng, year: year, month: month, longForm: false, provider: provider)
    }

    /// Same but the 88-char long form, whose checksum is six characters plus `==`.
    static func generateLongForm(using rng: inout SeededGenerator, year: Int = 2026, month: Int = 3) -> String {
        generate(using: &rng, year: year, month: month, longForm: true)
    }

    private static func generate(using rng: inout SeededGenerator, year: Int, month: Int, longForm: Bool, provider: StaticString = providerSignature) -> String {
        // The date characters are base64-alphabet indexes, so one character covers 2024...2085.
        precondition((2024...2085).contains(year), "CASK keys encode years 2024 through 2085")
        precondition((1...12).contains(month), "month must be 1 through 12")
        var token: [UInt8] = []
        token.reserveCapacity(longForm ? longFormLength : standardLength)
        for _ in 0..<caskSignatureOffset {
            token.append(Base62.alphabet[Int.random(in: 0..<Base62.alphabet.count, using: &rng)])
        }
        token.append(contentsOf: bytes(of: caskSignature))
        token.append(Base64.alphabet[year - 2024])
        token.append(Base64.alphabet[month - 1])
        token.append(contentsOf: bytes(of: reservedFields))
        token.append(contentsOf: bytes(of: provider))

        guard let checksum = token.withUnsafeBytes(checksum(ofEncodedBody:)) else {
            preconditionFailure("a generated CASK body is always 80 base64 characters")
        }
        var expected = [UInt8](repeating: 0, count: 8)
        expected.withUnsafeMutableBytes { writeBase62Checksum(checksum, into: $0) }
        token.append(contentsOf: expected.prefix(longForm ? 8 : 4))
        return String(decoding: token, as: UTF8.self)
    }

    /// Writes the eight characters `base64(base64decode(base62(le) padded to 6 + "=="))`, which is
    /// Microsoft's `GetBase62EncodedChecksum`. The 84-char form uses the first four.
    ///
    /// The round trip through base64 is not a no-op: the sixth base62 character keeps only its
    /// top two bits, so `"3Or6gz"` comes back as `"3Or6gw=="`.
    private static func writeBase62Checksum(_ checksum: UInt32, into output: UnsafeMutableRawBufferPointer) {
        withUnsafeTemporaryAllocation(byteCount: 16, alignment: 4) { scratch in
            // 0..<4: c32 little-endian; 4..<12: base62 text + "=="; 12..<16: its decoded bytes.
            scratch.storeBytes(of: checksum.littleEndian, toByteOffset: 0, as: UInt32.self)
            let text = UnsafeMutableRawBufferPointer(rebasing: scratch[4..<12])
            let digitCount = Base62.encode(UnsafeRawBufferPointer(rebasing: scratch[0..<4]), into: text)
            for index in digitCount..<6 {
                text[index] = Base62.alphabet[0]
            }
            text[6] = Base64.padding
            text[7] = Base64.padding
            let decoded = UnsafeMutableRawBufferPointer(rebasing: scratch[12..<16])
            _ = Base64.decode(UnsafeRawBufferPointer(text), into: decoded)
            Base64.encode(UnsafeRawBufferPointer(decoded), into: output)
        }
    }

    /// Writes the older encoding: base64 of the first 3 little-endian bytes of `c32` (4 chars)
    /// for the 84-char form, of all 4 (6 chars + `==`) for the long form.
    private static func writeRawChecksum(_ checksum: UInt32, longForm: Bool, into output: UnsafeMutableRawBufferPointer) {
        withUnsafeTemporaryAllocation(byteCount: 4, alignment: 4) { littleEndian in
            littleEndian.storeBytes(of: checksum.littleEndian, as: UInt32.self)
            Base64.encode(UnsafeRawBufferPointer(rebasing: littleEndian[0..<(longForm ? 4 : 3)]), into: output)
        }
    }

    @inline(__always)
    private static func has(_ signature: StaticString, at offset: Int, in token: UnsafeRawBufferPointer) -> Bool {
        let expected = UnsafeRawBufferPointer(start: signature.utf8Start, count: signature.utf8CodeUnitCount)
        return token[offset..<(offset + expected.count)].elementsEqual(expected)
    }

    private static func bytes(of text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
