/// Discord bot tokens: `base64(bot user id)` `.` 6 characters `.` an HMAC of 27 or 38 characters.
///
/// The first segment is the bot's user id, a snowflake, written in decimal and base64-encoded
/// without padding (`reference/token-formats.md` §1e). Real ids since 2015 have 17 to 19
/// digits and fit in 63 bits, so the check is that the segment decodes to such a number. That
/// proves the segment's structure, not the HMAC: confidence stays medium.
enum DiscordBotToken {
    static let idDigits = 17...19

    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        guard let dot = token.firstIndex(of: UInt8(ascii: ".")), dot > 0 else { return false }
        return Base64URL.withDecoded(UnsafeRawBufferPointer(rebasing: token[..<dot])) { id in
            guard idDigits.contains(id.count), id[0] != UInt8(ascii: "0") else { return false }
            var value: UInt64 = 0
            for byte in id {
                guard byte >= 0x30, byte <= 0x39 else { return false }
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return false }
                value = times10 + UInt64(byte - 0x30)
            }
            return value < 1 << 63
        } ?? false
    }

    /// A fresh token for a bot with an 18- or 19-digit id.
    static func generate(using rng: inout SeededGenerator) -> String {
        let digits = Bool.random(using: &rng) ? 18 : 19
        return generate(idDigits: digits, using: &rng)
    }

    /// A fresh token whose id has `digits` digits (18: bots created from late 2015 to mid-2022;
    /// 19: since then): a snowflake (milliseconds since the Discord epoch, 2015, shifted left 22
    /// bits, plus random low bits), a random timestamp segment and a 38-character HMAC segment.
    static func generate(idDigits digits: Int, using rng: inout SeededGenerator) -> String {
        precondition(idDigits.contains(digits), "Discord ids have 17 to 19 digits")
        var id: UInt64
        repeat {
            let milliseconds = UInt64.random(in: 30_000_000_000...1_000_000_000_000, using: &rng)
            id = milliseconds << 22 | UInt64.random(in: 0..<(1 << 22), using: &rng)
        } while String(id).utf8.count != digits
        let segment = Array(String(id).utf8).withUnsafeBytes(Base64.encodedString).filter { $0 != "=" }
        return segment + "." + RandomText.string(from: Base64URL.alphabet, count: 6, using: &rng)
            + "." + RandomText.string(from: Base64URL.alphabet, count: 38, using: &rng)
    }
}
