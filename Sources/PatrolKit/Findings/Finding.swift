import Crypto

/// Where a secret was seen.
public struct Location: Sendable, Equatable, Hashable {
    public var path: String
    public var line: Int
    public var column: Int
    public var commit: String?
    public var authorDate: String?
    /// A file, or the commit message, tag message or note `commit` names (then `path` is only
    /// a label, and reports write `null`).
    public var origin: FindingOrigin

    public init(path: String, line: Int, column: Int, commit: String? = nil, authorDate: String? = nil, origin: FindingOrigin = .file) {
        self.path = path
        self.line = line
        self.column = column
        self.commit = commit
        self.authorDate = authorDate
        self.origin = origin
    }

    /// The path as reports write it: nil for a commit message, tag message or note.
    public var reportedPath: String? { origin == .file ? path : nil }
}

/// What a finding was read from: a file (a blob), or text git keeps beside the files. Reports
/// write it as `location` (`commit-message`, `tag-message`, `note`), and leave it out for a file.
public enum FindingOrigin: String, Sendable, Hashable, CaseIterable {
    case file
    case commitMessage = "commit-message"
    case tagMessage = "tag-message"
    case note

    public var isMetadata: Bool { self != .file }

    /// The label that stands for the path of a finding in a message or note, in text reports and
    /// where a path is needed to sort or group: `(commit message 1a2b3c4d5e6f)`,
    /// `(tag message v1.2)`, `(note on 1a2b3c4d5e6f)`.
    public func label(object: String, tag: String?, notesRef: String? = nil) -> String {
        switch self {
        case .file: object
        case .commitMessage: "(commit message \(object.prefix(12)))"
        case .tagMessage: "(tag message \(tag ?? String(object.prefix(12))))"
        case .note:
            if let notesRef, notesRef != "refs/notes/commits" {
                "(note \(notesRef.hasPrefix("refs/notes/") ? String(notesRef.dropFirst("refs/notes/".count)) : notesRef) on \(object.prefix(12)))"
            } else {
                "(note on \(object.prefix(12)))"
            }
        }
    }
}

/// The line around a secret, kept as bytes with the spans of every secret on it, so a report
/// can show it redacted or not without reading the file again.
public struct Snippet: Sendable, Equatable {
    public var bytes: [UInt8]
    /// Spans of secrets within `bytes`, sorted and not overlapping.
    public var secretSpans: [Range<Int>] {
        get { spans.ranges }
        set { spans = SecretSpans(newValue) }
    }
    /// `secretSpans`, one span (most snippets) held inline.
    private(set) var spans: SecretSpans

    public init(bytes: [UInt8], secretSpans: [Range<Int>]) {
        self.init(bytes: bytes, spans: SecretSpans(secretSpans))
    }

    init(bytes: [UInt8], spans: SecretSpans) {
        self.bytes = bytes
        self.spans = spans
    }

    /// The text, with each secret replaced by its redacted form unless `showSecrets`.
    public func render(showSecrets: Bool) -> String {
        if showSecrets || spans.isEmpty { return Self.text(bytes[...]) }
        return String(decoding: renderedUTF8(showSecrets: showSecrets), as: UTF8.self)
    }

    /// What `render` gives, as UTF-8 bytes, made without a `String` per piece: each piece
    /// (text between secrets, a redacted secret) is repaired on its own as `render` does, so
    /// the bytes are valid UTF-8 and a report can write them as they are.
    func renderedUTF8(showSecrets: Bool) -> [UInt8] {
        var text: [UInt8] = []
        appendRendered(showSecrets: showSecrets, to: &text)
        return text
    }

    /// `renderedUTF8`, appended to `text`.
    func appendRendered(showSecrets: Bool, to text: inout [UInt8]) {
        if showSecrets || spans.isEmpty { return Self.appendRepaired(bytes[...], to: &text) }
        var cursor = 0
        spans.withRanges { spans in
            for span in spans {
                Self.appendRepaired(bytes[cursor..<span.lowerBound], to: &text)
                Redaction.appendRedacted(bytes[span], to: &text)
                cursor = span.upperBound
            }
        }
        Self.appendRepaired(bytes[cursor...], to: &text)
    }

