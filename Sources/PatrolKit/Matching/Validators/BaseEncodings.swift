// The three text encodings that Azure DevOps PAT checksums are defined over, working on raw
// bytes into caller-provided buffers.
//
// Validators run once per regex candidate on the scanner's hot path, so decoding must not
// allocate: every `decode`/`encode` here writes into memory the caller owns (usually a
// `withUnsafeTemporaryAllocation` buffer on the stack) and reports how much it wrote. The
// `…String` variants allocate and exist for token generation and tests only.

/// RFC 4648 base32 with the lowercase alphabet `a-z2-7`, most significant bit first, no
/// padding: the text form of legacy 52-character Azure DevOps PATs.
///
/// Uppercase is rejected on purpose. Microsoft's decoder would accept it, but its detection
/// regex (SEC101/102) is case-sensitive and lowercase only, so an uppercase run is never a
/// candidate and validating it would only add false positives.
enum Base32 {
    static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// Symbol value for every byte; `invalidSymbol` for bytes outside the alphabet.
    private static let symbolValues: [UInt8] = makeSymbolTable(for: alphabet)

    /// Whole bytes carried by `count` characters. Leftover bits are not a byte and are dropped,
    /// which is how 52 characters (260 bits) become the 32 bytes a legacy PAT holds.
    static func decodedCount(forEncodedCount count: Int) -> Int {
        count * 5 / 8
    }

    /// Characters needed for `count` bytes without padding (32 bytes → 52 characters).
    static func encodedCount(forDecodedCount count: Int) -> Int {
        (count * 8 + 4) / 5
    }

    /// Decodes `encoded` into the start of `output` and returns the number of bytes written,
    /// or `nil` if any byte is outside the alphabet. `output` must hold at least
    /// `decodedCount(forEncodedCount: encoded.count)` bytes.
    static func decode(_ encoded: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let byteCount = decodedCount(forEncodedCount: encoded.count)
        precondition(output.count >= byteCount, "base32 output buffer too small")
        return symbolValues.withUnsafeBufferPointer { values -> Int? in
            // Eight characters are exactly five bytes, so whole groups need no bit bookkeeping.
            // Symbols are < 32; `invalidSymbol` sets the high bits, so one OR checks all eight.
            var group: UInt64 = 0
            var invalidBits: UInt8 = 0
            var index = 0
            var written = 0
            while index + 8 <= encoded.count {
                group = 0
                invalidBits = 0
                for offset in 0..<8 {
                    let value = values[Int(encoded[index + offset])]
                    invalidBits |= value
                    group = group &<< 5 | UInt64(value & 0x1F)
                }
                guard invalidBits & ~0x1F == 0 else { return nil }
                for shift in stride(from: 32, through: 0, by: -8) {
                    output[written] = UInt8(truncatingIfNeeded: group &>> UInt64(shift))
                    written += 1
                }
                index += 8
            }
            // A final partial group: its leftover bits (4 of them for a 52-character PAT) are dropped.
            group = 0
            invalidBits = 0
            let leftover = encoded.count - index
            for offset in 0..<leftover {
                let value = values[Int(encoded[index + offset])]
                invalidBits |= value
                group |= UInt64(value & 0x1F) &<< UInt64(35 - 5 * offset)
            }
            guard invalidBits & ~0x1F == 0 else { return nil }
            for byte in 0..<(leftover * 5 / 8) {
                output[written] = UInt8(truncatingIfNeeded: group &>> UInt64(32 - 8 * byte))
                written += 1
            }
            return written
        }
    }

