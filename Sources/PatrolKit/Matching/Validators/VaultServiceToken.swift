/// HashiCorp Vault service tokens since Vault 1.10: `hvs.` + unpadded base64url of a protobuf
/// `SignedToken { uint64 token_version = 1; bytes hmac = 2; bytes token = 3; }` whose `token` is a
/// `Token { string random = 1; uint64 local_index = 2; … }` and whose `random` starts `hvs.`.
///
/// Not in the reference: the layout was read from Vault's `tokens.proto` and checked here on
/// three public sample tokens (a root token of 91 characters after the prefix and two
/// namespaced ones of 103 and 104, whose `random` carries a `.nsid` suffix). The parse must end
/// exactly at the end of the text, which is what tells where a token of varying length ends.
enum VaultServiceToken {
    static let prefix = "hvs."
    static let hmacLength = 32

    private enum Tag {
        static let version: UInt8 = 0x08       // field 1, varint
        static let hmac: UInt8 = 0x12          // field 2, length-delimited
        static let token: UInt8 = 0x1A         // field 3, length-delimited
        static let random: UInt8 = 0x0A        // Token field 1, length-delimited
    }

    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count > prefix.utf8.count + 40, token.starts(with: prefix.utf8) else { return false }
        return Base64URL.withDecoded(UnsafeRawBufferPointer(rebasing: token[prefix.utf8.count...]), isWellFormed) ?? false
    }

    /// The `SignedToken` structure check on decoded bytes.
    static func isWellFormed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = VarintReader(bytes: bytes)
        guard reader.byte() == Tag.version, reader.varint() != nil,
              reader.byte() == Tag.hmac, reader.varint() == UInt64(hmacLength), reader.skip(hmacLength),
              reader.byte() == Tag.token, let length = reader.varint(), length == UInt64(bytes.count - reader.index)
        else { return false }
        // The inner Token: its random string starts "hvs.", then only well-formed fields.
        guard reader.byte() == Tag.random, let randomLength = reader.varint(), randomLength >= 8,
              randomLength <= UInt64(bytes.count - reader.index),
              bytes[reader.index..<(reader.index + 4)].elementsEqual(prefix.utf8),
              reader.skip(Int(randomLength))
        else { return false }
        while reader.index < bytes.count {
            guard let tag = reader.varint() else { return false }
            switch tag & 7 {
            case 0: guard reader.varint() != nil else { return false }
            case 2: guard let length = reader.varint(), reader.skip(Int(clamping: length)) else { return false }
            default: return false
            }
        }
        return true
    }

    /// A fresh root-namespace service token: version 1, a random HMAC, and a Token with a
    /// 24-character random id and, half the time, a local index.
    static func generate(using rng: inout SeededGenerator) -> String {
        let random = Array((prefix + RandomText.string(from: RandomText.base62, count: 24, using: &rng)).utf8)
        var inner: [UInt8] = [Tag.random, UInt8(random.count)] + random
        // proto3 leaves out a zero local index, as in the root token the reference layout was read from.
        if Bool.random(using: &rng) {
            inner += [0x10] + Varint.encoded(UInt64.random(in: 1...100_000, using: &rng))
        }
        let signed: [UInt8] = [Tag.version, 1, Tag.hmac, UInt8(hmacLength)]
            + RandomText.randomBytes(count: hmacLength, using: &rng)
            + [Tag.token, UInt8(inner.count)] + inner
        return prefix + Base64URL.encodedString(signed)
    }
}
