/// Microsoft's "identifiable" keys (Azure Storage, Cosmos DB, Service Bus, Event Hubs, Relay,
/// Functions, Search, API Management, Container Registry, IoT Hub, Cache for Redis, Batch):
/// random bytes whose base64 text carries a 4-character service signature right before a
/// Marvin32 checksum, so a match is proven offline without the word "azure" nearby.
///
/// Layout (facts from `microsoft/security-utilities`, `IdentifiableSecrets` and
/// `IdentifiableMetadata`): the key is `byteCount` bytes. Its last 4 bytes are
/// `Marvin32(all preceding bytes, seed)` as a little-endian `Int32`; the 4 base64 characters
/// just before the 6 that encode those 4 bytes (and any `=` padding) are the signature, e.g.
/// `…+ASt` + 5 characters + `[AQgw]==` for a 64-byte storage key. A service may issue keys under
/// several seeds (send, listen and manage keys of Service Bus); a key is valid when one matches.
struct IdentifiableKeyFormat: Sendable {
    /// The base64 signature, e.g. `+ASt`.
    let signature: StaticString
    /// Decoded length of the key in bytes.
    let byteCount: Int
    /// URL-safe alphabet (`-`, `_`) instead of the standard one (`+`, `/`).
    let urlSafe: Bool
    /// Whether the text keeps its `=` padding (Functions keys do, Search keys have none).
    let padded: Bool
    /// Marvin32 seeds: the ASCII of an eight-character key-kind name read as a big-endian integer.
    let seeds: [UInt64]

    /// Characters of the encoded key.
    var encodedCount: Int {
        padded ? Base64.encodedCount(forDecodedCount: byteCount) : (byteCount * 8 + 5) / 6
    }

    var paddingCount: Int { padded ? Base64.encodedCount(forDecodedCount: byteCount) - (byteCount * 8 + 5) / 6 : 0 }

    /// Offset of the signature in the text: before the 6 checksum characters and the padding.
    var signatureOffset: Int { encodedCount - paddingCount - 6 - 4 }

    static func seed(_ name: StaticString) -> UInt64 {
        precondition(name.utf8CodeUnitCount == 8, "a checksum seed names eight ASCII characters")
        var value: UInt64 = 0
        for index in 0..<8 { value = value &<< 8 | UInt64(name.utf8Start[index]) }
        return value
    }

    // The formats patrol's rules name. Seeds are the key-kind names Microsoft's library encodes.
    static let storage = Self(signature: "+ASt", byteCount: 64, urlSafe: false, padded: true, seeds: [seed("Default0")])
    static let cosmosDB = Self(signature: "ACDb", byteCount: 64, urlSafe: false, padded: true, seeds: [
        seed("MastRW00"), seed("MastRO00"), seed("SysAll00"), seed("SystRW00"), seed("SystRO00"), seed("Resour00"), seed("Encryp00"),
    ])
    static let serviceBus = messaging("+ASb")
    static let eventHubs = messaging("+AEh")
    static let relay = messaging("+ARm")
    static let functions = Self(signature: "AzFu", byteCount: 40, urlSafe: true, padded: true, seeds: [seed("Functi00"), seed("Master00"), seed("System00")])
    static let search = Self(signature: "AzSe", byteCount: 39, urlSafe: true, padded: false, seeds: [seed("Query000"), seed("PAdmin00")])
    static let apiManagement = Self(signature: "APIM", byteCount: 64, urlSafe: false, padded: true, seeds: [seed("IoTHub00"), seed("Gatewy00"), seed("GitKey00")])
    static let containerRegistry = Self(signature: "+ACR", byteCount: 39, urlSafe: false, padded: false, seeds: [seed("ACRDflt0")])
    static let iot = Self(signature: "AIoT", byteCount: 32, urlSafe: false, padded: true, seeds: [seed("IoTHub00"), seed("DpsKey00"), seed("Device00")])
    static let cacheForRedis = Self(signature: "AzCa", byteCount: 32, urlSafe: false, padded: true, seeds: [seed("Access00")])
    static let batch = Self(signature: "+ABa", byteCount: 64, urlSafe: false, padded: true, seeds: [seed("AbAcct00")])