    /// Encodes `bytes` into the start of `output` without padding and returns the number of
    /// characters written. The final character's unused low bits are zero.
    @discardableResult
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        precondition(output.count >= encodedCount(forDecodedCount: bytes.count), "base32 output buffer too small")
        var bits: UInt64 = 0
        var bitCount = 0
        var written = 0
        for byte in bytes {
            bits = (bits &<< 8) | UInt64(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output[written] = alphabet[Int((bits &>> UInt64(bitCount)) & 0x1F)]
                written += 1
            }
        }
        if bitCount > 0 {
            output[written] = alphabet[Int((bits &<< UInt64(5 - bitCount)) & 0x1F)]
            written += 1
        }
        return written
    }

    static func encodedString(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: encodedCount(forDecodedCount: bytes.count)) { output in
            encode(bytes, into: UnsafeMutableRawBufferPointer(output))
        }
    }
}

/// RFC 4648 standard base64 (`A-Za-z0-9+/`, `=` padding): the encoding CASK keys are laid out
/// in, whose 84 characters are really 63 bytes.
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let padding = UInt8(ascii: "=")

    private static let symbolValues: [UInt8] = makeSymbolTable(for: alphabet)

    /// An upper bound on the bytes `count` characters decode to (exact for unpadded input).
    static func decodedCapacity(forEncodedCount count: Int) -> Int {
        count * 3 / 4
    }

    /// Characters for `count` bytes including padding (3 bytes → 4 characters, 4 bytes → 8).
    static func encodedCount(forDecodedCount count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Decodes `encoded` into the start of `output` and returns the number of bytes written,
    /// or `nil` for a byte outside the alphabet, `=` anywhere but one or two final padding
    /// characters of a length that is a multiple of 4, or a lone dangling character.
    ///
    /// Unused low bits of the last character are ignored rather than rejected, like .NET's
    /// `Convert.FromBase64String`: Microsoft's CASK checksum decodes `base62 + "=="`, whose last
    /// character usually has such bits set, and we must reproduce that exactly.
    /// `output` must hold at least `decodedCapacity(forEncodedCount: encoded.count)` bytes.
    static func decode(_ encoded: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        var count = encoded.count
        var paddingCount = 0
        while count > 0, paddingCount < 2, encoded[count - 1] == padding {
            count -= 1
            paddingCount += 1
        }
        if paddingCount > 0, encoded.count % 4 != 0 { return nil }
        if count % 4 == 1 { return nil }
        precondition(output.count >= decodedCapacity(forEncodedCount: count), "base64 output buffer too small")
        return symbolValues.withUnsafeBufferPointer { values -> Int? in
            // Four characters are exactly three bytes. Symbols are < 64; `invalidSymbol` sets the
            // high bits, so one OR checks a whole group.
            var index = 0
            var written = 0
            while index + 4 <= count {
                let first = values[Int(encoded[index])]
                let second = values[Int(encoded[index + 1])]
                let third = values[Int(encoded[index + 2])]
                let fourth = values[Int(encoded[index + 3])]
                guard (first | second | third | fourth) & ~0x3F == 0 else { return nil }
                let group = UInt32(first) &<< 18 | UInt32(second) &<< 12 | UInt32(third) &<< 6 | UInt32(fourth)
                output[written] = UInt8(truncatingIfNeeded: group &>> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: group &>> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: group)
                written += 3
                index += 4
            }
            // Two or three final characters carry one or two bytes plus unused bits.
            var group: UInt32 = 0
            var invalidBits: UInt8 = 0
            let leftover = count - index
            for offset in 0..<leftover {
                let value = values[Int(encoded[index + offset])]
                invalidBits |= value
                group |= UInt32(value & 0x3F) &<< UInt32(18 - 6 * offset)
            }
            guard invalidBits & ~0x3F == 0 else { return nil }
            for byte in 0..<(leftover * 3 / 4) {
                output[written] = UInt8(truncatingIfNeeded: group &>> UInt32(16 - 8 * byte))
                written += 1
            }
            return written
        }
    }

    /// Encodes `bytes` with padding into the start of `output`; returns the characters written.
    @discardableResult
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let count = encodedCount(forDecodedCount: bytes.count)
        precondition(output.count >= count, "base64 output buffer too small")
        var written = 0
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let group = UInt32(bytes[index]) &<< 16
                | (remaining > 1 ? UInt32(bytes[index + 1]) &<< 8 : 0)
                | (remaining > 2 ? UInt32(bytes[index + 2]) : 0)
            output[written] = alphabet[Int((group &>> 18) & 0x3F)]
            output[written + 1] = alphabet[Int((group &>> 12) & 0x3F)]
            output[written + 2] = remaining > 1 ? alphabet[Int((group &>> 6) & 0x3F)] : padding
            output[written + 3] = remaining > 2 ? alphabet[Int(group & 0x3F)] : padding
            written += 4
            index += 3
        }
        return count
    }

    static func encodedString(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: encodedCount(forDecodedCount: bytes.count)) { output in
            encode(bytes, into: UnsafeMutableRawBufferPointer(output))
        }
    }
}

