#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTML and XML character references around a keyword hit: an attribute value or text run
/// (`<add value="…&#x2B;…&#x3D;" />`, `href="https:&#x2F;&#x2F;hooks…"`) decoded like a
/// percent-encoded run.
extension EscapedText {
    /// How far a run of markup text is followed: attribute values and URLs are short.
    static let entityReach = 2 << 10

    /// Bytes that end a run: whitespace, quotes and markup's brackets.
    private static let entityRunStops: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in " \t\r\n\"'<>".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// The named references markup writers emit for the characters tokens and URLs hold.
    private static let namedReferences: [(name: [UInt8], value: UInt8)] = [
        ("amp", "&"), ("quot", "\""), ("apos", "'"), ("lt", "<"), ("gt", ">"),
        ("sol", "/"), ("equals", "="), ("plus", "+"), ("colon", ":"), ("num", "#"),
        ("percnt", "%"), ("quest", "?"), ("lowbar", "_"), ("period", "."), ("hyphen", "-"),
    ].map { (Array($0.0.utf8), UInt8(ascii: $0.1)) }

    /// The run around `position` when it holds a character reference; skips like `percentRun`,
    /// so many hits on one long line cost linear time.
    static func entityRun(around position: Int, in buffer: UnsafeRawBufferPointer, state: inout ScanState) -> Range<Int>? {
        if position < state.cleanEntityRunEnd { return nil }
        let window = state.entityWindow
        if window.contains(position), position + entityReach / 2 <= window.upperBound { return nil }
        let floor = window.upperBound > position - entityReach ? max(0, window.upperBound - entityReach / 2) : 0
        return entityRunStops.withUnsafeBufferPointer { stops -> Range<Int>? in
            var end = position
            while end < buffer.count, end - position < entityReach, !stops[Int(buffer[end])] { end += 1 }
            // No `&` anywhere the run could start: it is clean whatever its start, which then
            // need not be found (a keyword on a long line without references).
            let lowest = max(floor, position - entityReach)
            if memchr(buffer.baseAddress! + lowest, Int32(UInt8(ascii: "&")), end - lowest) == nil {
                state.cleanEntityRunEnd = end
                return nil
            }
            var start = position
            while start > floor, position - start < entityReach, !stops[Int(buffer[start - 1])] { start -= 1 }
            let run = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            for index in run.indices where run[index] == UInt8(ascii: "&") && reference(at: index, in: run) != nil {
                state.entityWindow = start..<end
                return start..<end
            }
            state.cleanEntityRunEnd = end
            return nil
        }
    }

    /// The character reference starting at `index` (at its `&`): its scalar and its length.
    static func reference(at index: Int, in text: UnsafeRawBufferPointer) -> (scalar: Unicode.Scalar, length: Int)? {
        guard index + 3 < text.count, text[index] == UInt8(ascii: "&") else { return nil }
        if text[index + 1] == UInt8(ascii: "#") {
            let hex = text[index + 2] | 0x20 == UInt8(ascii: "x")
            var cursor = index + (hex ? 3 : 2)
            var value: UInt32 = 0
            let digitsStart = cursor
            while cursor < text.count, cursor - digitsStart < 7 {
                let byte = text[cursor]
                if hex, let digit = hexValue(byte) { value = value << 4 | UInt32(digit) }
                else if !hex, (0x30...0x39).contains(byte) { value = value * 10 + UInt32(byte - 0x30) }
                else { break }
                cursor += 1
            }
            guard cursor > digitsStart, cursor < text.count, text[cursor] == UInt8(ascii: ";"),
                  let scalar = Unicode.Scalar(value), value != 0
            else { return nil }
            return (scalar, cursor + 1 - index)
        }
        for (name, value) in namedReferences where name[0] == text[index + 1] {
            let end = index + 1 + name.count
            guard end < text.count, text[end] == UInt8(ascii: ";") else { continue }
            var same = true
            for offset in 1..<name.count where text[index + 1 + offset] != name[offset] {
                same = false
                break
            }
            if same { return (Unicode.Scalar(value), name.count + 2) }
        }
        return nil
    }

    /// `text` with its character references replaced by their UTF-8 bytes, and the offsets.
    static func decodeEntities(_ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        var decoded = DecodedText(capacity: text.count)
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "&"), let (scalar, length) = reference(at: index, in: text) {
                decoded.append(scalar, from: index)
                index += length
                continue
            }
            decoded.append(text[index], from: index)
            index += 1
        }
        return decoded.finished(at: text.count)
    }
}