    /// `renderedUTF8` as a JSON string, escaped, written through `cursor`: each piece escaped
    /// where it is, with no buffer made for the rendered text. At most `jsonRoom` bytes.
    func writeJSON(showSecrets: Bool, to cursor: inout ByteCursor) {
        cursor.byte(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer { bytes in
            if showSecrets || spans.isEmpty { return Self.writeRepaired(bytes[...], to: &cursor) }
            var start = 0
            spans.withRanges { spans in
                for span in spans {
                    Self.writeRepaired(bytes[start..<span.lowerBound], to: &cursor)
                    Redaction.writeRedacted(UnsafeBufferPointer(rebasing: bytes[span]), to: &cursor)
                    start = span.upperBound
                }
            }
            Self.writeRepaired(bytes[start...], to: &cursor)
        }
        cursor.byte(UInt8(ascii: "\""))
    }

    /// The most `writeJSON` writes: a repaired byte is at most 3 bytes, an escaped one at most 6,
    /// and a redacted span at most its bytes and 25 more.
    var jsonRoom: Int { 2 + 6 * (3 * bytes.count + 25 * spans.count) }

    /// `appendRepaired`, escaped for JSON, through `cursor`.
    private static func writeRepaired(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, to cursor: inout ByteCursor) {
        let piece = UnsafeBufferPointer(rebasing: bytes)
        if piece.allSatisfy({ $0 < 0x80 }) { return cursor.escapedContent(piece) }
        var text = String(decoding: piece, as: UTF8.self)
        text.withUTF8 { cursor.escapedContent($0) }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// `bytes` as `String(decoding:as:)` reads them: as they are when ASCII, else repaired.
    static func appendRepaired(_ bytes: ArraySlice<UInt8>, to text: inout [UInt8]) {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            text.append(contentsOf: bytes)
        } else {
            text.append(contentsOf: String(decoding: bytes, as: UTF8.self).utf8)
        }
    }
}

/// The spans of secrets on a snippet, sorted and not overlapping: none, one held inline (what
/// almost every snippet has: no array per finding), or several.
enum SecretSpans: Sendable, Equatable {
    case none
    case one(lower: UInt32, upper: UInt32)
    /// Two or more, or one past `UInt32`.
    case many([Range<Int>])

    init(_ ranges: [Range<Int>]) {
        switch ranges.count {
        case 0: self = .none
        case 1: self = SecretSpans(ranges[0])
        default: self = .many(ranges)
        }
    }

    /// One span: inline, unless it lies past `UInt32`.
    init(_ span: Range<Int>) {
        if span.lowerBound >= 0, span.upperBound <= UInt32.max {
            self = .one(lower: UInt32(span.lowerBound), upper: UInt32(span.upperBound))
        } else {
            self = .many([span])
        }
    }

    var ranges: [Range<Int>] {
        switch self {
        case .none: []
        case .one(let lower, let upper): [Int(lower)..<Int(upper)]
        case .many(let ranges): ranges
        }
    }

    var isEmpty: Bool { count == 0 }

    var count: Int {
        switch self {
        case .none: 0
        case .one: 1
        case .many(let ranges): ranges.count
        }
    }

    var first: Range<Int>? {
        switch self {
        case .none: nil
        case .one(let lower, let upper): Int(lower)..<Int(upper)
        case .many(let ranges): ranges.first
        }
    }

    /// The spans, read in place (one held inline needs no array).
    func withRanges<Result>(_ body: (UnsafeBufferPointer<Range<Int>>) throws -> Result) rethrows -> Result {
        switch self {
        case .none: return try body(UnsafeBufferPointer(start: nil, count: 0))
        case .one(let lower, let upper):
            return try withUnsafePointer(to: Int(lower)..<Int(upper)) { try body(UnsafeBufferPointer(start: $0, count: 1)) }
        case .many(let ranges): return try ranges.withUnsafeBufferPointer(body)
        }
    }

    /// `span` added after the others (none starts later), merged with the last where they overlap.
    mutating func append(_ span: Range<Int>) {
        switch self {
        case .none:
            self = SecretSpans(span)
        case .one(let lower, let upper):
            let last = Int(lower)..<Int(upper)
            self = last.upperBound > span.lowerBound ? SecretSpans(last.lowerBound..<max(last.upperBound, span.upperBound)) : .many([last, span])
        case .many(var ranges):
            self = .none   // the array uniquely held while it changes
            if let last = ranges.last, last.upperBound > span.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                ranges.append(span)
            }
            self = .many(ranges)
        }
    }
}

