/// CRC-32/IEEE (the zlib and PNG CRC): reflected polynomial `0xEDB88320`, initial value and
/// final XOR `0xFFFFFFFF`.
///
/// Legacy 52-character Azure DevOps PATs embed this CRC of their random bytes, XORed with a
/// seed (see ``AzureDevOpsLegacyChecksum``). We implement it here rather than link zlib because
/// the validator runs once per regex candidate on the scanner's hot path, where a 1 KiB table
/// and a byte loop are all that is needed and no buffer may be copied or allocated.
enum CRC32 {
    /// The byte-at-a-time lookup table for the reflected polynomial, built once on first use.
    private static let table: [UInt32] = (0..<256).map { index in
        var remainder = UInt32(index)
        for _ in 0..<8 {
            remainder = remainder & 1 == 1 ? (remainder &>> 1) ^ 0xEDB8_8320 : remainder &>> 1
        }
        return remainder
    }

    /// The CRC-32 of `bytes`; `"123456789"` gives the standard check value `0xCBF43926`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        table.withUnsafeBufferPointer { table in
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc &>> 8)
            }
            return ~crc
        }
    }
}
