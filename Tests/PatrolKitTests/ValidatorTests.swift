import Testing
@testable import PatrolKit

// Every checksum-valid token in this file is written as two string literals joined with `+`.
// patrol scans its own repository, and a whole valid token in a literal would rightly be
// reported as a leaked secret. The synthetic tokens come from reference/azure-devops-pat.md.

// MARK: - Fixtures

private let legacyUserToken = "knmu4tsujbc2jrkujfbs2qkej" + "4wuyrkhifb3iwjnkbaviljqgayq"
private let legacyApplicationToken = "knmsotsujbcq2bcujfbs2qkej" + "4wuyrkhifbq2wjnkbaviljqgaza"

/// A reference legacy token and the seed its checksum was made with.
struct LegacyVector: Sendable, CustomTestStringConvertible {
    let token: String
    let issuer: AzureDevOpsLegacyChecksum.Issuer

    var testDescription: String { "\(token.prefix(12))… (\(issuer))" }
}

/// A reference CASK token with the checksum values the reference computed for it.
struct CaskVector: Sendable, CustomTestStringConvertible {
    let body: String
    let checksumText: String
    let checksum: UInt32
    let base62Checksum: String

    var token: String { body + checksumText }
    var testDescription: String { "\(body.prefix(12))…\(body.suffix(8)) + \(checksumText)" }
}

private let caskVectors: [CaskVector] = [
    // Real-world shape (provider reserved `AAAS`), dated June 2025 (`BF`).
    CaskVector(
        body: "SyntheticAdoPatForUnitTestsOnly000000000000000000000JQQJ99BFACAAAAAAAAAAAAASAZDO",
        checksumText: "3Or6", checksum: 0xF99E_B5B9, base62Checksum: "3Or6gz"),
    // March 2026, variable platform-reserved characters.
    CaskVector(
        body: "ZZZZsyntheticZZZZtestZZZZvalueZZZZnotZZZZrealZZZZ123JQQJ99CCACAAAAAtestXAAASAZDO",
        checksumText: "3rSZ", checksum: 0x88F8_E6D2, base62Checksum: "3rSZ3o"),
    // What Microsoft's GenerateTruePositiveExamples() emits for test character 'A' in 2025-06.
    CaskVector(
        body: String(repeating: "A", count: 52) + "JQQJ99BFAAAAAAAAAAAAAAAAAZDO",
        checksumText: "2AZL", checksum: 0x255C_8576, base62Checksum: "2AZL2D"),
    // 88-character long form: the six checksum characters keep only the top two bits of the
    // last base62 digit ("IWGSu0" → "IWGSuw") and end with "==".
    CaskVector(
        body: "SyntheticAdoPatForUnitTestsOnly000000000000000000000JQQJ99BAAAAAAAAAAAAAAAAAAZDO",
        checksumText: "IWGSuw==", checksum: 0x60C7_4F10, base62Checksum: "IWGSu0"),
]

private let legacyAlphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
private let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

/// Bytes that no validator may accept anywhere: controls, space, URL-safe base64, separators,
/// padding, and non-ASCII.
private let foreignBytes: [UInt8] = [0x00, 0x09, 0x20, 0x2D, 0x5F, 0x2E, 0x3A, 0x3D, 0x40, 0x7F, 0x80, 0xC3, 0xFF]

// MARK: - Primitives

@Test func crc32MatchesStandardCheckValue() {
    #expect(crc32(of: "123456789") == 0xCBF4_3926)
    #expect(crc32(of: "") == 0)
    #expect(crc32(of: "SYNTHETIC-ADO-LEGACY-PAT-001") == 0xAE1D_AC99)
}

@Test func marvinMatchesSymCryptVectorsAndFoldsToThirtyTwoBits() {
    let abc = Array("abc".utf8)
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz".utf8)
    #expect(abc.withUnsafeBytes { Marvin32.marvin64($0, seed: 0xD53C_D9CE_CD08_93B7) } == 0x22C7_4339_4927_69BF)
    #expect(alphabet.withUnsafeBytes { Marvin32.marvin64($0, seed: 0xDDD_DEEE_EFFF_F000) } == 0xA128_EB7E_7260_ACA2)
    #expect(abc.withUnsafeBytes { Marvin32.hash32($0, seed: 0xD53C_D9CE_CD08_93B7) } == 0x22C7_4339 ^ 0x4927_69BF)
}

