#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The value test of the generic heuristic (`patterns/generic.yml`): is a value assigned to a
/// credential-like name (`password`, `token`, `api_key`, URL user info…) a real secret?
///
/// Users of other scanners complain most about generic rules (UUIDs, `public_key=`, words that
/// contain "key"), so this errs towards silence: a value is reported only when it looks
/// machine-generated. It must not be a placeholder or a reference (`${X}`, `$(X)`, `{{ x }}`,
/// `%X%`, `<YOUR_PAT>`, `xxxx`, `changeme`, `process.env.X`), a path or URL, a lockfile or
/// digest hash (`sha512-…`, `h1:…`, `sha256:…`), a UUID, a run or sequence (`aaaa`, `abcd1234`),
/// or mostly dictionary words (`MySuperSecretPassword`, `P@ssw0rd`); and its Shannon entropy
/// must reach a floor fitted to its alphabet and length (`entropyFloor`). It runs only on regex
/// matches, so it may allocate.
enum GenericSecret {
    static let minimumLength = 10
    static let maximumLength = 256
    /// Hex values are longer before they carry as much: 16 hex characters are 64 bits.
    static let minimumHexLength = 16

    static func isPlausible(_ value: UnsafeRawBufferPointer) -> Bool {
        let n = value.count
        guard n >= minimumLength, n <= maximumLength else { return false }
        var lower = 0, upper = 0, digits = 0, symbols = 0, separators = 0
        for byte in value {
            switch byte {
            case 0x61...0x7A: lower += 1
            case 0x41...0x5A: upper += 1
            case 0x30...0x39: digits += 1
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                symbols += 1
                separators += 1
            case 0x21...0x7E: symbols += 1
            default: return false   // spaces, control bytes and non-ASCII: prose, not a secret
            }
        }
        let bytes = Array(value)
        if hasNonSecretPrefix(bytes) || isSigV4Scope(bytes) || isNumericLiteral(bytes) || isDERSignature(bytes) { return false }
        // `user:password` (basic auth, URL user info): the password is the secret.
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")), colon > 0, !bytes.contains(UInt8(ascii: "/")) {
            return bytes[(colon + 1)...].withUnsafeBytes { isPlausible($0) }
        }
        if looksLikeReference(bytes) || looksLikeIdentifier(bytes) || looksLikePath(bytes) || isUUID(bytes) { return false }
        let isHex = symbols == 0 && (lower == 0 || upper == 0) && bytes.allSatisfy { isHexDigit($0) }
        // Four equal hex digits in a row happen to 1 % of random 40-digit values; five to 0.05 %.
        if hasRunOrSequence(bytes, longestRun: isHex ? 5 : 4) { return false }

