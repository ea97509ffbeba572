import Foundation
import PatrolKit

/// Keeps secrets out of every message, owner name and list entry that leaves `verify` and
/// `revoke`: a provider may echo a credential back in an error body, in the Basic form patrol
/// sent, URL-encoded in a link, or cut short.
///
/// Three passes, in this order, always over the whole text *before* anything is shortened (a
/// body cut first and redacted after once left 80 of an 84-character PAT, whose last 4
/// characters are a checksum of the first 80):
/// 1. every known form of every secret of the run — clear, base64 of the secret and of
///    `:secret` (padded and not, standard and URL alphabet), percent-encoded (either hex case),
///    JSON-escaped — becomes the redacted form (`ghp_…(40)`);
/// 2. the value after any `Basic` or `Bearer` becomes `…`, whoever it belongs to;
/// 3. any run of 12 or more bytes that also occurs in a secret, in one of its encodings or in
///    base64 of it at any of the three alignments (so `base64("anyuser:" + secret)` too) becomes
///    `…`: a secret echoed cut short, or spliced into something else, leaves no usable part.
struct Redactor: Sendable {
    /// One spelling of a secret and what replaces it.
    private struct Form: Sendable {
        let bytes: [UInt8]
        let replacement: [UInt8]
    }

    /// Twelve bytes, packed: one window of the third pass.
    private struct Window: Hashable, Sendable {
        let head: UInt64
        let tail: UInt32
    }

    static let fragmentLength = 12

    /// Longest first, so a secret inside another's encoding cannot leave a part behind.
    private let forms: [Form]
    /// Forms of 8 bytes or more, by their first 8 bytes (indices into `forms`, longest first).
    private let byPrefix: [UInt64: [Int]]
    /// Forms shorter than 8 bytes (a short credential of the user's own), checked everywhere.
    private let shortForms: [Int]
    private let fragments: Set<Window>

    init(secrets: [String]) {
        var forms: [String: String] = [:]
        var fragmentSources: Set<String> = []
        for secret in Set(secrets) where secret.count >= 4 {
            let redacted = Redaction.redact(secret)
            var spellings: Set<String> = [secret]
            for prefix in ["", ":"] {
                let encoded = Data((prefix + secret).utf8).base64EncodedString()
                let unpadded = String(encoded.reversed().drop { $0 == "=" }.reversed())
                spellings.formUnion([encoded, unpadded, Self.urlAlphabet(encoded), Self.urlAlphabet(unpadded)])
            }
            for spelling in Array(spellings) {
                spellings.insert(Self.percentEncoded(spelling, lowercase: false))
                spellings.insert(Self.percentEncoded(spelling, lowercase: true))
                spellings.insert(spelling.replacingOccurrences(of: "/", with: "\\/"))
            }
            for spelling in spellings { forms[spelling] = redacted }
            fragmentSources.formUnion(spellings)
            // The third base64 alignment: with those of the secret and of `:secret`, every
            // base64 text that holds the secret shares long runs with one of them.
            fragmentSources.insert(Data(("::" + secret).utf8).base64EncodedString())
        }
        let ordered = forms.map { Form(bytes: Array($0.key.utf8), replacement: Array($0.value.utf8)) }
            .sorted { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var byPrefix: [UInt64: [Int]] = [:]
        var shortForms: [Int] = []
        for (index, form) in ordered.enumerated() {
            if form.bytes.count >= 8 {
                byPrefix[form.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }, default: []].append(index)
            } else {
                shortForms.append(index)
            }
        }
        var fragments: Set<Window> = []
        for source in fragmentSources {
            let bytes = Array(source.utf8)
            guard bytes.count >= Self.fragmentLength else { continue }
            bytes.withUnsafeBytes { raw in
                for start in 0...(bytes.count - Self.fragmentLength) { fragments.insert(Self.window(raw, at: start)) }
            }
        }
        self.forms = ordered
        self.byPrefix = byPrefix
        self.shortForms = shortForms
        self.fragments = fragments
    }