@Test func seededGeneratorReproducesSplitMix64Sequence() {
    var generator = SeededGenerator(seed: 0)
    #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(generator.next() == 0x06C4_5D18_8009_454F)
}

@Test func base32EncodesLowercaseWithoutPaddingAndRoundTrips() throws {
    let foobar = Array("foobar".utf8)
    let encoded = foobar.withUnsafeBytes(Base32.encodedString)
    #expect(encoded == "mzxw6ytboi")
    #expect(try #require(decodeBase32(encoded)) == foobar)
    #expect(decodeBase32("") == [])
}

@Test func base32RejectsUppercasePaddingAndDigitsOutsideTheAlphabet() {
    for text in ["MZXW6YTBOI", "mzxw6ytboi======", "mzxw6ytbo1", "mzxw6ytbo8", "mzxw6y-boi"] {
        #expect(decodeBase32(text) == nil, "\(text) should not decode")
    }
}

@Test func base64MatchesRfc4648Vectors() throws {
    let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
    for (plain, encoded) in vectors {
        #expect(Array(plain.utf8).withUnsafeBytes(Base64.encodedString) == encoded)
        #expect(try #require(decodeBase64(encoded)) == Array(plain.utf8), "decoding \(encoded)")
    }
    #expect(decodeBase64("Zm9vYg") == Array("foob".utf8), "unpadded input decodes")
}

@Test func base64RejectsMisplacedPaddingDanglingCharactersAndForeignBytes() {
    for text in ["Zm=v", "Zg=", "Z===", "Zm9vY", "Zm9v-mFy", "Zm9v_mFy", "Zm9v mFy"] {
        #expect(decodeBase64(text) == nil, "\(text) should not decode")
    }
}

@Test func base64DecodingIgnoresUnusedTrailingBitsLikeDotNet() throws {
    // Microsoft's checksum decodes base62 text + "==" whose last character has low bits set.
    let decoded = try #require(decodeBase64("3Or6gz=="))
    #expect(decoded == [0xDC, 0xEA, 0xFA, 0x83])
    #expect(decoded.withUnsafeBytes(Base64.encodedString) == "3Or6gw==")
}

@Test func base62FollowsMicrosoftLeadingZeroRules() {
    let vectors: [([UInt8], String)] = [
        ([0xB9, 0xB5, 0x9E, 0xF9], "3Or6gz"),
        ([0xFF, 0xFF, 0xFF, 0xFF], "4gfFC3"),
        ([0x00, 0x00, 0x00, 0x00], "0000"),
        ([0x00, 0x00, 0x00, 0x05], "0005"),
        ([0x00, 0x01], "01"),
        ([0x00, 0x00, 0x01, 0x00, 0x00], "00H32"),
        (Array(repeating: 0x01, count: 10), "1T6ccC3rlmHPV"),
        ([], ""),
    ]
    for (bytes, expected) in vectors {
        #expect(bytes.withUnsafeBytes(Base62.encodedString) == expected, "base62 of \(bytes)")
    }
}

// MARK: - Legacy 52-character PATs

@Test(arguments: [
    LegacyVector(token: legacyUserToken, issuer: .user),
    LegacyVector(token: legacyApplicationToken, issuer: .application),
])
func legacyReferenceTokenValidatesWithItsIssuer(vector: LegacyVector) {
    #expect(AzureDevOpsLegacyChecksum.isValid(vector.token))
    #expect(Array(vector.token.utf8).withUnsafeBytes(AzureDevOpsLegacyChecksum.issuer(of:)) == vector.issuer)
}

@Test func legacyReferenceTokenEmbedsSeededCrcOfItsOtherBytes() throws {
    let decoded = try #require(decodeBase32(legacyUserToken))
    #expect(decoded.count == 32)
    let checksumOffsets: Set = [22, 8, 7, 2]
    let checksummed = decoded.indices.filter { !checksumOffsets.contains($0) }.map { decoded[$0] }
    let embedded = UInt32(decoded[22]) | UInt32(decoded[8]) << 8 | UInt32(decoded[7]) << 16 | UInt32(decoded[2]) << 24
    #expect(String(decoding: checksummed, as: UTF8.self) == "SYNTHETIC-ADO-LEGACY-PAT-001")
    #expect(checksummed.withUnsafeBytes(CRC32.checksum) == 0xAE1D_AC99)
    #expect(embedded == 0x4EA4_C5B4)
    #expect(0xAE1D_AC99 ^ AzureDevOpsLegacyChecksum.Issuer.user.checksumSeed == embedded)
}

