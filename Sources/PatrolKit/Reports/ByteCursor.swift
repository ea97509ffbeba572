/// Bytes written through a pointer into room made beforehand: a JSON object of many small
/// pieces (a finding has some thirty) without an array append — a uniqueness and a capacity
/// check — per piece. Every write checks that it stays inside the room it was given.
struct ByteCursor {
    private let base: UnsafeMutablePointer<UInt8>
    private let limit: Int
    /// Bytes written so far.
    private(set) var count = 0
    /// Whether line breaks and indentation are written (`JSONWriter(pretty:)`).
    let pretty: Bool

    init(base: UnsafeMutablePointer<UInt8>, limit: Int, pretty: Bool) {
        self.base = base
        self.limit = limit
        self.pretty = pretty
    }

    /// The bytes written.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func byte(_ byte: UInt8) {
        precondition(count < limit, "ByteCursor: room exceeded")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(bytes.count <= limit - count, "ByteCursor: room exceeded")
        (base + count).update(from: start, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { raw($0) }
    }

    /// A line break and `2 * level` spaces, when pretty.
    @inline(__always)
    mutating func newline(level: Int) {
        guard pretty else { return }
        let spaces = 2 * level
        precondition(spaces + 1 <= limit - count, "ByteCursor: room exceeded")
        base[count] = UInt8(ascii: "\n")
        (base + count + 1).initialize(repeating: UInt8(ascii: " "), count: spaces)
        count += 1 + spaces
    }

    /// What goes before a value in an object whose fields are at `level`: a comma unless it is
    /// the first, the line break and indentation, the key and its colon — as `JSONWriter.field`
    /// writes them. `name` needs no escape.
    @inline(__always)
    mutating func key(_ name: StaticString, level: Int, first: Bool = false) {
        if !first { byte(UInt8(ascii: ",")) }
        newline(level: level)
        byte(UInt8(ascii: "\""))
        raw(name)
        byte(UInt8(ascii: "\""))
        byte(UInt8(ascii: ":"))
        if pretty { byte(UInt8(ascii: " ")) }
    }

    /// `key` for a key known only at run time: escaped as a JSON string.
    mutating func dynamicKey(_ key: String, level: Int, first: Bool = false) {
        if !first { byte(UInt8(ascii: ",")) }
        newline(level: level)
        string(key)
        byte(UInt8(ascii: ":"))
        if pretty { byte(UInt8(ascii: " ")) }
    }

    /// `number` in decimal (at most 20 bytes).
    mutating func decimal(_ number: Int) {
        precondition(limit - count >= 20, "ByteCursor: room exceeded")
        if number < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var rest = number.magnitude
        var digits = 0
        var probe = rest
        repeat {
            digits += 1
            probe /= 10
        } while probe > 0
        var index = count + digits - 1
        repeat {
            base[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
        count += digits
    }

    mutating func bool(_ value: Bool?) {
        switch value {
        case true?: raw("true")
        case false?: raw("false")
        case nil: raw("null")
        }
    }

    mutating func string(_ text: borrowing String?) {
        switch text {
        case nil: raw("null")
        case let text?: string(text)
        }
    }

    /// `text` escaped, read where it is (no copy of it made, and none retained).
    mutating func string(_ text: borrowing String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { escaped($0) }
        if done == nil {
            var copy = copy text
            copy.withUTF8 { escaped($0) }
        }
    }

    /// A fingerprint as a JSON string; a digest's 32 hex digits written in place.
    mutating func fingerprint(_ value: borrowing Fingerprint) {
        switch value {
        case .other(let text): string(text)
        case .digest(let high, let low):
            precondition(34 <= limit - count, "ByteCursor: room exceeded")
            base[count] = UInt8(ascii: "\"")
            Fingerprint.writeHex(high, low, to: base + count + 1)
            base[count + 33] = UInt8(ascii: "\"")
            count += 34
        }
    }

    /// UTF-8 bytes as a JSON string, escaped as `JSONWriter.appendString(utf8:to:)` escapes
    /// them: at most `2 + 6 * utf8.count` bytes.
    mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        escapedContent(utf8)
        byte(UInt8(ascii: "\""))
    }

    /// `escaped` without the quotes: a piece of a string written in several.
    mutating func escapedContent(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
            raw(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            default:
                raw("\\u00")
                self.byte(Self.hexDigit(byte >> 4))
                self.byte(Self.hexDigit(byte & 0x0F))
            }
        }
        raw(UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }

    /// `0`–`9`, `a`–`f`.
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }
}

extension ByteCursor {
    /// A comma, a line break, `2 * level` spaces, a key of up to 24 bytes, `: `.
    static func keyRoom(level: Int) -> Int {
        32 + 2 * level
    }
}