/// One secret of one rule at one path, with every place at that path where it occurs.
public struct Finding: Sendable, Equatable {
    public var rule: String
    public var ruleName: String
    public var provider: String
    public var confidence: Confidence
    /// The secret itself; reports redact it unless asked not to.
    public var secret: String
    /// `Finding.fingerprint(rule:secret:)`, or the text a report read back holds.
    public var fingerprint: String {
        get { fingerprintValue.text }
        set { fingerprintValue = Fingerprint(newValue) }
    }
    /// The fingerprint held inline: a scan makes one per finding, and 160,000 of them as
    /// strings were 160,000 allocations more.
    private(set) var fingerprintValue: Fingerprint
    public var path: String { willSet { if newValue != path { keepOwnLocation() } } }
    public var line: Int { willSet { if newValue != line { keepOwnLocation() } } }
    public var column: Int { willSet { if newValue != column { keepOwnLocation() } } }
    public var endLine: Int
    public var endColumn: Int
    public var snippet: Snippet
    /// The outermost decoding applied to find the secret: `none`, `base64`, ….
    public var decoded: String
    public var validated: Bool?
    public var verified: Bool?
    /// What the provider's context patterns read beside the secret, by name.
    public var context: [String: String] {
        get { contextValues.dictionary }
        set { contextValues = FindingContext(newValue) }
    }
    private(set) var contextValues: FindingContext
    public var commit: String? {
        get { extras?.fields.commit }
        set { change { $0.commit = newValue } }
    }
    public var author: String? {
        get { extras?.fields.author }
        set { change { $0.author = newValue } }
    }
    public var authorDate: String? {
        get { extras?.fields.authorDate }
        set { change { $0.authorDate = newValue } }
    }
    public var commitDate: String? {
        get { extras?.fields.commitDate }
        set { change { $0.commitDate = newValue } }
    }
    /// Every place the secret was seen, in order.
    public var locations: [Location] {
        get { otherLocations ?? [ownLocation] }
        set { otherLocations = Self.others(newValue, own: ownLocation) }
    }
    /// nil when the one location is the finding's own (most findings): no array for it.
    private(set) var otherLocations: [Location]?
    /// Before the finding's path, line, column, origin, commit or author date change: its one
    /// location stays where it was (the locations are where the secret was seen).
    private mutating func keepOwnLocation() {
        if otherLocations == nil { otherLocations = [ownLocation] }
    }
    /// Where the finding is, as a location.
    var ownLocation: Location {
        Location(path: path, line: line, column: column, commit: commit, authorDate: authorDate, origin: origin)
    }
    /// `locations` as `otherLocations` holds them: nil for the finding's own alone.
    private static func others(_ locations: [Location], own: Location) -> [Location]? {
        locations.count == 1 && locations[0] == own ? nil : locations
    }
    /// A file, or a commit message, annotated tag message or git note. For those three `path`
    /// is a label (`FindingOrigin.label`), `commit` the commit (for a tag message: the tag
    /// object) and `line`/`column` count within the message.
    public var origin: FindingOrigin = .file { willSet { if newValue != origin { keepOwnLocation() } } }
    /// The tag's name, for a tag message.
    public var tag: String? {
        get { extras?.fields.tag }
        set { change { $0.tag = newValue } }
    }
    /// What the token reaches, when `patrol verify` found it live and mapped it.
    public var access: TokenAccess? {
        get { extras?.fields.access }
        set { change { $0.access = newValue } }
    }
    /// Whether `access` is set, read without copying it.
    var hasAccessMap: Bool { extras?.fields.access != nil }

    /// The commit, author, tag and access map, out of line: a finding in a file has none of
    /// them, and a file where every line is a finding makes an array of 160,000 findings, each
    /// 170 bytes smaller this way (fewer pages to fault in, fewer bytes to move).
    private(set) var extras: FindingExtras?

    private mutating func change(_ edit: (inout FindingExtras.Fields) -> Void) {
        var fields = extras?.fields ?? FindingExtras.Fields()
        edit(&fields)
        // The commit and date are part of the finding's own location.
        if fields.commit != commit || fields.authorDate != authorDate { keepOwnLocation() }
        extras = FindingExtras.make(fields)
    }

    /// The path as reports write it: nil for a commit message, tag message or note.
    public var reportedPath: String? { origin == .file ? path : nil }

    /// First 32 hex digits of SHA-256 over the rule id, a NUL byte and the secret: stable across
    /// paths, lines and encodings of the same secret.
    public static func fingerprint(rule: String, secret: String) -> String {
        Fingerprint(rule: rule, secret: secret).text
    }
}