@Test func legacyTokenFailsWhenAnyCharacterChanges() {
    for token in [legacyUserToken, legacyApplicationToken] {
        let result = legacyMutationResult(token)
        #expect(result.stillValid.isEmpty, "changes that kept \(token) valid: \(result.stillValid)")
        #expect(result.skippedPositions == Array(repeating: 51, count: 15))
    }
}

@Test func generatedLegacyTokensFailWhenAnyCharacterChanges() {
    for issuer in AzureDevOpsLegacyChecksum.Issuer.allCases {
        var generator = SeededGenerator(seed: 0x1E6A_C7)
        for _ in 0..<200 {
            let token = AzureDevOpsLegacyChecksum.generate(using: &generator, issuer: issuer)
            let result = legacyMutationResult(token)
            #expect(result.stillValid.isEmpty, "changes that kept \(token) valid: \(result.stillValid)")
            #expect(result.skippedPositions == Array(repeating: 51, count: 15), "\(token)")
        }
    }
}

@Test(arguments: [1, 2, 0xC0FFEE, UInt64.max])
func generatedLegacyTokensValidateAndLookIssued(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    for issuer in AzureDevOpsLegacyChecksum.Issuer.allCases {
        for _ in 0..<50 {
            let token = AzureDevOpsLegacyChecksum.generate(using: &generator, issuer: issuer)
            #expect(token.wholeMatch(of: /[a-z2-7]{52}/) != nil, "\(token)")
            #expect(token.last == "a" || token.last == "q", "padding bits must be zero: \(token)")
            #expect(Array(token.utf8).withUnsafeBytes(AzureDevOpsLegacyChecksum.issuer(of:)) == issuer, "\(token)")
        }
    }
}

@Test func legacyValidationRejectsWrongLengthsAndForeignBytes() {
    #expect(!AzureDevOpsLegacyChecksum.isValid(""))
    for length in [1, 51, 53, 56, 84] {
        #expect(!AzureDevOpsLegacyChecksum.isValid(String(legacyUserToken.prefix(length)) + String(repeating: "a", count: max(0, length - 52))))
    }
    #expect(!AzureDevOpsLegacyChecksum.isValid(legacyUserToken.uppercased()), "the alphabet is lowercase only")
    var bytes = Array(legacyUserToken.utf8)
    var accepted: [String] = []
    for position in bytes.indices {
        let original = bytes[position]
        for foreign in foreignBytes + Array("ABZ0189".utf8) {
            bytes[position] = foreign
            if bytes.withUnsafeBytes(AzureDevOpsLegacyChecksum.isValid) { accepted.append("\(foreign)@\(position)") }
        }
        bytes[position] = original
    }
    #expect(accepted.isEmpty)
}

@Test func generationIsReproducibleForTheSameSeed() {
    var first = SeededGenerator(seed: 42)
    var second = SeededGenerator(seed: 42)
    var other = SeededGenerator(seed: 43)
    let legacy = AzureDevOpsLegacyChecksum.generate(using: &first)
    #expect(legacy == AzureDevOpsLegacyChecksum.generate(using: &second))
    #expect(legacy != AzureDevOpsLegacyChecksum.generate(using: &other))
    let cask = AzureDevOpsCaskChecksum.generate(using: &first)
    #expect(cask == AzureDevOpsCaskChecksum.generate(using: &second))
    #expect(cask != AzureDevOpsCaskChecksum.generate(using: &other))
}

// MARK: - 84-character CASK PATs

@Test(arguments: caskVectors)
func caskReferenceTokenValidatesWithExpectedChecksum(vector: CaskVector) {
    #expect(vector.body.utf8.count == 80)
    #expect(AzureDevOpsCaskChecksum.isValid(vector.token))
    let checksum = Array(vector.body.utf8).withUnsafeBytes(AzureDevOpsCaskChecksum.checksum(ofEncodedBody:))
    #expect(checksum == vector.checksum)
    // The little-endian checksum bytes in base62, right-padded with '0' to six characters
    // (the long-form vector needs the padding: its checksum has only five digits).
    let base62 = withUnsafeBytes(of: vector.checksum.littleEndian, Base62.encodedString)
    #expect(base62 + String(repeating: "0", count: 6 - base62.count) == vector.base62Checksum)
}

