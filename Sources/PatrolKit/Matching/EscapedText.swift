/// Secrets inside percent-encoding (URL user info, query strings: `…%2B…%3D%3D@dev.azure.com`),
/// JSON string escapes (`"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE…"`, `https:\/\/…`),
/// HTML/XML character references (`&#x2B;`, `&#43;`, `&amp;`), behind terminal escape sequences
/// (`\x1b[1m` + token in a coloured log) and split across string literals joined in code
/// (`"abc" + "def"`).
///
/// The gate is a keyword hit of a specific rule: the keyword of every token patrol knows is
/// made of characters that neither encoding touches, so it stays visible in the clear. Around
/// the hit, the run of URL characters (for percent-encoding) or the enclosing JSON string is
/// decoded only when it holds an escape, and the decoding keeps, for every decoded byte, the
/// offset of the encoded text it came from, so a secret is reported at its encoded form. A
/// keyword holding a character these escape (`/` in `.slack.com/services/`) is also looked for
/// in its escaped forms (`EncodedForms.escaped`), which open the same decodings.
enum EscapedText {
    enum Kind: CaseIterable {
        case percent
        case json
        /// HTML/XML character references: numeric (`&#x2B;`, `&#43;`) and the named ones that
        /// markup escapes (`&amp;`, `&quot;`, `&lt;`, `&gt;`, `&apos;`, `&sol;`, `&equals;`, `&plus;`).
        case entity
        /// Terminal escape sequences (CSI `\x1b[1m`, OSC `\x1b]8;;…\x1b\\`), as bytes or as the
        /// escapes source code writes them in (`\033[`, `\x1b[`, `\e[`, `\u001b[`): each reads
        /// as a space, so a token right after one has its left boundary.
        case terminal
        /// String literals joined by `+`, whitespace or a backslash-newline (`"abc" + "def"`,
        /// `"abc" "def"`, shell's `"a""b"`): the joined value.
        case joined

        /// Whether the decoded text is scanned for further decodings. Terminal sequences, character
        /// references and joined literals are read as they come (a JSON string's `\u001b[1m` is
        /// decoded by the JSON kind first); a second round over every decoded window would
        /// multiply the work on text dense with keywords.
        var nests: Bool { self == .percent || self == .json }

        /// The finding's `decoded` value.
        var label: String {
            switch self {
            case .percent: "percent"
            case .json: "json-escape"
            case .entity: "html-entity"
            case .terminal: "terminal-escape"
            case .joined: "concatenation"
            }
        }
    }

    /// Every kind, built once (`allCases` builds an array on each call, once per keyword hit).
    static let kinds = Kind.allCases

    /// How far from the hit a JSON string is followed: a PEM key of 4,096 bits is 3.3 KB.
    /// Bounded, so that many hits on one long line cost a bounded amount each.
    static let reach = 16 << 10
    /// How far a percent-encoded run is followed: URLs and query strings are short.
    static let percentReach = 2 << 10

    /// What the searches around earlier hits (in increasing positions) learnt, so that many
    /// hits on one long line (a base64 blob, minified code) cost linear time.
    struct ScanState {
        /// A JSON search from here found no opening quote within `reach`: a later hit only
        /// scans back to it.
        var unquotedBefore = -1
        /// The URL run of an earlier hit ends here and holds no escape: later hits in it are skipped.
        var cleanRunEnd = -1
        /// The percent-encoded window decoded for an earlier hit: a later hit at least
        /// `percentReach / 2` before its end is skipped (a token there lies in it whole), and
        /// the next window starts at most that far back, so a megabyte-long run of escapes with
        /// a keyword every few bytes is decoded about twice, not once per hit.
        var percentWindow = -1 ..< -1
        /// The last JSON string found (with or without escapes): a later hit inside it is
        /// skipped, so many keywords in one long string do not each scan back to its quote.
        var lastString = -1 ..< -1
        /// The entity-escaped run of an earlier hit ends here and holds no reference.
        var cleanEntityRunEnd = -1
        /// The entity-escaped window decoded for an earlier hit (skipped like `percentWindow`).
        var entityWindow = -1 ..< -1
        /// The terminal-escape window decoded for an earlier hit (skipped like `percentWindow`),
        /// and where the window of an earlier hit without an escape sequence ended.
        var terminalWindow = -1 ..< -1
        var cleanTerminalEnd = -1
        /// The literals (joined or not) examined for an earlier hit: a later hit inside is skipped.
        var lastJoined = -1 ..< -1
        /// A search for a literal's opening quote from here found none on the line within
        /// `literalReach` (as `unquotedBefore` for JSON strings).
        var unquotedJoinBefore = -1
    }

    /// The encoded text around `position` worth decoding, or nil when it holds no escape.
    static func span(_ kind: Kind, around position: Int, in buffer: UnsafeRawBufferPointer, state: inout ScanState) -> Range<Int>? {
        switch kind {
        case .percent: percentRun(around: position, in: buffer, state: &state)
        case .json:
            if state.lastString.contains(position) { nil }
            else { jsonString(around: position, in: buffer, state: &state) }
        case .entity: entityRun(around: position, in: buffer, state: &state)
        case .terminal: terminalWindow(around: position, in: buffer, state: &state)
        case .joined: joinedLiterals(around: position, in: buffer, state: &state)
        }
    }

