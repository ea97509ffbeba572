/// Reads one JSON object from bytes without building anything, for validators that prove a
/// token by the JSON inside it: a JWT header with `alg`, a Grafana token with `o`, `n`, `k`, `m`,
/// a Sentry organisation token with `iat` and `org`.
///
/// Foundation's `JSONSerialization` would allocate a dictionary per candidate on the scanner's
/// hot path; this walks the bytes once and hands each top-level member to a closure as two
/// slices of the input. It checks the grammar of RFC 8259 (strings, escapes, numbers, literals,
/// nesting up to ``maximumDepth``) but does not decode escapes: keys are compared as raw bytes,
/// which is enough for the plain ASCII keys tokens use.
enum JSONObjectScanner {
    /// Deeper nesting is rejected rather than followed: no token header nests this deep, and
    /// the limit bounds the recursion.
    static let maximumDepth = 16

    /// Calls `visit(key, value)` for every member of the top-level object, in order. `key` is
    /// the raw text between the key's quotes; `value` is the value's raw text (a string value
    /// keeps its quotes; see ``stringContents(_:)``). Returns true only when `bytes` is exactly
    /// one JSON object, optionally surrounded by whitespace.
    @discardableResult
    static func forEachMember(in bytes: UnsafeRawBufferPointer, _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) -> Bool {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        guard reader.take(UInt8(ascii: "{")) else { return false }
        reader.skipWhitespace()
        if !reader.take(UInt8(ascii: "}")) {
            while true {
                let keyStart = reader.index
                guard reader.skipString() else { return false }
                let key = UnsafeRawBufferPointer(rebasing: bytes[(keyStart + 1)..<(reader.index - 1)])
                reader.skipWhitespace()
                guard reader.take(UInt8(ascii: ":")) else { return false }
                reader.skipWhitespace()
                let valueStart = reader.index
                guard reader.skipValue(depth: 1) else { return false }
                visit(key, UnsafeRawBufferPointer(rebasing: bytes[valueStart..<reader.index]))
                reader.skipWhitespace()
                if reader.take(UInt8(ascii: ",")) {
                    reader.skipWhitespace()
                    continue
                }
                guard reader.take(UInt8(ascii: "}")) else { return false }
                break
            }
        }
        reader.skipWhitespace()
        return reader.index == bytes.count
    }

    /// True when `bytes` is one JSON object having every key in `keys` at its top level.
    static func isObject(_ bytes: UnsafeRawBufferPointer, withKeys keys: [StaticString]) -> Bool {
        precondition(keys.count <= 32, "at most 32 keys")
        var found: UInt32 = 0
        let complete = forEachMember(in: bytes) { key, _ in
            for (index, wanted) in keys.enumerated() where equals(key, wanted) {
                found |= 1 << UInt32(index)
            }
        }
        return complete && found == (keys.count == 32 ? .max : (1 << UInt32(keys.count)) - 1)
    }

    /// The text between a string value's quotes, or nil when `value` is not a string.
    static func stringContents(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard value.count >= 2, value[0] == UInt8(ascii: "\""), value[value.count - 1] == UInt8(ascii: "\"") else { return nil }
        return UnsafeRawBufferPointer(rebasing: value[1..<(value.count - 1)])
    }

    static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        bytes.elementsEqual(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A cursor over the input; every method leaves `index` after what it consumed.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index >= bytes.count }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipValue(depth: Int) -> Bool {
            guard index < bytes.count, depth <= JSONObjectScanner.maximumDepth else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""): return skipString()
            case UInt8(ascii: "{"): return skipContainer(close: UInt8(ascii: "}"), keyed: true, depth: depth)
            case UInt8(ascii: "["): return skipContainer(close: UInt8(ascii: "]"), keyed: false, depth: depth)
            case UInt8(ascii: "t"): return skipLiteral("true")
            case UInt8(ascii: "f"): return skipLiteral("false")
            case UInt8(ascii: "n"): return skipLiteral("null")
            default: return skipNumber()
            }
        }

        private mutating func skipContainer(close: UInt8, keyed: Bool, depth: Int) -> Bool {
            index += 1
            skipWhitespace()
            if take(close) { return true }
            while true {
                if keyed {
                    guard skipString() else { return false }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    continue
                }
                return take(close)
            }
        }

        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return false }
                    let escaped = bytes[index]
                    index += 1
                    if escaped == UInt8(ascii: "u") {
                        guard index + 4 <= bytes.count else { return false }
                        for offset in 0..<4 where !isHexDigit(bytes[index + offset]) { return false }
                        index += 4
                    } else if !"\"\\/bfnrt".utf8.contains(escaped) {
                        return false
                    }
                case 0x00..<0x20:
                    return false
                default:
                    continue
                }
            }
            return false
        }

        private mutating func skipLiteral(_ literal: StaticString) -> Bool {
            let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            guard index + expected.count <= bytes.count,
                  bytes[index..<(index + expected.count)].elementsEqual(expected)
            else { return false }
            index += expected.count
            return true
        }

        private mutating func skipNumber() -> Bool {
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                // A leading zero stands alone.
            } else {
                guard skipDigits() else { return false }
            }
            if take(UInt8(ascii: ".")) {
                guard skipDigits() else { return false }
            }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard skipDigits() else { return false }
            }
            return true
        }

        /// One or more decimal digits.
        private mutating func skipDigits() -> Bool {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index > start
        }

        private func isHexDigit(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
        }
    }
}
