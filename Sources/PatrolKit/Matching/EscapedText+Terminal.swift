#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal escape sequences around a keyword hit: a coloured log line (`\x1b[1m` + token) whose
/// sequence ends in a letter that would otherwise defeat the token's left boundary. Each
/// sequence decodes to one space, so the token is matched as if it stood alone and is reported
/// at its own bytes.
extension EscapedText {
    /// How far before a hit the window starts (a token starts a short way before its keyword)
    /// and how far after it ends.
    static let terminalReach = 1 << 10

    /// The part of the hit's line within `terminalReach` when it holds an escape sequence.
    static func terminalWindow(around position: Int, in buffer: UnsafeRawBufferPointer, state: inout ScanState) -> Range<Int>? {
        if position < state.cleanTerminalEnd { return nil }
        let window = state.terminalWindow
        if window.contains(position), position + terminalReach / 2 <= window.upperBound { return nil }
        let floor = window.upperBound > position - terminalReach ? max(0, window.upperBound - terminalReach / 2) : 0
        let base = buffer.baseAddress!
        // The window's end: the line's end, within reach (memchr, not a byte at a time).
        let reachEnd = min(buffer.count, position + terminalReach)
        let end = memchr(base + position, 0x0A, reachEnd - position).map { base.distance(to: UnsafeRawPointer($0)) } ?? reachEnd
        // No escape byte or backslash anywhere the window could start: it is clean, whatever
        // its start, and the line need not be walked back (the common case, a keyword on a
        // long line with no escape, decided by two memchr calls).
        let lowest = max(floor, position - terminalReach)
        if memchr(base + lowest, 0x1B, end - lowest) == nil, memchr(base + lowest, Int32(UInt8(ascii: "\\")), end - lowest) == nil {
            state.cleanTerminalEnd = end
            return nil
        }
        var start = position
        while start > floor, position - start < terminalReach, buffer[start - 1] != 0x0A { start -= 1 }
        let text = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
        for index in text.indices where (text[index] == 0x1B || text[index] == UInt8(ascii: "\\")) && sequenceLength(at: index, in: text) != nil {
            state.terminalWindow = start..<end
            return start..<end
        }
        state.cleanTerminalEnd = end
        return nil
    }

    /// The escape character's forms: the byte itself, and how source code writes it.
    private static let introducers: [[UInt8]] = ["\\033", "\\x1b", "\\x1B", "\\u001b", "\\u001B", "\\e"].map { Array($0.utf8) }

    /// The length of the escape sequence at `index`, or nil. CSI (`ESC [` parameters,
    /// intermediates, a final byte) is taken whole; of OSC (`ESC ]`), only the introducer and its
    /// terminator (BEL or `ESC \`) are separators, so a link's text stays visible; other
    /// two-byte sequences (`ESC (B`, `ESC =`) are taken whole when the escape is the byte itself.
    static func sequenceLength(at index: Int, in text: UnsafeRawBufferPointer) -> Int? {
        var cursor: Int
        var isByte = false
        if text[index] == 0x1B {
            cursor = index + 1
            isByte = true
        } else if text[index] == UInt8(ascii: "\\"), let length = introducerLength(at: index, in: text) {
            cursor = index + length
        } else {
            return nil
        }
        guard cursor < text.count else { return isByte ? 1 : nil }
        switch text[cursor] {
        case UInt8(ascii: "["):
            cursor += 1
            let limit = min(text.count, cursor + 32)
            while cursor < limit, (0x30...0x3F).contains(text[cursor]) { cursor += 1 }
            while cursor < limit, (0x20...0x2F).contains(text[cursor]) { cursor += 1 }
            guard cursor < limit, (0x40...0x7E).contains(text[cursor]) else { return nil }
            return cursor + 1 - index
        case UInt8(ascii: "]"), UInt8(ascii: "\\"):
            return cursor + 1 - index
        default:
            guard isByte else { return nil }
            while cursor < text.count, cursor - index < 4, (0x20...0x2F).contains(text[cursor]) { cursor += 1 }
            guard cursor < text.count, (0x30...0x7E).contains(text[cursor]) else { return 1 }
            return cursor + 1 - index
        }
    }

    /// The length of the written escape character (`\033`, `\e`, …) at `index`, or nil.
    private static func introducerLength(at index: Int, in text: UnsafeRawBufferPointer) -> Int? {
        guard index + 1 < text.count else { return nil }
        for introducer in introducers where introducer[1] == text[index + 1] && index + introducer.count <= text.count {
            var same = true
            for offset in 2..<introducer.count where text[index + offset] != introducer[offset] {
                same = false
                break
            }
            if same { return introducer.count }
        }
        return nil
    }

    /// `text` with each escape sequence (and each OSC terminator, BEL) replaced by a space.
    static func decodeTerminal(_ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        var decoded = DecodedText(capacity: text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == 0x1B || byte == UInt8(ascii: "\\"), let length = sequenceLength(at: index, in: text) {
                decoded.append(0x20, from: index)
                index += length
                continue
            }
            decoded.append(byte == 0x07 ? 0x20 : byte, from: index)
            index += 1
        }
        return decoded.finished(at: text.count)
    }
}