@Test(arguments: caskVectors)
func caskTokenWithOlderRawBase64ChecksumValidates(vector: CaskVector) {
    let isLongForm = vector.checksumText.count == 8
    let raw = withUnsafeBytes(of: vector.checksum.littleEndian) {
        Base64.encodedString(UnsafeRawBufferPointer(rebasing: $0.prefix(isLongForm ? 4 : 3)))
    }
    #expect(AzureDevOpsCaskChecksum.isValid(vector.body + raw), "raw checksum \(raw)")
}

@Test func caskRawChecksumOfFirstReferenceTokenIsExact() {
    let checksum = caskVectors[0].checksum.littleEndian
    #expect(withUnsafeBytes(of: checksum) { Base64.encodedString(UnsafeRawBufferPointer(rebasing: $0.prefix(3))) } == "ubWe")
    #expect(withUnsafeBytes(of: checksum, Base64.encodedString) == "ubWe+Q==")
}

@Test func caskTokenWithTruncatedChecksumIsRejected() {
    // Microsoft's validator trims '=' and checks a prefix, so it would accept these; we do not.
    let standard = caskVectors[0]
    let longForm = caskVectors[3]
    #expect(!AzureDevOpsCaskChecksum.isValid(standard.body + "3O=="))
    #expect(!AzureDevOpsCaskChecksum.isValid(longForm.body + "IWGS===="))
    #expect(!AzureDevOpsCaskChecksum.isValid(longForm.body + "IWGSu0=="), "the long form stores the round-tripped digit")
}

@Test(arguments: caskVectors)
func caskTokenFailsWhenAnyCharacterChanges(vector: CaskVector) {
    var bytes = Array(vector.token.utf8)
    var stillValid: [String] = []
    for position in bytes.indices {
        let original = bytes[position]
        for replacement in base62Alphabet where replacement != original {
            bytes[position] = replacement
            if bytes.withUnsafeBytes(AzureDevOpsCaskChecksum.isValid) {
                stillValid.append("\(Character(Unicode.Scalar(replacement)))@\(position)")
            }
        }
        bytes[position] = original
    }
    #expect(stillValid.isEmpty, "changes that kept \(vector) valid: \(stillValid)")
}

@Test func generatedCaskTokensFailWhenAnyCharacterChanges() {
    // One random replacement per position, not all 61. A random body passes with probability
    // about 2⁻²⁰, not 62⁻⁴: most 32-bit values have six base62 digits starting with 1–4, so
    // the four stored characters take only ~2²⁰ common values (the raw-base64 encoding adds
    // 2⁻²⁴; we measured 24 passes in 20 million random bodies). 400 tokens × ~86 positions ×
    // 61 characters is ~2 million variants, where a genuine collision is expected, not a bug.
    // The exhaustive check runs on the reference tokens above.
    var generator = SeededGenerator(seed: 0xCA5C)
    var stillValid: [String] = []
    for longForm in [false, true] {
        for _ in 0..<200 {
            let token = longForm
                ? AzureDevOpsCaskChecksum.generateLongForm(using: &generator)
                : AzureDevOpsCaskChecksum.generate(using: &generator)
            var bytes = Array(token.utf8)
            for position in bytes.indices {
                let original = bytes[position]
                repeat {
                    bytes[position] = base62Alphabet[Int.random(in: 0..<62, using: &generator)]
                } while bytes[position] == original
                if bytes.withUnsafeBytes(AzureDevOpsCaskChecksum.isValid) {
                    stillValid.append("\(token) with \(Character(Unicode.Scalar(bytes[position])))@\(position)")
                }
                bytes[position] = original
            }
        }
    }
    #expect(stillValid.isEmpty, "\(stillValid)")
}

@Test(arguments: [7, 0xBEEF, 0xFEED_FACE_CAFE])
func generatedCaskTokensValidateAndLookIssued(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    for _ in 0..<50 {
        let token = AzureDevOpsCaskChecksum.generate(using: &generator)
        #expect(token.wholeMatch(of: /[A-Za-z0-9]{84}/) != nil, "\(token)")
        #expect(token.dropFirst(52).prefix(8) == "JQQJ99CC", "March 2026 by default: \(token)")
        #expect(token.dropFirst(60).prefix(20) == "ACAAAAAAAAAAAAASAZDO", "\(token)")
        #expect(AzureDevOpsCaskChecksum.isValid(token), "\(token)")
    }
    let december2025 = AzureDevOpsCaskChecksum.generate(using: &generator, year: 2025, month: 12)
    #expect(december2025.dropFirst(58).prefix(2) == "BL")
    #expect(AzureDevOpsCaskChecksum.isValid(december2025))
}

