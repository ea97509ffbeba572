/// A small streaming JSON writer: fields come out in the order written (the order DESIGN.md
/// lists them), nulls are explicit, and no intermediate dictionaries are built for big reports.
struct JSONWriter {
    private(set) var output = ""
    private var indentLevel = 0
    private var needsComma = [false]
    let pretty: Bool

    init(pretty: Bool) {
        self.pretty = pretty
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

    mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    mutating func endObject() { close("}") }
    mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    mutating func endArray() { close("]") }

    mutating func field(_ key: String, _ value: Value) {
        separator()
        writeKey(key)
        write(value)
    }

    mutating func element(_ value: Value) {
        separator()
        write(value)
    }

    private mutating func open(_ key: String?, _ bracket: String) {
        separator()
        if let key { writeKey(key) }
        output += bracket
        indentLevel += 1
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        let hadContent = needsComma.removeLast()
        indentLevel -= 1
        if pretty && hadContent { output += "\n" + String(repeating: "  ", count: indentLevel) }
        output += bracket
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
        if pretty && indentLevel > 0 { output += "\n" + String(repeating: "  ", count: indentLevel) }
    }

    private mutating func writeKey(_ key: String) {
        Self.appendString(key, to: &output)
        output += pretty ? ": " : ":"
    }

    private mutating func write(_ value: Value) {
        switch value {
        case .string(let text): Self.appendString(text, to: &output)
        case .int(let number): output += String(number)
        case .double(let number): output += number.isFinite ? String(number) : "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .null: output += "null"
        }
    }

    static func appendString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
