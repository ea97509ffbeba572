/// age secret keys (`AGE-SECRET-KEY-1…`): Bech32 (BIP 173, not Bech32m) with the human-readable
/// part `age-secret-key-`, 32 bytes of X25519 key as 52 five-bit groups and a six-group checksum,
/// written in upper case (age's format specification, C2SP age.md "X25519 recipient type").
/// The checksum is the Bech32 polymod over the expanded human-readable part and the data.
enum AgeSecretKey {
    static let humanReadablePart = Array("age-secret-key-".utf8)
    static let upperPrefix = Array("AGE-SECRET-KEY-".utf8)
    static let dataLength = 52
    static let checksumLength = 6
    /// `AGE-SECRET-KEY-` + `1` + data + checksum.
    static let tokenLength = 15 + 1 + 52 + 6
    static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// True when `token` is an upper-case age secret key whose Bech32 checksum holds and whose
    /// data is exactly 32 bytes (the padding bits of the last group are zero).
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count == tokenLength, token[15] == UInt8(ascii: "1") else { return false }
        for index in 0..<15 where token[index] != upperPrefix[index] { return false }
        var chk: UInt32 = 1
        for byte in humanReadablePart { chk = polymodStep(chk) ^ UInt32(byte >> 5) }
        chk = polymodStep(chk)
        for byte in humanReadablePart { chk = polymodStep(chk) ^ UInt32(byte & 31) }
        var last: UInt8 = 0
        for index in 16..<tokenLength {
            let byte = token[index]
            // Upper case only, as age writes it (Bech32 forbids mixed case).
            guard (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte),
                  let value = alphabet.firstIndex(of: byte | 0x20) else { return false }
            if index == 16 + dataLength - 1 { last = UInt8(value) }
            chk = polymodStep(chk) ^ UInt32(value)
        }
        // 52 groups carry 260 bits; a 32-byte key leaves the last four bits zero.
        return chk == 1 && last & 0x0F == 0
    }

    /// A fresh key of 32 random bytes with its checksum, upper case.
    static func generate(using rng: inout SeededGenerator) -> String {
        let key = RandomText.randomBytes(count: 32, using: &rng)
        var groups: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in key {
            accumulator = accumulator << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                groups.append(UInt8((accumulator >> UInt32(bits)) & 31))
            }
        }
        if bits > 0 { groups.append(UInt8((accumulator << UInt32(5 - bits)) & 31)) }
        var chk: UInt32 = 1
        for byte in humanReadablePart { chk = polymodStep(chk) ^ UInt32(byte >> 5) }
        chk = polymodStep(chk)
        for byte in humanReadablePart { chk = polymodStep(chk) ^ UInt32(byte & 31) }
        for group in groups { chk = polymodStep(chk) ^ UInt32(group) }
        for _ in 0..<checksumLength { chk = polymodStep(chk) }
        chk ^= 1
        for index in 0..<checksumLength { groups.append(UInt8((chk >> UInt32(5 * (5 - index))) & 31)) }
        let text = "age-secret-key-1" + String(decoding: groups.map { alphabet[Int($0)] }, as: UTF8.self)
        return text.uppercased()
    }

    /// One step of the Bech32 checksum's BCH code over GF(32).
    private static func polymodStep(_ chk: UInt32) -> UInt32 {
        let top = chk >> 25
        var next = (chk & 0x1FF_FFFF) << 5
        if top & 1 != 0 { next ^= 0x3B6A_57B2 }
        if top & 2 != 0 { next ^= 0x2650_8E6D }
        if top & 4 != 0 { next ^= 0x1EA1_19FA }
        if top & 8 != 0 { next ^= 0x3D42_33DD }
        if top & 16 != 0 { next ^= 0x2A14_62B3 }
        return next
    }
}
