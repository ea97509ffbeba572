/// Marvin32, Microsoft's seeded string hash (SymCrypt's `SymCryptMarvin32`, also the
/// randomized string hash inside .NET), as ported in `microsoft/security-utilities`.
///
/// Azure DevOps 84-character PATs ("legacy CASK" keys) carry a checksum that is a folded
/// Marvin32 hash of their first 60 decoded bytes (see ``AzureDevOpsCaskChecksum``), so the
/// scanner must reproduce the algorithm bit for bit to reject look-alike strings offline.
/// It is not a cryptographic hash; here it only tells a real key from random text.
enum Marvin32 {
    /// The 64-bit Marvin state `p1 << 32 | p0` after hashing `bytes` with `seed`.
    ///
    /// SymCrypt test vectors: `"abc"` with seed `0xD53CD9CECD0893B7` gives `0x22C74339492769BF`;
    /// `"abcdefghijklmnopqrstuvwxyz"` with seed `0xDDDDEEEEFFFF000` gives `0xA128EB7E7260ACA2`.
    static func marvin64(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var state = State(p0: UInt32(truncatingIfNeeded: seed), p1: UInt32(truncatingIfNeeded: seed &>> 32))
        let count = bytes.count
        var offset = 0
        while offset + 4 <= count {
            state.p0 &+= UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            state.mix()
            offset += 4
        }
        // The final partial word is padded with a single 0x80 byte after the data, so inputs
        // that differ only by trailing zero bytes still hash differently.
        var finalWord: UInt32 = 0x80
        for index in stride(from: count - 1, through: offset, by: -1) {
            finalWord = (finalWord &<< 8) | UInt32(bytes[index])
        }
        state.p0 &+= finalWord
        state.mix()
        state.mix()
        return UInt64(state.p1) &<< 32 | UInt64(state.p0)
    }

    /// The 32-bit Marvin hash, `high ^ low` of ``marvin64(_:seed:)``: what .NET's
    /// `Marvin.ComputeHash32` returns, and the value CASK keys store as their checksum.
    static func hash32(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt32 {
        let hash = marvin64(bytes, seed: seed)
        return UInt32(truncatingIfNeeded: hash &>> 32) ^ UInt32(truncatingIfNeeded: hash)
    }

    private struct State {
        var p0: UInt32
        var p1: UInt32

        /// SymCrypt's `BLOCK` macro: the Marvin mixing step applied after every 32-bit word.
        @inline(__always)
        mutating func mix() {
            p1 ^= p0
            p0 = Self.rotateLeft(p0, by: 20)
            p0 &+= p1
            p1 = Self.rotateLeft(p1, by: 9)
            p1 ^= p0
            p0 = Self.rotateLeft(p0, by: 27)
            p0 &+= p1
            p1 = Self.rotateLeft(p1, by: 19)
        }

        @inline(__always)
        private static func rotateLeft(_ value: UInt32, by count: UInt32) -> UInt32 {
            (value &<< count) | (value &>> (32 &- count))
        }
    }
}
