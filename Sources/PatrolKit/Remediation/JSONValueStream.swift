#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a JSON document from a file descriptor (or bytes in memory) one value at a time,
/// without holding the whole document: `LeakReport` reads a report's `findings` array an
/// element at a time, so a 108 MB report never becomes one Foundation object graph (which took
/// 2.1 GB). It only finds where each value ends (strings, escapes, nesting); what a value says
/// is parsed by `JSONSerialization`, one small value at a time.
struct JSONValueStream {
    /// The document is not JSON here; `offset` counts bytes from its start.
    struct Malformed: Error {
        let offset: Int
    }

    private let descriptor: Int32
    private var buffer: [UInt8]
    private var index = 0
    /// Bytes read before `buffer[0]`.
    private var consumed = 0
    private var atEnd: Bool
    private static let chunkSize = 1 << 20

    /// Reads from `descriptor`, which stays open (the caller closes it).
    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer = []
        atEnd = false
    }

    init(bytes: [UInt8]) {
        descriptor = -1
        buffer = bytes
        atEnd = true
    }

    /// Offset of the next byte from the start of the document.
    var offset: Int { consumed + index }

    /// The next byte that is not white space, without consuming it; nil at the end.
    mutating func peekSignificant() throws(ValueError) -> UInt8? {
        while let byte = try peek() {
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return byte }
            index += 1
        }
        return nil
    }

    /// Consumes `byte` after white space, or throws.
    mutating func expect(_ byte: UInt8) throws(ValueError) {
        guard try peekSignificant() == byte else { throw .malformed(Malformed(offset: offset)) }
        index += 1
    }

    /// Consumes the next value (after white space) and appends its bytes to `output`.
    mutating func readValue(into output: inout [UInt8]) throws(ValueError) {
        guard let first = try peekSignificant() else { throw .malformed(Malformed(offset: offset)) }
        switch first {
        case UInt8(ascii: "\""):
            try readString(into: &output)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while let byte = try peek() {
                if byte == UInt8(ascii: "\"") {
                    try readString(into: &output)
                    continue
                }
                output.append(byte)
                index += 1
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
            throw .malformed(Malformed(offset: offset))
        default:
            // A number, true, false or null: up to the next delimiter.
            while let byte = try peek() {
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                    || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { return }
                output.append(byte)
                index += 1
            }
        }
    }

    /// Consumes a string (the next byte is its opening quote), escapes included.
    private mutating func readString(into output: inout [UInt8]) throws(ValueError) {
        output.append(UInt8(ascii: "\""))
        index += 1
        var escaped = false
        while let byte = try peek() {
            output.append(byte)
            index += 1
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                return
            }
        }
        throw .malformed(Malformed(offset: offset))
    }

    /// Up to `count` bytes from the next one, without consuming them (fewer at the end of the
    /// input): enough to tell a JSON document from JSON Lines by its first key.
    mutating func lookahead(_ count: Int) throws(ValueError) -> ArraySlice<UInt8> {
        while buffer.count - index < count, try append() {}
        return buffer[index..<min(buffer.count, index + count)]
    }

    /// Consumes the next line (without its line end) into `output`; false at the end of the
    /// input with nothing left.
    mutating func readLine(into output: inout [UInt8]) throws(ValueError) -> Bool {
        output.removeAll(keepingCapacity: true)
        var sawAny = false
        while true {
            if index >= buffer.count {
                guard try refill() else { return sawAny }
            }
            sawAny = true
            if let end = buffer[index...].firstIndex(of: 0x0A) {
                output.append(contentsOf: buffer[index..<end])
                index = end + 1
                if output.last == 0x0D { output.removeLast() }
                return true
            }
            output.append(contentsOf: buffer[index...])
            index = buffer.count
        }
    }

    /// Failures of `readValue` and `expect`.
    enum ValueError: Error {
        case malformed(Malformed)
        case read(ReadError)
    }

    @inline(__always)
    private mutating func peek() throws(ValueError) -> UInt8? {
        if index < buffer.count { return buffer[index] }
        guard try refill() else { return nil }
        return buffer[index]
    }

    /// Appends the next chunk to the buffer (keeping what is not consumed); false at the end.
    private mutating func append() throws(ValueError) -> Bool {
        guard !atEnd else { return false }
        if index > 0 {
            consumed += index
            buffer.removeSubrange(..<index)
            index = 0
        }
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .read(ReadError(message: String(cString: strerror(errno))))
            }
            if count == 0 { atEnd = true }
            buffer.append(contentsOf: chunk[..<count])
            return count > 0
        }
    }

    /// Replaces the consumed buffer with the next chunk; false at the end of the input.
    private mutating func refill() throws(ValueError) -> Bool {
        guard !atEnd else { return false }
        consumed += buffer.count
        index = 0
        buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                buffer = []
                throw .read(ReadError(message: String(cString: strerror(errno))))
            }
            buffer.removeSubrange(count...)
            if count == 0 { atEnd = true }
            return count > 0
        }
    }
}