    /// Unreserved URL characters, the sub-delimiters tokens use (`+ / =`), and `%`.
    private static let urlCharacters: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=%".utf8 { table[Int(byte)] = true }
        return table
    }()

    private static func percentRun(around position: Int, in buffer: UnsafeRawBufferPointer, state: inout ScanState) -> Range<Int>? {
        if position < state.cleanRunEnd { return nil }
        let window = state.percentWindow
        if window.contains(position), position + percentReach / 2 <= window.upperBound { return nil }
        let floor = window.upperBound > position - percentReach ? max(0, window.upperBound - percentReach / 2) : 0
        return urlCharacters.withUnsafeBufferPointer { table -> Range<Int>? in
            var start = position
            while start > floor, position - start < percentReach, table[Int(buffer[start - 1])] { start -= 1 }
            var end = position
            while end < buffer.count, end - position < percentReach, table[Int(buffer[end])] { end += 1 }
            // At least one real escape: % and two hex digits.
            var index = start
            while index + 2 < end {
                if buffer[index] == UInt8(ascii: "%"), hexValue(buffer[index + 1]) != nil, hexValue(buffer[index + 2]) != nil {
                    state.percentWindow = start..<end
                    return start..<end
                }
                index += 1
            }
            state.cleanRunEnd = end
            return nil
        }
    }

    /// The content of the double-quoted string holding `position` on its line, if it holds a
    /// backslash escape.
    private static func jsonString(around position: Int, in buffer: UnsafeRawBufferPointer, state: inout ScanState) -> Range<Int>? {
        let unquotedBefore = state.unquotedBefore
        var start = position
        var sawBackslash = false
        // [unquotedBefore - reach, unquotedBefore] holds no quote or newline: stopping there
        // means none within reach of `position` either.
        let known = unquotedBefore < position && position - unquotedBefore < reach ? unquotedBefore : -1
        while true {
            if start == known || position - start >= reach {
                state.unquotedBefore = position
                return nil
            }
            // The buffer's start and a line end stop every later search back through here too.
            guard start > 0 else {
                state.unquotedBefore = position
                return nil
            }
            let byte = buffer[start - 1]
            if byte == 0x0A {
                state.unquotedBefore = position
                return nil
            }
            if byte == UInt8(ascii: "\\") { sawBackslash = true }
            if byte == UInt8(ascii: "\""), !isEscaped(start - 1, in: buffer) { break }
            start -= 1
        }
        var end = position
        while true {
            guard end < buffer.count, end - position < reach else { return nil }
            let byte = buffer[end]
            if byte == 0x0A { return nil }
            if byte == UInt8(ascii: "\\") {
                sawBackslash = true
                end += 2
                continue
            }
            if byte == UInt8(ascii: "\"") { break }
            end += 1
        }
        guard end <= buffer.count else { return nil }
        state.lastString = start..<end
        return sawBackslash ? start..<end : nil
    }

    /// Whether the byte at `index` follows an odd number of backslashes.
    static func isEscaped(_ index: Int, in buffer: UnsafeRawBufferPointer) -> Bool {
        var count = 0
        var cursor = index
        while cursor > 0, buffer[cursor - 1] == UInt8(ascii: "\\") {
            count += 1
            cursor -= 1
        }
        return count % 2 == 1
    }

    /// The decoded bytes, and for each of them (plus one past the end) its offset in `text`.
    static func decode(_ kind: Kind, _ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        switch kind {
        case .percent: return decodePercent(text)
        case .json: return decodeJSON(text)
        case .entity: return decodeEntities(text)
        case .terminal: return decodeTerminal(text)
        case .joined: return decodeJoined(text)
        }
    }

    /// `text` with its `%XX` escapes replaced by their bytes.
    static func decodePercent(_ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        var decoded = DecodedText(capacity: text.count)
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "%"), index + 2 < text.count, let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2]) {
                decoded.append(high << 4 | low, from: index)
                index += 3
                continue
            }
            decoded.append(text[index], from: index)
            index += 1
        }
        return decoded.finished(at: text.count)
    }

    /// `text` with its JSON string escapes (`\/`, `\n`, `\u002B`, …) replaced by their bytes.
    static func decodeJSON(_ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        var decoded = DecodedText(capacity: text.count)
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "\\"), index + 1 < text.count {
                let escaped = text[index + 1]
                if let simple = simpleEscapes[escaped] {
                    decoded.append(simple, from: index)
                    index += 2
                    continue
                }
                if escaped == UInt8(ascii: "u"), index + 5 < text.count, let scalar = unicodeEscape(text, at: index + 2) {
                    decoded.append(scalar, from: index)
                    index += 6
                    continue
                }
            }
            decoded.append(text[index], from: index)
            index += 1
        }
        return decoded.finished(at: text.count)
    }

    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "/"): UInt8(ascii: "/"), UInt8(ascii: "\\"): UInt8(ascii: "\\"),
        UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "'"): UInt8(ascii: "'"),
    ]

    static func unicodeEscape(_ text: UnsafeRawBufferPointer, at index: Int) -> Unicode.Scalar? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexValue(text[index + offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return Unicode.Scalar(value)   // nil for a lone surrogate, which is left as it is
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// Bytes decoded from escaped text and, for each of them plus one past the end, the offset in the
/// escaped text it was decoded from: what every decoding of `EscapedText` builds.
struct DecodedText {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        offsets.reserveCapacity(capacity + 1)
    }

    mutating func append(_ byte: UInt8, from offset: Int) {
        bytes.append(byte)
        offsets.append(offset)
    }

    /// The scalar's UTF-8 bytes, each from `offset`.
    mutating func append(_ scalar: Unicode.Scalar, from offset: Int) {
        UTF8.encode(scalar) { append($0, from: offset) }
    }

    consuming func finished(at end: Int) -> (bytes: [UInt8], offsets: [Int]) {
        offsets.append(end)
        return (bytes, offsets)
    }
}