@Test(arguments: [7, 0xBEEF, 0xFEED_FACE_CAFE])
func generatedLongFormCaskTokensValidateAndEndWithPadding(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    for _ in 0..<50 {
        let token = AzureDevOpsCaskChecksum.generateLongForm(using: &generator, year: 2024, month: 1)
        #expect(token.wholeMatch(of: /[A-Za-z0-9]{86}==/) != nil, "\(token)")
        #expect(token.dropFirst(52).prefix(8) == "JQQJ99AA", "\(token)")
        #expect(token.dropFirst(76).prefix(4) == "AZDO", "\(token)")
        #expect(AzureDevOpsCaskChecksum.isValid(token), "\(token)")
        // Both forms start the checksum with the same four base62 characters.
        #expect(AzureDevOpsCaskChecksum.isValid(String(token.prefix(84))), "\(token) cut to 84 characters")
    }
}

@Test func caskValidationRejectsWrongLengthsAndForeignBytes() {
    let standard = caskVectors[0].token
    let longForm = caskVectors[3].token
    #expect(!AzureDevOpsCaskChecksum.isValid(""))
    for length in [1, 52, 58, 80, 83, 85, 86, 87, 89, 120] {
        let text = String(standard.prefix(length)) + String(repeating: "A", count: max(0, length - 84))
        #expect(!AzureDevOpsCaskChecksum.isValid(text), "length \(length)")
    }
    #expect(!AzureDevOpsCaskChecksum.isValid(standard + "=="), "84 characters plus padding is not the long form")
    var accepted: [String] = []
    for token in [standard, longForm] {
        var bytes = Array(token.utf8)
        for position in bytes.indices {
            let original = bytes[position]
            for foreign in foreignBytes where foreign != original {
                bytes[position] = foreign
                if bytes.withUnsafeBytes(AzureDevOpsCaskChecksum.isValid) { accepted.append("\(foreign)@\(position)") }
            }
            bytes[position] = original
        }
    }
    #expect(accepted.isEmpty)
}

// MARK: - Helpers

private func crc32(of text: String) -> UInt32 {
    Array(text.utf8).withUnsafeBytes(CRC32.checksum)
}

private func decodeBase32(_ text: String) -> [UInt8]? {
    let encoded = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: Base32.decodedCount(forEncodedCount: encoded.count))
    let count = encoded.withUnsafeBytes { input in output.withUnsafeMutableBytes { Base32.decode(input, into: $0) } }
    return count.map { Array(output.prefix($0)) }
}

private func decodeBase64(_ text: String) -> [UInt8]? {
    let encoded = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: Base64.decodedCapacity(forEncodedCount: encoded.count))
    let count = encoded.withUnsafeBytes { input in output.withUnsafeMutableBytes { Base64.decode(input, into: $0) } }
    return count.map { Array(output.prefix($0)) }
}

/// Tries every single-character change of a legacy token within the base32 alphabet.
///
/// A change that decodes to the same 32 bytes is skipped and reported in `skippedPositions`:
/// the decoder keeps 256 of the 260 bits the text carries, so the last character's low 4 bits
/// are padding no checksum can see. That is Microsoft's decoder's behaviour, not a weakness we
/// can fix, and it makes exactly 15 changes of the last character (`a`→`b`…`p`, or `q`→`r`…`7`)
/// decode to the same bytes. Only the last character can do that (every other character's
/// 5 bits all land in kept bytes), so only there do we pay for the extra decode.
private func legacyMutationResult(_ token: String) -> (stillValid: [String], skippedPositions: [Int]) {
    let originalBytes = decodeBase32(token)
    var bytes = Array(token.utf8)
    var stillValid: [String] = []
    var skippedPositions: [Int] = []
    for position in bytes.indices {
        let original = bytes[position]
        for replacement in legacyAlphabet where replacement != original {
            bytes[position] = replacement
            if position == bytes.count - 1, decodeBase32(String(decoding: bytes, as: UTF8.self)) == originalBytes {
                skippedPositions.append(position)
            } else if bytes.withUnsafeBytes(AzureDevOpsLegacyChecksum.isValid) {
                stillValid.append("\(Character(Unicode.Scalar(replacement)))@\(position)")
            }
        }
        bytes[position] = original
    }
    return (stillValid, skippedPositions)
}
