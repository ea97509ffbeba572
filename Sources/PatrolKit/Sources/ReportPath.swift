/// How the bytes of a file's path become the `path` text of every report, and back.
///
/// A path is bytes on Linux, not necessarily UTF-8. A path that is valid UTF-8 and does not start
/// with a double quote is written as it is. Any other path is written the way git writes an
/// unusual name (`core.quotePath`): inside double quotes, with `\\`, `\"`, `\a \b \t \n \v \f \r`
/// and a three-digit octal escape (`\377`) for each byte that is not part of valid UTF-8 or is
/// another control character. So `"` at the start says "quoted", nothing is lost, and
/// `ReportPath.bytes(of:)` gives back the exact bytes — which is what opening the file, or a SARIF
/// artifact URI, needs.
public enum ReportPath {
    /// The report text of a path's bytes.
    public static func display<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if bytes.first != UInt8(ascii: "\""), let text = String(validating: bytes, as: UTF8.self) {
            return text
        }
        let input = Array(bytes)
        var output: [UInt8] = [UInt8(ascii: "\"")]
        var index = 0
        while index < input.count {
            if let length = validSequenceLength(input, at: index) {
                if length == 1 {
                    appendQuoted(input[index], to: &output)
                } else {
                    output += input[index..<(index + length)]
                }
                index += length
            } else {
                appendOctal(input[index], to: &output)
                index += 1
            }
        }
        output.append(UInt8(ascii: "\""))
        return String(decoding: output, as: UTF8.self)
    }

    /// The length of the valid UTF-8 sequence starting at `index` (RFC 3629: no overlong forms,
    /// no surrogates, nothing past U+10FFFF), or nil when the byte there starts none.
    static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int? {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        let length: Int, second: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        default: return nil
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return nil }
        return length
    }

    private static func appendQuoted(_ byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), byte]
        case 0x07: output += Array("\\a".utf8)
        case 0x08: output += Array("\\b".utf8)
        case 0x09: output += Array("\\t".utf8)
        case 0x0A: output += Array("\\n".utf8)
        case 0x0B: output += Array("\\v".utf8)
        case 0x0C: output += Array("\\f".utf8)
        case 0x0D: output += Array("\\r".utf8)
        case 0..<0x20, 0x7F...: appendOctal(byte, to: &output)
        default: output.append(byte)
        }
    }

    private static func appendOctal(_ byte: UInt8, to output: inout [UInt8]) {
        output += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
    }

    /// The exact bytes of a path written by `display(_:)`.
    public static func bytes(of display: String) -> [UInt8] {
        let utf8 = Array(display.utf8)
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "\""), utf8.last == UInt8(ascii: "\"") else { return utf8 }
        return unquote(utf8[1..<(utf8.count - 1)])
    }

    /// Undoes C-style quoting, git's and ours: the bytes between the quotes of `"a\tb\303\251"`.
    static func unquote(_ inner: ArraySlice<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(inner.count)
        var index = inner.startIndex
        while index < inner.endIndex {
            let byte = inner[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < inner.endIndex else {
                bytes.append(byte)
                index += 1
                continue
            }
            let next = inner[index + 1]
            index += 2
            switch next {
            case UInt8(ascii: "a"): bytes.append(0x07)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "v"): bytes.append(0x0B)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(next - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < inner.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(inner[index]) {
                    value = value * 8 + Int(inner[index] - UInt8(ascii: "0"))
                    digits += 1
                    index += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            default:
                bytes.append(next)
            }
        }
        return bytes
    }

    /// A path as git quotes it in a diff header (`"a/my\tfile"`), or as it is when unquoted.
    static func unquotingGit<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        let array = Array(bytes)
        guard array.count >= 2, array.first == UInt8(ascii: "\""), array.last == UInt8(ascii: "\"") else { return array }
        return unquote(array[1..<(array.count - 1)])
    }
}
