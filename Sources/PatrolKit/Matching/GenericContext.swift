/// What the surroundings of a generic match say about its value, once `GenericSecret` found the
/// value itself plausible: the name it is assigned to, the line it sits on and the file's path.
/// Measured on real repositories (`benchmarks/precision/`), these are where the generic
/// heuristic reported things that are not secrets:
///
/// - digests under a digest's name (`hashed_secret`, `sha256`, `checksum`, `digest`,
///   `fingerprint`, `integrity`): a detect-secrets baseline, a lockfile, a release manifest;
/// - values that are public by design: a .NET assembly's `PublicKeyToken=`, a `public_…` name,
///   a domain or site verification token (`VerificationToken`, `google-site-verification`), a
///   badge URL's token (codecov's `badge.svg?token=`), an SDP offer's `a=ice-pwd:` (per media session,
///   sent in clear by design);
/// - AWS idempotency tokens in API fixtures (`ClientToken`, `clientToken`, `ClientRequestToken`,
///   `IdempotencyToken`; Vault's snake-case `client_token` is a secret and stays);
/// - the tail of an ARN, whose `…:secret:name-AbC123` looks like an assignment;
/// - vendored code (`vendor/`, `node_modules/`, `third_party/`, `third-party/`,
///   `bower_components/`) and minified JavaScript or CSS (`.min.js`, `.bundle.js`, or a line of
///   more than 320 characters in a `.js`/`.css` file): skipped, because the code is someone
///   else's and its matches are nearly always parser tables and library constants.
///
/// Real credentials keep their finding: in `.env` files, `*.tfvars`, `settings.json`,
/// `appsettings*.json` and `local.settings.json` nothing here drops a match, and a line that
/// names a provider (`aws`, `github`, `stripe`… any provider of the rule set) keeps a match in
/// vendored or minified code.
struct GenericContext: Sendable {
    /// Lowercased provider words (from the rule set's provider ids) that vouch for a match.
    let providerWords: [String]

    init(providerIDs: some Sequence<String>) {
        var words = Set<String>()
        for id in providerIDs where id != BufferMatcher.genericProvider {
            for word in id.lowercased().split(separator: "-") where word.count >= 3 && !["key", "keys", "private"].contains(word) {
                words.insert(String(word))
            }
        }
        providerWords = words.sorted()
    }

    /// Whether a generic match of `secret` at `path`, shown in `snippet`, stays a finding.
    func keeps(path: String, snippet: Snippet, secret: String) -> Bool {
        let credentialFile = Self.isCredentialFile(path)
        let line = snippet.bytes
        let offset = Self.offset(of: Array(secret.utf8), in: snippet)
        if let offset {
            let (name, nameStart) = Self.name(before: offset, in: line)
            if !credentialFile, Self.isNonSecretName(name) { return false }
            if Self.isARNSegment(line, nameStart: nameStart) { return false }
        }
        if credentialFile { return true }
        // The line without the value: a provider's name inside random text vouches for nothing.
        var around = line
        if let offset { around.replaceSubrange(offset..<(offset + secret.utf8.count), with: [0x20]) }
        let lowered = String(decoding: around, as: UTF8.self).lowercased()
        if lowered.contains("badge.svg") || lowered.contains("/badge?") || lowered.contains("site-verification") { return false }
        if Self.isVendored(path) || Self.isMinified(path, snippet: snippet, offset: offset, secretLength: secret.utf8.count) {
            return providerWords.contains { lowered.contains($0) }
        }
        return true
    }

    // MARK: - Paths

    /// `.env` and its variants, Terraform variable files, VS Code / Azure Functions / ASP.NET settings.
    static func isCredentialFile(_ path: String) -> Bool {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if name == ".env" || name.hasPrefix(".env.") || name.hasSuffix(".env") { return true }
        if name.hasSuffix(".tfvars") || name.hasSuffix(".tfvars.json") { return true }
        if name == "settings.json" || name == "local.settings.json" { return true }
        return name.hasPrefix("appsettings") && name.hasSuffix(".json")
    }

    static let vendoredFolders: Set<String> = ["vendor", "node_modules", "third_party", "third-party", "bower_components"]

    /// A path with a vendored-code folder among its folders.
    static func isVendored(_ path: String) -> Bool {
        path.split(separator: "/").dropLast().contains { vendoredFolders.contains(String($0)) }
    }

    /// A line this long on both sides of the value (the snippet's reach) in JavaScript or CSS is minified.
    static let minifiedReach = 160

    /// `.min.js`, `-min.js`, `.bundle.js`, `.chunk.js` (and `.css`, `.map`), or a JavaScript or
    /// CSS line that runs `minifiedReach` characters past the value on both sides.
    static func isMinified(_ path: String, snippet: Snippet, offset: Int?, secretLength: Int) -> Bool {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if name.hasSuffix(".map") { return true }
        let isScript = [".js", ".mjs", ".cjs", ".css"].contains { name.hasSuffix($0) }
        guard isScript else { return false }
        if [".min.", "-min.", ".bundle.", ".chunk."].contains(where: { name.contains($0) }) { return true }
        guard let offset else { return false }
        return offset >= minifiedReach && snippet.bytes.count - (offset + secretLength) >= minifiedReach
    }

    // MARK: - The name a value is assigned to