        let alphabet: Alphabet
        if isHex {
            guard n >= minimumHexLength, digits > 0, lower + upper > 0 else { return false }
            alphabet = .hex
        } else {
            // Letters only, or words joined by - _ . : prose, names, identifiers.
            if digits + symbols - separators == 0 && n < 32 { return false }
            if lower + upper == 0 { return false }                    // digits and punctuation: numbers, dates, versions
            let classes = [lower, upper, digits, symbols].filter { $0 > 0 }.count
            if classes < 2 || (n < 16 && classes < 3) { return false }
            alphabet = lower == 0 || upper == 0 ? .singleCase : .mixedCase
            // Not for hex: half of a-f (a, d, f) lies on the home row.
            if isKeyboardMash(bytes) { return false }
        }
        if Entropy.bitsPerByte(value) < entropyFloor(length: n, alphabet: alphabet) { return false }
        return !isWordy(bytes) && !isReadableBase64(bytes)
    }

    /// The character set a value draws from, which bounds the entropy it can have.
    enum Alphabet {
        case hex
        /// Letters of one case with digits (base32, base36): about 32 symbols.
        case singleCase
        /// Both cases (base62, base64, passwords with punctuation).
        case mixedCase
    }

    /// About the 0.5th percentile of the entropy of uniformly random strings of that alphabet
    /// and length (simulated: random hex of 32 characters has 3.22 bits there, base62 of 20
    /// has 3.58), so nearly every generated secret passes and typed text mostly does not.
    static func entropyFloor(length n: Int, alphabet: Alphabet) -> Double {
        let bits = log2(Double(n))
        switch alphabet {
        case .hex: return min(3.3, 0.63 * bits)
        case .singleCase: return min(4.1, 0.75 * bits)
        case .mixedCase: return min(4.8, 0.80 * bits)
        }
    }

    // MARK: - Shapes that are not secrets

    /// `${X}`, `$(X)`, `{{ x }}`, `%X%`, `<YOUR_PAT>`, `#{x}`, `@param`, `:symbol`, `env.X`,
    /// `process.env.TOKEN`, `ENC(…)` and masked values.
    static func looksLikeReference(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return true }
        if "$%<{[(@#*&:!?~./\\^|".utf8.contains(first) { return true }
        if ")}]>%".utf8.contains(last) { return true }
        // Templates, calls, indexing, regular expressions.
        for byte in bytes where "{}<>[]()\\".utf8.contains(byte) { return true }
        if contains(bytes, Array(".*".utf8)) || contains(bytes, Array(".+".utf8)) || contains(bytes, Array("...".utf8)) { return true }
        // A dotted identifier: a variable or property, not a literal.
        var parts = 0
        var valid = true
        for part in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            parts += 1
            guard let head = part.first, isLetter(head) || head == UInt8(ascii: "_"),
                  part.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") })
            else { valid = false; break }
        }
        return valid && parts >= 2
    }

    /// A variable, constant or function name (`is_impersonated_credential`, `Socks5Auth`,
    /// `_CLEAN_HEADER_REGEX`, `x86_cpu_index_1_edx`): an identifier whose parts, split at `_`
    /// and at lower-to-upper case changes, each read as a word (`[A-Z]?[a-z]+`, `[A-Z]+` or
    /// `[a-z]+`, then digits). Random base62 and base64url break that at their first digit or
    /// case change inside a part.
    static func looksLikeIdentifier(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices {
            let byte = bytes[index]
            if byte == UInt8(ascii: "_") {
                if index > start { parts.append(bytes[start..<index]) }
                start = index + 1
            } else if !isLetter(byte) && !isDigit(byte) {
                return false
            } else if index > start, isUpper(byte), isLower(bytes[index - 1]) {
                parts.append(bytes[start..<index])
                start = index
            }
        }
        if start < bytes.count { parts.append(bytes[start...]) }
        guard parts.count >= 2 || bytes.contains(UInt8(ascii: "_")) else { return false }
        return parts.allSatisfy(isWordPart)
    }

    /// `Word`, `word`, `WORD`, each optionally followed by digits; or digits alone.
    private static func isWordPart(_ part: ArraySlice<UInt8>) -> Bool {
        var index = part.startIndex
        let end = part.endIndex
        if index < end, isUpper(part[index]) {
            index += 1
            if index < end, isUpper(part[index]) {
                while index < end, isUpper(part[index]) { index += 1 }
            } else {
                while index < end, isLower(part[index]) { index += 1 }
            }
        } else {
            while index < end, isLower(part[index]) { index += 1 }
        }
        while index < end, isDigit(part[index]) { index += 1 }
        return index == end
    }

    /// `/etc/x`, `./x`, `~/x`, `C:\x`, `secrets/db/password`, `key.pem`, `https://…`, `a@b.com`.
    static func looksLikePath(_ bytes: [UInt8]) -> Bool {
        let text = bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if contains(text, Array("://".utf8)) { return true }
        if bytes.count > 2, isLetter(bytes[0]), bytes[1] == UInt8(ascii: ":"), bytes[2] == UInt8(ascii: "/") { return true }
        for suffix in [".txt", ".json", ".pem", ".key", ".crt", ".cer", ".yaml", ".yml", ".env", ".p12", ".pfx", ".jks", ".xml", ".conf", ".ini", ".toml", ".gpg", ".asc", ".der", ".pub", ".js", ".py", ".sh", ".html", ".png", ".svg"] where text.reversed().starts(with: suffix.utf8.reversed()) {
            return true
        }
        if bytes.contains(UInt8(ascii: "/")) {
            // Random base64 has digits between its slashes; a path's segments are words.
            let segments = bytes.split(separator: UInt8(ascii: "/"))
            if segments.count >= 2, segments.allSatisfy({ segment in !segment.contains { isDigit($0) } || segment.count <= 3 }) { return true }
        }
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, bytes[(at + 1)...].contains(UInt8(ascii: ".")),
           bytes[(at + 1)...].allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) {
            return true   // an e-mail address or user@host
        }
        return false
    }

    /// Digests and lockfile hashes (npm `integrity`, go.sum `h1:`, image digests), AWS key ids
    /// (not secrets: their secret key is), ARNs.
    static func hasNonSecretPrefix(_ bytes: [UInt8]) -> Bool {
        let text = bytes.prefix(12).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        for prefix in ["sha1-", "sha256-", "sha384-", "sha512-", "sha1:", "sha256:", "sha384:", "sha512:", "md5:", "md5-", "h1:", "arn:", "urn:", "mailto:", "data:", "git+", "npm:", "sha-"] where text.starts(with: prefix.utf8) {
            return true
        }
        if bytes.count == 20, ["AKIA", "ASIA", "ABIA", "ACCA"].contains(where: { bytes.starts(with: $0.utf8) }) {
            return true
        }
        return false
    }

    /// The credential scope of an AWS Signature Version 4 (`AKID/20240101/us-east-1/s3/aws4_request`,
    /// after `Credential=`): the access key id, date, region and service, none of them secret.
    static func isSigV4Scope(_ bytes: [UInt8]) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 5, parts[4].elementsEqual("aws4_request".utf8) else { return false }
        let date = parts[1]
        return date.count == 8 && date.allSatisfy(isDigit)
    }

    /// A number written in code: `-0x3f879678` (a Go or C constant such as `SIOCGLIFTOKEN`),
    /// `0x7fffffff`, `+1234567890`. Up to 16 hex digits (64 bits): a longer `0x…` value, such as
    /// an Ethereum private key, is not a number but a secret.
    static func isNumericLiteral(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { body = body.dropFirst() }
        if body.count > 2, body[body.startIndex] == UInt8(ascii: "0"), body[body.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            let digits = body.dropFirst(2)
            return digits.count <= 16 && digits.allSatisfy(isHexDigit)
        }
        return !body.isEmpty && body.allSatisfy(isDigit)
    }

    /// Base64 (or base64url) whose decoded bytes, at one of the four alignments a slice of a
    /// longer base64 text can have, are readable text with no secret in it: `bm90LXNlY3JldA==`
    /// (`not-secret`), the base64 of a word in a Kubernetes Secret example. A random byte is
    /// printable 37 % of the time, so 9 decoded bytes are all printable by chance 1 time in
    /// 8,000 and 24 (a 32-character value) 1 in 10^10: at least 6 bytes when the value has its
    /// `=` padding, 9 when unpadded, 12 when the value is a slice that starts inside a character
    /// (three more alignments to try). Half of them must also be letters, and the
    /// decoded text must hold no plausible secret (`user:` + a random password, base64 in a
    /// Basic header or `.npmrc` `_auth`, stays a finding).
    static func isReadableBase64(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        while body.last == UInt8(ascii: "=") { body = body.dropLast() }
        let padded = body.count < bytes.count && bytes.count % 4 == 0
        guard body.count >= 8, body.allSatisfy({ isLetter($0) || isDigit($0) || "+/-_".utf8.contains($0) }) else { return false }
        let values = body.map(base64Value)
        for skip in 0..<4 {
            var decoded: [UInt8] = []
            var accumulator = 0, bits = 0
            for value in values.dropFirst(skip) {
                accumulator = (accumulator << 6) | value
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    decoded.append(UInt8((accumulator >> bits) & 0xFF))
                }
            }
            // Whole bytes only: at the right alignment every one of them is the text's.
            let judged = decoded
            let least = skip > 0 ? 12 : padded ? 6 : 9
            guard judged.count >= least, judged.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { continue }
            let letters = judged.filter(isLetter).count
            guard letters * 2 >= judged.count else { continue }
            let pieces = judged.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "\"") }
            if pieces.contains(where: { piece in Array(piece).withUnsafeBytes { isPlausible($0) } }) { return false }
            return true
        }
        return false
    }

    /// Base64 of a DER-encoded ECDSA or DSA signature (`MEUCIQ…`, `MEYCIQ…`): a SEQUENCE of
    /// exactly two INTEGERs (r and s) filling it. A signature is public; DER private keys hold
    /// a version, an algorithm or more integers, so they do not have this shape.
    static func isDERSignature(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 12, bytes.count <= 200, bytes.starts(with: "ME".utf8) || bytes.starts(with: "MD".utf8) else { return false }
        var body = bytes[...]
        while body.last == UInt8(ascii: "=") { body = body.dropLast() }
        guard body.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }) else { return false }
        var der: [UInt8] = []
        var accumulator = 0, bits = 0
        for byte in body {
            accumulator = (accumulator << 6) | base64Value(byte)
            bits += 6
            if bits >= 8 {
                bits -= 8
                der.append(UInt8((accumulator >> bits) & 0xFF))
            }
        }
        guard der.count >= 8, der[0] == 0x30, Int(der[1]) == der.count - 2, der[1] < 0x80, der[2] == 0x02 else { return false }
        let first = Int(der[3])
        let second = 4 + first
        guard second + 1 < der.count, der[second] == 0x02 else { return false }
        return second + 2 + Int(der[second + 1]) == der.count
    }

    private static func base64Value(_ byte: UInt8) -> Int {
        switch byte {
        case 0x41...0x5A: return Int(byte - 0x41)
        case 0x61...0x7A: return Int(byte - 0x61) + 26
        case 0x30...0x39: return Int(byte - 0x30) + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        default: return 63
        }
    }

    /// 8-4-4-4-12 hex digits.
    static func isUUID(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !isHexDigit(byte) {
                return false
            }
        }
        return true
    }

    /// Four (or `longestRun`) equal characters in a row (`xxxx`, `****`, `0000`), or a value that is mostly
    /// ascending or descending steps (`abcdef123456`, `9876543210zyx`).
    static func hasRunOrSequence(_ bytes: [UInt8], longestRun: Int = 4) -> Bool {
        var run = 1
        var steps = 0
        for index in 1..<bytes.count {
            let previous = bytes[index - 1], current = bytes[index]
            run = current == previous ? run + 1 : 1
            if run >= longestRun { return true }
            let difference = Int(current) - Int(previous)
            if difference == 1 || difference == -1 { steps += 1 }
        }
        return steps * 2 >= bytes.count - 1
    }

    /// Letters typed along the keyboard's home row (`lsdkfol23w54jlksdef`, `sdf0o9823sjdfsdf`,
    /// the made-up tokens of documentation): at least 8 letters, two thirds of them from
    /// `asdfghjkl`. Random letters are a third from there (9 of 26); two thirds happens to
    /// about 2 % of random 8-letter values and 0.1 % of 20-letter ones.
    static func isKeyboardMash(_ bytes: [UInt8]) -> Bool {
        var letters = 0, homeRow = 0
        for byte in bytes where isLetter(byte) {
            letters += 1
            if "asdfghjkl".utf8.contains(byte | 0x20) { homeRow += 1 }
        }
        return letters >= 8 && homeRow * 3 >= letters * 2
    }

    /// Placeholder words anywhere (`example`, `changeme`, `your`…), or dictionary words covering
    /// half the value, also after undoing leetspeak (`P@ssw0rd`, `Sup3rS3cr3t`).
    static func isWordy(_ bytes: [UInt8]) -> Bool {
        let lowered = bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let unleeted = lowered.map { GenericSecretWords.leet[$0] ?? $0 }
        for text in [lowered, unleeted] {
            if GenericSecretWords.placeholderBytes.contains(where: { contains(text, $0) }) { return true }
            // People put 123 and abc in short passwords; random values of 20 or more have them by chance.
            if text.count < 20, GenericSecretWords.shortPlaceholderBytes.contains(where: { contains(text, $0) }) { return true }
            if wordCoverage(text) * 2 >= text.count { return true }
        }
        return false
    }

    /// Whether `needle` occurs in `haystack`, byte for byte (both are short: a value and a word).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    /// How many bytes of `text` the longest non-overlapping dictionary words cover (dynamic
    /// programming over positions; words of 3 to 12 letters). The words starting at a position
    /// come from one walk down `GenericSecretWords.trie`: no string is built per candidate, so a
    /// value costs about 12 steps per byte.
    static func wordCoverage(_ text: [UInt8]) -> Int {
        guard !text.isEmpty else { return 0 }
        var best = [Int](repeating: 0, count: text.count + 1)   // best[i]: the cover of text[..<i]
        let trie = GenericSecretWords.trie
        for start in 0..<text.count {
            best[start + 1] = max(best[start + 1], best[start])
            trie.forEachWord(in: text, from: start, lengths: 3...12) { length in
                best[start + length] = max(best[start + length], best[start] + length)
            }
        }
        return best[text.count]
    }

    // MARK: - Generating values for rule examples

    private static let generatorAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// A random 24 to 40 character base62 value that passes `isPlausible`, for `{{generate}}`.
    static func generate(using rng: inout SeededGenerator) -> String {
        while true {
            let length = Int.random(in: 24...40, using: &rng)
            let bytes = (0..<length).map { _ in generatorAlphabet.randomElement(using: &rng)! }
            let plausible = bytes.withUnsafeBytes { isPlausible($0) }
            if plausible { return String(decoding: bytes, as: UTF8.self) }
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66) }
}