extension Finding {
    init(
        rule: String, ruleName: String, provider: String, confidence: Confidence, secret: String, fingerprint: Fingerprint,
        path: String, line: Int, column: Int, endLine: Int, endColumn: Int, snippet: Snippet, decoded: String,
        validated: Bool?, verified: Bool?, context: FindingContext,
        commit: String?, author: String?, authorDate: String?, commitDate: String?,
        locations: [Location]?, origin: FindingOrigin = .file, tag: String? = nil, access: TokenAccess? = nil
    ) {
        // nil: the finding's own location alone.
        let others = locations.flatMap { Self.others($0, own: Location(path: path, line: line, column: column, commit: commit, authorDate: authorDate, origin: origin)) }
        // Through the memberwise initializer: one written out here made the whole finding in a
        // local and copied it out (a retain and a release of each of its references).
        self.init(
            rule: rule, ruleName: ruleName, provider: provider, confidence: confidence, secret: secret,
            fingerprintValue: fingerprint, path: path, line: line, column: column, endLine: endLine, endColumn: endColumn,
            snippet: snippet, decoded: decoded, validated: validated, verified: verified, contextValues: context,
            otherLocations: others, origin: origin,
            extras: FindingExtras.make(.init(commit: commit, author: author, authorDate: authorDate, commitDate: commitDate, tag: tag, access: access))
        )
    }
}

/// A finding's fingerprint: the first 16 bytes of SHA-256 over its rule id, a NUL byte and its
/// secret, held inline, or (read back from a report) a text that is not 32 lowercase hex digits.
enum Fingerprint: Sendable, Equatable {
    case digest(UInt64, UInt64)
    case other(String)

    init(rule: String, secret: String) {
        // The three pieces laid end to end in a buffer on the stack and hashed in one call, the
        // digest read in place: no hasher state updated three times, no digest iterated.
        var rule = rule, secret = secret
        let digest = rule.withUTF8 { rule in
            secret.withUTF8 { secret in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rule.count + 1 + secret.count) { input in
                    _ = input.initialize(fromContentsOf: rule)
                    input[rule.count] = 0
                    _ = UnsafeMutableBufferPointer(rebasing: input[(rule.count + 1)...]).initialize(fromContentsOf: secret)
                    return SHA256.hash(data: UnsafeRawBufferPointer(input))
                }
            }
        }
        self = digest.withUnsafeBytes { bytes in
            .digest(UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// `text` as it reads: 32 lowercase hex digits are held as a digest (so a fingerprint read
    /// back equals the one made), anything else as it is.
    init(_ text: String) {
        var high: UInt64 = 0, low: UInt64 = 0
        var count = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            default: self = .other(text); return
            }
            if count < 16 { high = high << 4 | UInt64(value) } else if count < 32 { low = low << 4 | UInt64(value) }
            count += 1
        }
        self = count == 32 ? .digest(high, low) : .other(text)
    }

    /// The length of `text` in UTF-8 bytes.
    var utf8Count: Int {
        switch self {
        case .digest: 32
        case .other(let text): text.utf8.count
        }
    }

    var text: String {
        switch self {
        case .other(let text): return text
        case .digest(let high, let low):
            return String(unsafeUninitializedCapacity: 32) { text in
                Self.writeHex(high, low, to: text.baseAddress!)
                return 32
            }
        }
    }

    /// The 32 hex digits of a digest at `start`.
    @inline(__always)
    static func writeHex(_ high: UInt64, _ low: UInt64, to start: UnsafeMutablePointer<UInt8>) {
        for index in 0..<16 {
            start[index] = hexDigit(high >> (60 - 4 * UInt64(index)))
            start[16 + index] = hexDigit(low >> (60 - 4 * UInt64(index)))
        }
    }

    /// The lowercase hex digit of the low four bits of `value`.
    @inline(__always)
    private static func hexDigit(_ value: UInt64) -> UInt8 {
        let digit = UInt8(truncatingIfNeeded: value & 0xF)
        return digit < 10 ? digit + UInt8(ascii: "0") : digit + UInt8(ascii: "a") - 10
    }
}

/// A finding's commit, author, tag and access map (immutable: a change makes a new one).
final class FindingExtras: Sendable, Equatable {
    struct Fields: Equatable {
        var commit: String?
        var author: String?
        var authorDate: String?
        var commitDate: String?
        var tag: String?
        var access: TokenAccess?
    }

    let fields: Fields

    private init(_ fields: Fields) {
        self.fields = fields
    }

    /// nil when every field is: what a finding in a file holds.
    static func make(_ fields: Fields) -> FindingExtras? {
        fields == Fields() ? nil : FindingExtras(fields)
    }

    static func == (a: FindingExtras, b: FindingExtras) -> Bool { a.fields == b.fields }
}