/// Big-integer base62 over `0-9A-Za-z`, exactly as the Base62.Net code vendored by
/// `microsoft/security-utilities` does it, because CASK checksums are defined by its output.
///
/// The bytes are read as one big-endian integer and written most significant digit first.
/// Each leading `0x00` byte becomes one leading `'0'` (at most `count - 1` of them), and a zero
/// value is the single digit `'0'`, so `[0, 0, 0, 0]` is `"0000"` and `[0, 0, 0, 5]` is `"0005"`.
enum Base62 {
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Enough characters for any `count` bytes: log(256)/log(62) ≈ 1.344 < 1.38 digits per byte,
    /// plus one for rounding (4 bytes → 6 characters).
    static func maximumEncodedCount(forDecodedCount count: Int) -> Int {
        count * 138 / 100 + 1
    }

    /// Encodes `bytes` into the start of `output`; returns the characters written (0 for no bytes).
    /// `output` must hold at least `maximumEncodedCount(forDecodedCount: bytes.count)` bytes.
    @discardableResult
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let count = bytes.count
        guard count > 0 else { return 0 }
        precondition(output.count >= maximumEncodedCount(forDecodedCount: count), "base62 output buffer too small")
        var leadingZeroCount = 0
        while leadingZeroCount < count - 1, bytes[leadingZeroCount] == 0 {
            leadingZeroCount += 1
        }
        // Long division of the big-endian number by 62 in a scratch copy; remainders come out
        // least significant first and are reversed once at the end.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { dividend in
            _ = dividend.initialize(fromContentsOf: bytes)
            var digitCount = 0
            var start = 0
            while start < count, dividend[start] == 0 {
                start += 1
            }
            repeat {
                var remainder: UInt32 = 0
                for index in start..<count {
                    let accumulator = remainder &<< 8 | UInt32(dividend[index])
                    dividend[index] = UInt8(truncatingIfNeeded: accumulator / 62)
                    remainder = accumulator % 62
                }
                output[leadingZeroCount + digitCount] = alphabet[Int(remainder)]
                digitCount += 1
                while start < count, dividend[start] == 0 {
                    start += 1
                }
            } while start < count
            var digits = UnsafeMutableRawBufferPointer(rebasing: output[leadingZeroCount..<(leadingZeroCount + digitCount)])
            digits.reverse()
            for index in 0..<leadingZeroCount {
                output[index] = alphabet[0]
            }
            return leadingZeroCount + digitCount
        }
    }

    static func encodedString(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: maximumEncodedCount(forDecodedCount: bytes.count)) { output in
            encode(bytes, into: UnsafeMutableRawBufferPointer(output))
        }
    }
}

/// Marks bytes that are not symbols in a decoding table; no alphabet here has 255 symbols.
private let invalidSymbol: UInt8 = 0xFF

/// A 256-entry byte → symbol value table, so decoding is one load per character.
private func makeSymbolTable(for alphabet: [UInt8]) -> [UInt8] {
    var table = [UInt8](repeating: invalidSymbol, count: 256)
    for (value, symbol) in alphabet.enumerated() {
        table[Int(symbol)] = UInt8(value)
    }
    return table
}