    /// Where `secret` sits in the snippet: inside one of its secret spans (the line may hold the
    /// same text elsewhere), else anywhere; nil for a value found decoded.
    static func offset(of secret: [UInt8], in snippet: Snippet) -> Int? {
        guard !secret.isEmpty else { return nil }
        let bytes = snippet.bytes
        func find(in range: Range<Int>) -> Int? {
            guard range.count >= secret.count else { return nil }
            for start in range.lowerBound...(range.upperBound - secret.count) where bytes[start] == secret[0] {
                if bytes[start..<(start + secret.count)].elementsEqual(secret) { return start }
            }
            return nil
        }
        let inSpan = snippet.spans.withRanges { spans in spans.lazy.compactMap(find).first }
        if let inSpan { return inSpan }
        return find(in: 0..<bytes.count)
    }

    /// The name left of the value at `offset`: past quotes, spaces, `=`, `:`, `>`, `]` and
    /// `\`, the identifier (`[A-Za-z0-9_.-]`) that ends there; and where it starts.
    static func name(before offset: Int, in line: [UInt8]) -> (name: [UInt8], start: Int) {
        var index = offset
        while index > 0, " \t\"'`=:>]\\".utf8.contains(line[index - 1]) { index -= 1 }
        let end = index
        while index > 0, isNameByte(line[index - 1]) { index -= 1 }
        return (Array(line[index..<end]), index)
    }

    /// The words of a name, lowercased: split at `_`, `-`, `.` and lower-to-upper case changes.
    static func words(of name: [UInt8]) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        for (index, byte) in name.enumerated() {
            if byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
                current = []
                continue
            }
            if index > 0, isUpper(byte), isLower(name[index - 1]), !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current = []
            }
            current.append(isUpper(byte) ? byte | 0x20 : byte)
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    static let digestWords: Set<String> = [
        "hash", "hashed", "hashes", "sha", "sha1", "sha224", "sha256", "sha384", "sha512", "md5", "checksum",
        "checksums", "digest", "digests", "fingerprint", "integrity", "shasum",
    ]

    /// A name that says its value is a digest, public, a verification token or an idempotency token.
    static func isNonSecretName(_ name: [UInt8]) -> Bool {
        let words = words(of: name)
        if words.contains(where: { digestWords.contains($0) }) { return true }
        if words.contains("public") || words.contains("verification") || words.contains("idempotency") { return true }
        // SDP's `a=ice-pwd:` (RFC 8839): a media session's ICE password, sent in clear in every
        // offer and answer and good for that session only.
        if words == ["ice", "pwd"] { return true }
        // AWS's `ClientToken` / `clientToken` / `ClientRequestToken`; Vault's `client_token` stays.
        let joined = words.joined()
        let camel = !name.contains(UInt8(ascii: "_")) && !name.contains(UInt8(ascii: "-"))
        return camel && (joined == "clienttoken" || joined == "clientrequesttoken")
    }

    /// The name is a segment of an ARN (`arn:aws:secretsmanager:…:secret:db-AbC123`).
    static func isARNSegment(_ line: [UInt8], nameStart: Int) -> Bool {
        guard nameStart > 0, line[nameStart - 1] == UInt8(ascii: ":") else { return false }
        var index = nameStart - 1
        while index > 0, !" \t\"'`=,;(".utf8.contains(line[index - 1]) { index -= 1 }
        return line[index...].starts(with: "arn:".utf8)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte >= 0x30 && byte <= 0x39 || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
}

/// A readable fake behind a vendor prefix (`glpat-hellOworld380…`, `GR1348941PREfix_hello…`,
/// `glagent-Need5_T00-bee-longer-than-50…`, shortened here):
/// a token of a provider rule, at medium confidence (no checksum proved it), whose random part
/// was typed by a person. Tested on the part after the vendor prefix: dictionary words cover half
/// of it, or three or more word-like parts (`isWordLike`) joined by `-`/`_` make up half of it.
/// Random base62 or base64url bodies do neither (simulated: none of 150,000 random `glpat-`,
/// `sk_live_` and `xoxb-` tokens).
enum ReadableFake {
    static func isReadable(_ secret: String) -> Bool {
        // No vendor prefix (a `-` or `_` within its first 17 bytes): no body to read, and no
        // copy of the secret made to find that out (an AWS key on every line of a file).
        guard secret.utf8.prefix(17).contains(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else { return false }
        let bytes = Array(secret.utf8)
        guard let body = body(of: bytes), body.count >= 10 else { return false }
        let lowered = body.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if GenericSecret.wordCoverage(lowered) * 2 >= lowered.count { return true }
        let parts = body.split { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        let wordParts = parts.filter(isWordLike)
        let covered = wordParts.reduce(0) { $0 + $1.count }
        return wordParts.count >= 3 && covered * 2 >= body.count
    }

    /// Three or more letters cased like a word (`bee`, `Length`, `failING`: `[A-Z]?[a-z]+[A-Z]*`)
    /// with a vowel. Random letters are cased at random, so a run of them rarely is.
    static func isWordLike(_ part: ArraySlice<UInt8>) -> Bool {
        guard part.count >= 3 else { return false }
        var index = part.startIndex
        if (0x41...0x5A).contains(part[index]) { index += 1 }
        let lowerStart = index
        while index < part.endIndex, (0x61...0x7A).contains(part[index]) { index += 1 }
        guard index > lowerStart else { return false }
        while index < part.endIndex, (0x41...0x5A).contains(part[index]) { index += 1 }
        return index == part.endIndex && part.contains { "aeiouy".utf8.contains($0 | 0x20) }
    }

    /// The token after its vendor prefix: after the first `-` or `_` when what comes before is
    /// at most 16 letters and digits (`glpat-`, `sk_live_` → `live_…`, `GR1348941PREfix_`).
    static func body(of bytes: [UInt8]) -> ArraySlice<UInt8>? {
        guard let separator = bytes.firstIndex(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
              separator > 0, separator <= 16 else { return nil }
        return bytes[(separator + 1)...]
    }
}