    /// The text with every secret, credential value and secret fragment replaced.
    func clean(_ text: String) -> String {
        guard !forms.isEmpty || text.contains("Basic") || text.contains("Bearer") || text.contains("basic") || text.contains("bearer") else {
            return text
        }
        var bytes = replaceKnownForms(Array(text.utf8))
        bytes = Self.replaceCredentialValues(bytes)
        bytes = replaceFragments(bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `clean`, then at most `limit` characters (the cut comes after: it can shorten a
    /// redacted form, never uncover a secret).
    func clean(_ text: String, limit: Int) -> String {
        let cleaned = clean(text)
        return cleaned.count <= limit ? cleaned : String(cleaned.prefix(limit)) + "…"
    }

    // MARK: - The passes

    private func replaceKnownForms(_ bytes: [UInt8]) -> [UInt8] {
        guard !forms.isEmpty else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        bytes.withUnsafeBytes { raw in
            var index = 0
            scan: while index < raw.count {
                if index + 8 <= raw.count, let candidates = byPrefix[raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)] {
                    for candidate in candidates where matches(forms[candidate].bytes, raw, at: index) {
                        output += forms[candidate].replacement
                        index += forms[candidate].bytes.count
                        continue scan
                    }
                }
                for candidate in shortForms where matches(forms[candidate].bytes, raw, at: index) {
                    output += forms[candidate].replacement
                    index += forms[candidate].bytes.count
                    continue scan
                }
                output.append(raw[index])
                index += 1
            }
        }
        return output
    }

    private func matches(_ form: [UInt8], _ raw: UnsafeRawBufferPointer, at index: Int) -> Bool {
        guard index + form.count <= raw.count else { return false }
        for offset in 0..<form.count where raw[index + offset] != form[offset] { return false }
        return true
    }

    /// Bytes of a credential value: the base64 and URL-safe alphabets, and `.` of JWTs.
    private static func isCredentialByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "%"): true
        default: false
        }
    }

    /// `Basic VALUE` / `Bearer VALUE` (any case; a space, or `%20` in a URL): the value
    /// becomes `…` when it looks like a credential — 8 bytes or more with a digit, a `+`, `/`
    /// or `=`, or both cases — so `Basic authentication failed` reads as it was.
    private static func replaceCredentialValues(_ bytes: [UInt8]) -> [UInt8] {
        let schemes: [[UInt8]] = [Array("basic".utf8), Array("bearer".utf8)]
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            var matchedEnd: Int?
            for scheme in schemes where index + scheme.count < bytes.count {
                var same = true
                for offset in 0..<scheme.count where bytes[index + offset] | 0x20 != scheme[offset] { same = false; break }
                guard same else { continue }
                // A word ending in "basic" is not the scheme.
                if index > 0, (bytes[index - 1] | 0x20) >= UInt8(ascii: "a"), (bytes[index - 1] | 0x20) <= UInt8(ascii: "z") { continue }
                var cursor = index + scheme.count
                var separated = false
                while cursor < bytes.count {
                    if bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") { cursor += 1; separated = true; continue }
                    if cursor + 2 < bytes.count, bytes[cursor] == UInt8(ascii: "%"), bytes[cursor + 1] == UInt8(ascii: "2"), bytes[cursor + 2] == UInt8(ascii: "0") {
                        cursor += 3; separated = true; continue
                    }
                    break
                }
                guard separated else { continue }
                let valueStart = cursor
                while cursor < bytes.count, isCredentialByte(bytes[cursor]) { cursor += 1 }
                let value = bytes[valueStart..<cursor]
                let hasDigitOrSign = value.contains { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "=") }
                let mixedCase = value.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } && value.contains { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
                guard value.count >= 8, hasDigitOrSign || mixedCase else { continue }
                output += bytes[index..<valueStart]
                output += Array("…".utf8)
                matchedEnd = cursor
                break
            }
            if let end = matchedEnd {
                index = end
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    private func replaceFragments(_ bytes: [UInt8]) -> [UInt8] {
        guard !fragments.isEmpty, bytes.count >= Self.fragmentLength else { return bytes }
        var covered = [Bool](repeating: false, count: bytes.count)
        var any = false
        bytes.withUnsafeBytes { raw in
            for start in 0...(raw.count - Self.fragmentLength) where fragments.contains(Self.window(raw, at: start)) {
                for offset in start..<(start + Self.fragmentLength) { covered[offset] = true }
                any = true
            }
        }
        guard any else { return bytes }
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if covered[index] {
                output += Array("…".utf8)
                while index < bytes.count, covered[index] { index += 1 }
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    // MARK: - Spellings

    private static func window(_ raw: UnsafeRawBufferPointer, at start: Int) -> Window {
        Window(head: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self), tail: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self))
    }

    private static func urlAlphabet(_ base64: String) -> String {
        base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Every byte outside the unreserved set (RFC 3986) as `%XX`.
    private static func percentEncoded(_ text: String, lowercase: Bool) -> String {
        let digits = Array((lowercase ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