/// How secrets are shown when not revealed: the first four characters, an ellipsis and the
/// length, e.g. `ghp_…(40)`: enough to recognise a token, never enough to use it.
public enum Redaction {
    public static func redact(_ secret: String) -> String {
        // A report read back (verify, revoke) may hold a secret that was never recovered:
        // its redacted form stays as it is rather than being shortened again.
        if isRedacted(secret) { return secret }
        var text = secret
        if let fast = text.withUTF8({ utf8 in isPlainASCII(utf8[...]) ? redactedASCII(utf8[...]) : nil }) {
            return String(decoding: fast, as: UTF8.self)
        }
        let characters = Array(secret)
        let visible = characters.count > 8 ? 4 : min(characters.count / 4, 4)
        return String(characters.prefix(visible)) + "…(\(secret.utf8.count))"
    }

    /// The redacted form of a secret given as bytes (a span of a snippet), as UTF-8, appended
    /// to `text`: what `redact` gives for `String(decoding: bytes, as: UTF8.self)`.
    static func appendRedacted(_ bytes: ArraySlice<UInt8>, to text: inout [UInt8]) {
        if isPlainASCII(bytes), bytes.withContiguousStorageIfAvailable({ appendRedactedASCII($0[...], to: &text) }) != nil {
            return
        }
        text.append(contentsOf: redact(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// The redacted form of `secret`, appended to `text` as UTF-8: `redact(secret)`.
    static func appendRedacted(_ secret: String, to text: inout [UInt8]) {
        var secret = secret
        let done = secret.withUTF8 { utf8 in
            guard isPlainASCII(utf8) else { return false }
            appendRedactedASCII(utf8[...], to: &text)
            return true
        }
        if !done { text.append(contentsOf: redact(secret).utf8) }
    }

    /// `redact` of `bytes` decoded as UTF-8, escaped for JSON (no quotes), through `cursor`.
    static func writeRedacted(_ bytes: UnsafeBufferPointer<UInt8>, to cursor: inout ByteCursor) {
        guard isPlainASCII(bytes) else {
            var text = redact(String(decoding: bytes, as: UTF8.self))
            return text.withUTF8 { cursor.escapedContent($0) }
        }
        let visible = bytes.count > 8 ? 4 : min(bytes.count / 4, 4)
        cursor.escapedContent(UnsafeBufferPointer(rebasing: bytes[..<visible]))
        ellipsis.withUnsafeBufferPointer { cursor.raw($0) }
        cursor.decimal(bytes.count)
        cursor.byte(UInt8(ascii: ")"))
    }

    /// `redact(secret)` as a JSON string, through `cursor`: at most `2 + 6 * (secret.utf8.count + 25)` bytes.
    static func writeRedactedJSON(_ secret: String, to cursor: inout ByteCursor) {
        var secret = secret
        cursor.byte(UInt8(ascii: "\""))
        let done = secret.withUTF8 { utf8 in
            guard isPlainASCII(utf8) else { return false }
            writeRedacted(utf8, to: &cursor)
            return true
        }
        if !done {
            var text = redact(secret)
            text.withUTF8 { cursor.escapedContent($0) }
        }
        cursor.byte(UInt8(ascii: "\""))
    }

    /// ASCII with no carriage return: each byte is one `Character` (a CR LF pair is one), so
    /// the bytes can be counted and cut as characters. Not redacted already: no `…` in it.
    private static func isPlainASCII(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    }

    private static let ellipsis = Array("…(".utf8)

    /// `redact` of plain ASCII, without making `Character`s: the first characters, `…(`, the
    /// length and `)`.
    private static func redactedASCII(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(12)
        appendRedactedASCII(bytes, to: &text)
        return text
    }

    private static func appendRedactedASCII(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, to text: inout [UInt8]) {
        let visible = bytes.count > 8 ? 4 : min(bytes.count / 4, 4)
        text.append(contentsOf: bytes.prefix(visible))
        text.append(contentsOf: ellipsis)
        JSONWriter.appendDecimal(bytes.count, to: &text)
        text.append(UInt8(ascii: ")"))
    }

    /// `ghp_…(40)`: the form `redact` writes.
    public static func isRedacted(_ text: String) -> Bool {
        guard text.hasSuffix(")"), let ellipsis = text.firstIndex(of: "…"), text.distance(from: text.startIndex, to: ellipsis) <= 4 else { return false }
        let rest = text[text.index(after: ellipsis)...]
        return rest.hasPrefix("(") && rest.dropFirst().dropLast().allSatisfy(\.isNumber) && rest.count > 2
    }
}
