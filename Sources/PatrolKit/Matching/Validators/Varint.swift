/// Unsigned base-128 varints (LEB128), the framing of protobuf (Vault service tokens) and of
/// libmacaroons' v2 format (PyPI tokens): the structure validators read them, and the
/// generators write them.
enum Varint {
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func encoded(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return bytes
    }
}

/// A cursor over varint-framed bytes.
struct VarintReader {
    let bytes: UnsafeRawBufferPointer
    /// The longest varint accepted, in bytes: 10 holds any 64-bit value; a format whose numbers
    /// are small can refuse longer ones as malformed.
    let maxVarintBytes: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maxVarintBytes: Int = 10) {
        self.bytes = bytes
        self.maxVarintBytes = maxVarintBytes
    }

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 7 * maxVarintBytes, by: 7) {
            guard let byte = byte() else { return nil }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, count <= bytes.count - index else { return false }
        index += count
        return true
    }
}
