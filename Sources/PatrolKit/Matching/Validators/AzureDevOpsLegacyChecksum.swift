/// Azure DevOps legacy 52-char PAT: lowercase base32 with an embedded CRC32 (user or application seed).
///
/// The 52 characters decode to 32 bytes (the last 4 of the 260 bits are dropped). Four of those
/// bytes, at offsets 2, 7, 8 and 22, hold `CRC-32(other 28 bytes) ^ seed`, stored as a
/// little-endian `UInt32` whose bytes sit at offsets 22, 8, 7 and 2 in that order. The seed tells
/// a user PAT from an application one. This mirrors `SEC101_102_AdoPat.cs` in
/// `microsoft/security-utilities`; see `reference/azure-devops-pat.md` §1a.
///
/// Checking the checksum is what lets the scanner report a bare `[a-z2-7]{52}` run without any
/// nearby keyword: a random run passes with probability about 2⁻³¹.
enum AzureDevOpsLegacyChecksum {
    /// Who the token was issued to; each kind XORs the CRC with its own seed.
    enum Issuer: Sendable, CaseIterable {
        case user
        case application

        /// `AdoUserPatChecksumSeed` / `AdoApplicationPatChecksumSeed` in Microsoft's code.
        var checksumSeed: UInt32 {
            switch self {
            case .user: 0xE0B9_692D
            case .application: 0x1019_F92E
            }
        }
    }

    static let encodedLength = 52

    /// Bytes carried by the 52 characters.
    static let decodedLength = 32

    /// Offsets of the embedded checksum's bytes, least significant first.
    static let checksumByteOffsets = (22, 8, 7, 2)

    /// Bytes the CRC covers: every decoded byte except the four checksum bytes.
    static let checksummedLength = decodedLength - 4

    /// True when `token` is 52 bytes of `[a-z2-7]` whose embedded CRC matches either seed.
    /// Never allocates: the 32 decoded bytes live on the stack.
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        issuer(of: token) != nil
    }

    /// String convenience for tests and the CLI; it may copy the string to get contiguous UTF-8.
    static func isValid(_ token: String) -> Bool {
        var token = token
        return token.withUTF8 { isValid(UnsafeRawBufferPointer($0)) }
    }

    /// Which seed the token's checksum was made with, or `nil` when it is not a valid legacy PAT.
    static func issuer(of token: UnsafeRawBufferPointer) -> Issuer? {
        guard token.count == encodedLength else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: decodedLength + checksummedLength, alignment: 1) { scratch in
            let decoded = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<decodedLength])
            guard Base32.decode(token, into: decoded) == decodedLength else { return nil }
            let checksummed = UnsafeMutableRawBufferPointer(rebasing: scratch[decodedLength...])
            var next = 0
            for offset in 0..<decodedLength where !isChecksumOffset(offset) {
                checksummed[next] = decoded[offset]
                next += 1
            }
            let embedded = UInt32(decoded[checksumByteOffsets.0])
                | UInt32(decoded[checksumByteOffsets.1]) &<< 8
                | UInt32(decoded[checksumByteOffsets.2]) &<< 16
                | UInt32(decoded[checksumByteOffsets.3]) &<< 24
            let crc = CRC32.checksum(UnsafeRawBufferPointer(checksummed))
            if crc ^ Issuer.user.checksumSeed == embedded { return .user }
            if crc ^ Issuer.application.checksumSeed == embedded { return .application }
            return nil
        }
    }

    /// A fresh valid token: 28 random bytes around their seeded CRC, base32-encoded.
    ///
    /// The last character carries one data bit and four zero padding bits, so it is always `a`
    /// or `q`, as in the one real token the reference saw.
    static func generate(using rng: inout SeededGenerator, issuer: Issuer = .user) -> String {
        var checksummed = [UInt8](repeating: 0, count: checksummedLength)
        for index in checksummed.indices {
            checksummed[index] = UInt8.random(in: .min ... .max, using: &rng)
        }
        let checksum = checksummed.withUnsafeBytes(CRC32.checksum) ^ issuer.checksumSeed

        var decoded = [UInt8](repeating: 0, count: decodedLength)
        var next = 0
        for offset in 0..<decodedLength where !isChecksumOffset(offset) {
            decoded[offset] = checksummed[next]
            next += 1
        }
        decoded[checksumByteOffsets.0] = UInt8(truncatingIfNeeded: checksum)
        decoded[checksumByteOffsets.1] = UInt8(truncatingIfNeeded: checksum &>> 8)
        decoded[checksumByteOffsets.2] = UInt8(truncatingIfNeeded: checksum &>> 16)
        decoded[checksumByteOffsets.3] = UInt8(truncatingIfNeeded: checksum &>> 24)
        return decoded.withUnsafeBytes(Base32.encodedString)
    }

    @inline(__always)
    private static func isChecksumOffset(_ offset: Int) -> Bool {
        offset == checksumByteOffsets.0 || offset == checksumByteOffsets.1
            || offset == checksumByteOffsets.2 || offset == checksumByteOffsets.3
    }
}