    private static func messaging(_ signature: StaticString) -> Self {
        Self(signature: signature, byteCount: 32, urlSafe: false, padded: true, seeds: [seed("Send0000"), seed("Listen00"), seed("Manage00")])
    }
}

enum IdentifiableKeyChecksum {
    /// True when `key` is exactly `format`'s length, carries its signature, uses only its
    /// alphabet, and its last four decoded bytes are the Marvin32 checksum under one of its seeds.
    static func isValid(_ key: UnsafeRawBufferPointer, format: IdentifiableKeyFormat) -> Bool {
        guard key.count == format.encodedCount else { return false }
        let signature = UnsafeRawBufferPointer(start: format.signature.utf8Start, count: 4)
        guard key[format.signatureOffset..<(format.signatureOffset + 4)].elementsEqual(signature) else { return false }
        let wrongSpecials: (UInt8, UInt8) = format.urlSafe ? (UInt8(ascii: "+"), UInt8(ascii: "/")) : (UInt8(ascii: "-"), UInt8(ascii: "_"))
        for byte in key where byte == wrongSpecials.0 || byte == wrongSpecials.1 { return false }
        // The unused low bits of the last character must be zero, as in the text Microsoft's
        // encoder writes (its pattern ends `[AQgw]==` for 64-byte keys): the decoder ignores
        // them, so without this check four spellings of the last character would all pass.
        let rawCount = (format.byteCount * 8 + 5) / 6
        let unusedBits = rawCount * 6 - format.byteCount * 8
        if unusedBits > 0 {
            let last = key[rawCount - 1]
            guard let value = Base64URL.alphabet.firstIndex(of: last) ?? Base64.alphabet.firstIndex(of: last),
                  value & ((1 << unusedBits) - 1) == 0
            else { return false }
        }
        let decodedBytes = Base64URL.withDecoded(key) { decoded -> Bool in
            guard decoded.count == format.byteCount else { return false }
            let body = UnsafeRawBufferPointer(rebasing: decoded[0..<(format.byteCount - 4)])
            let stored = UInt32(decoded[format.byteCount - 4]) | UInt32(decoded[format.byteCount - 3]) << 8
                | UInt32(decoded[format.byteCount - 2]) << 16 | UInt32(decoded[format.byteCount - 1]) << 24
            return format.seeds.contains { Marvin32.hash32(body, seed: $0) == stored }
        }
        return decodedBytes ?? false
    }

    /// A fresh valid key: random bytes, the signature written into their text, the checksum
    /// (first seed unless `seedIndex` says otherwise) in the last four bytes.
    static func generate(format: IdentifiableKeyFormat, seedIndex: Int = 0, using rng: inout SeededGenerator) -> String {
        var bytes = RandomText.randomBytes(count: format.byteCount, using: &rng)
        // Write the signature characters into the standard base64 text, then decode it back:
        // the signature's 24 bits land on the bytes before the checksum, whatever their alignment.
        var text = Array(bytes.withUnsafeBytes(Base64.encodedString).utf8)
        let signature = UnsafeRawBufferPointer(start: format.signature.utf8Start, count: 4)
        for index in 0..<4 { text[format.signatureOffset + index] = standardSymbol(signature[index]) }
        bytes = [UInt8](repeating: 0, count: format.byteCount + 2)
        let written = text.withUnsafeBytes { encoded in bytes.withUnsafeMutableBytes { Base64.decode(encoded, into: $0) } }
        precondition(written == format.byteCount, "re-decoding a generated key keeps its length")
        bytes.removeLast(2)
        let checksum = bytes.withUnsafeBytes { Marvin32.hash32(UnsafeRawBufferPointer(rebasing: $0[0..<(format.byteCount - 4)]), seed: format.seeds[seedIndex]) }
        for index in 0..<4 { bytes[format.byteCount - 4 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(index))) }
        var encoded = bytes.withUnsafeBytes(Base64.encodedString)
        if format.urlSafe {
            encoded = String(encoded.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
        }
        if !format.padded {
            encoded = String(encoded.prefix { $0 != "=" })
        }
        return encoded
    }

    private static func standardSymbol(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "-"): UInt8(ascii: "+")
        case UInt8(ascii: "_"): UInt8(ascii: "/")
        default: byte
        }
    }
}
