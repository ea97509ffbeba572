/// RFC 4648 §5 base64url (`A-Za-z0-9-_`, usually unpadded): the text form of JWT segments,
/// macaroons (PyPI), Vault service tokens and GitLab routable payloads.
///
/// Decoding maps the two URL-safe symbols onto `+` and `/` in a scratch copy and hands the
/// result to ``Base64/decode(_:into:)``, so there is one base64 decoder in the code base.
/// Tokens written with the standard alphabet (Grafana, Sentry) decode here too: `+` and `/`
/// pass through unchanged.
enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Decodes `encoded` into the start of `output` and returns the bytes written, or `nil` when
    /// it is not base64 (see ``Base64/decode(_:into:)``). `output` must hold at least
    /// `Base64.decodedCapacity(forEncodedCount: encoded.count)` bytes. The scratch copy lives in
    /// a temporary allocation, which is on the stack for token-sized input.
    static func decode(_ encoded: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard !encoded.isEmpty else { return 0 }
        return withUnsafeTemporaryAllocation(byteCount: encoded.count, alignment: 1) { standard -> Int? in
            for index in 0..<encoded.count {
                switch encoded[index] {
                case UInt8(ascii: "-"): standard[index] = UInt8(ascii: "+")
                case UInt8(ascii: "_"): standard[index] = UInt8(ascii: "/")
                case let byte: standard[index] = byte
                }
            }
            return Base64.decode(UnsafeRawBufferPointer(standard), into: output)
        }
    }

    /// Decodes `encoded` and passes the bytes to `body`; `nil` when it is not base64.
    static func withDecoded<Result>(_ encoded: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        withUnsafeTemporaryAllocation(byteCount: max(1, Base64.decodedCapacity(forEncodedCount: encoded.count)), alignment: 8) { decoded -> Result? in
            guard let count = decode(encoded, into: decoded) else { return nil }
            return body(UnsafeRawBufferPointer(rebasing: decoded[0..<count]))
        }
    }

    /// Unpadded base64url of `bytes`; for token generators and tests.
    static func encodedString(_ bytes: [UInt8]) -> String {
        let standard = bytes.withUnsafeBytes(Base64.encodedString)
        var result = ""
        result.reserveCapacity(standard.utf8.count)
        for character in standard.unicodeScalars {
            switch character {
            case "+": result.append("-")
            case "/": result.append("_")
            case "=": continue
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}

/// Random text for token generators: characters drawn from an alphabet with the seeded
/// generator, so a test that fails on one generated token can be replayed.
enum RandomText {
    static let base62 = Base62.alphabet
    static let hexLower: [UInt8] = Array("0123456789abcdef".utf8)
    static let lowercase: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz".utf8)
    static let digits: [UInt8] = Array("0123456789".utf8)

    static func string(from alphabet: [UInt8], count: Int, using rng: inout SeededGenerator) -> String {
        String(decoding: bytes(from: alphabet, count: count, using: &rng), as: UTF8.self)
    }

    static func bytes(from alphabet: [UInt8], count: Int, using rng: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
    }

    static func randomBytes(count: Int, using rng: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }
}
