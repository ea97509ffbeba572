/// A small streaming JSON writer: fields come out in the order written (the order DESIGN.md
/// lists them), nulls are explicit, and no intermediate dictionaries are built for big reports.
struct JSONWriter {
    /// The text written so far, as UTF-8: appended byte runs, never one scalar at a time, so a
    /// report costs the same per byte whatever it holds.
    private(set) var bytes: [UInt8] = []
    private var indentLevel = 0
    /// How deep the next value sits: 0 at the top, 1 inside the document's object, ….
    var level: Int { indentLevel }
    /// Whether the innermost object or array has content already (a comma goes before the
    /// next value), and the same for each one around it: the innermost is kept out of the
    /// array, as it is read and set at every value.
    private var needsComma = false
    private var outerNeedsComma: [Bool] = []
    let pretty: Bool

    init(pretty: Bool) {
        self.pretty = pretty
    }

    /// The text written so far.
    var output: String { String(decoding: bytes, as: UTF8.self) }

    /// The text written since the last call, which the writer then forgets (its nesting stays):
    /// for writing a big document a piece at a time.
    mutating func takeOutput() -> String {
        defer { bytes.removeAll(keepingCapacity: true) }
        return output
    }

    /// Hands the bytes written so far to `sink` and forgets them (the nesting stays): a report
    /// of 160,000 findings goes out a megabyte at a time instead of as one 135 MB string that
    /// is then copied twice more to be written.
    mutating func flush(to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !bytes.isEmpty else { return }
        defer { bytes.removeAll(keepingCapacity: true) }
        try bytes.withUnsafeBytes(sink)
    }

    enum Value {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case null

        static func optional(_ value: String?) -> Value { value.map(Value.string) ?? .null }
        static func optional(_ value: Bool?) -> Value { value.map(Value.bool) ?? .null }
    }

    mutating func beginObject(_ key: String? = nil) { open(key, UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray(_ key: String? = nil) { open(key, UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    mutating func field(_ key: String, _ value: Value) {
        separator()
        writeKey(key)
        write(value)
    }

    /// A string field whose value `produce` appends as valid UTF-8 (a snippet already
    /// repaired, a redacted secret) to a buffer the writer reuses: no `String` made per field.
    mutating func field(_ key: String, utf8 produce: (inout [UInt8]) -> Void) {
        separator()
        writeKey(key)
        scratch.removeAll(keepingCapacity: true)
        produce(&scratch)
        scratch.withUnsafeBufferPointer { Self.appendString(utf8: $0, to: &bytes) }
    }

    private var scratch: [UInt8] = []

    /// A value of the innermost array (or the document's one value) written whole through a
    /// cursor into at most `room` bytes, at `level` (an object's fields are one deeper): what
    /// `beginObject`, `field`s and `endObject` would write, without an array append per piece.
    ///
    /// In two calls, so that what `write` reads is not captured (and copied) by a closure:
    /// `beginElement` gives the cursor, `endElement` takes what was written through it.
    mutating func beginElement(room: Int) -> ByteCursor {
        separator()
        let buffer = cursorRoom ?? ByteRoom()
        cursorRoom = buffer
        buffer.reserve(room)
        return ByteCursor(base: buffer.pointer, limit: room, pretty: pretty)
    }

    /// Ends the value `beginElement` began: appends what `cursor` wrote.
    mutating func endElement(_ cursor: ByteCursor) {
        bytes.append(contentsOf: cursor.written)
    }

    /// The room `beginElement` gives, kept from one value to the next.
    private var cursorRoom: ByteRoom?

    mutating func element(_ value: Value) {
        separator()
        write(value)
    }

    private mutating func open(_ key: String?, _ bracket: UInt8) {
        separator()
        if let key { writeKey(key) }
        bytes.append(bracket)
        indentLevel += 1
        outerNeedsComma.append(needsComma)
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        let hadContent = needsComma
        needsComma = outerNeedsComma.removeLast()
        indentLevel -= 1
        if pretty && hadContent { newline() }
        bytes.append(bracket)
    }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        if pretty && indentLevel > 0 { newline() }
    }

    /// A line break and 64 spaces: a line break and its indentation (up to 32 levels) are
    /// appended as one run.
    private static let newlineAndIndentation: [UInt8] = [UInt8(ascii: "\n")] + Array(repeating: UInt8(ascii: " "), count: 64)

    private mutating func newline() {
        var spaces = 2 * indentLevel
        var count = 1 + min(spaces, 64)
        Self.newlineAndIndentation.withUnsafeBufferPointer { run in
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[0..<count]))
            spaces -= count - 1
            while spaces > 0 {
                count = min(spaces, 64)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[1..<(1 + count)]))
                spaces -= count
            }
        }
    }

    private mutating func writeKey(_ key: String) {
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
    }

    private mutating func write(_ value: Value) {
        switch value {
        case .string(let text): Self.appendString(text, to: &bytes)
        case .int(let number): Self.appendDecimal(number, to: &bytes)
        case .double(let number): bytes.append(contentsOf: (number.isFinite ? String(number) : "null").utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: bytes.append(contentsOf: "null".utf8)
        }
    }

    static func appendString(_ text: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendString(text, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Bytes that a JSON string cannot hold as they are: control characters, DEL, `"` and `\\`.
    private static let needsEscape: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x7F || $0 == 0x22 || $0 == 0x5C }

    /// `number` in decimal, without making a `String` of it.
    static func appendDecimal(_ number: Int, to output: inout [UInt8]) {
        if number < 0 { output.append(UInt8(ascii: "-")) }
        // The magnitude as UInt: Int.min has none as an Int.
        var rest = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: UInt.max has 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    /// `text` as a JSON string: the runs between characters that need an escape are copied whole.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &output) }
    }

    /// UTF-8 bytes as a JSON string, escaped as `appendString` escapes text.
    static func appendString(utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        needsEscape.withUnsafeBufferPointer { needsEscape in
            var runStart = 0
            for index in utf8.indices where needsEscape[Int(utf8[index])] {
                let byte = utf8[index]
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                case UInt8(ascii: "\t"): escape = "\\t"
                default: escape = ""
                }
                if escape.utf8CodeUnitCount > 0 {
                    escape.withUTF8Buffer { output.append(contentsOf: $0) }
                } else {
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// Memory a `ByteCursor` writes in, grown when a value needs more.
final class ByteRoom {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init() {
        capacity = 4096
        pointer = .allocate(capacity: capacity)
    }

    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = max(count, 2 * capacity)
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }
}
