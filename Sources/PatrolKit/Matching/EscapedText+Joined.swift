/// String literals joined in code around a keyword hit: `"abc" + "def"` (Java, C#, JavaScript,
/// Go), `"abc" "def"` and `"abc" \` newline `"def"` (Python, C), `"a""b"` (shell). The literal
/// holding the hit and the ones joined after it decode to their joined value.
///
/// Only a literal that holds a keyword hit and whose closing quote is followed by a joiner and
/// another quote is looked at, so code without such a join costs a few byte comparisons per hit.
extension EscapedText {
    /// How far a literal is followed back or forward from the hit, and how many literals are joined.
    static let literalReach = 1 << 10
    static let maxJoinedLiterals = 16
    /// How many literals before the keyword's are joined: a token split in more parts before
    /// its keyword than that is not expected.
    static let maxEarlierLiterals = 4
    /// How many bytes a joiner may take (`" +\n        "`).
    static let joinerReach = 80

    /// From the opening quote of the literal holding `position` to the closing quote of the last
    /// literal joined to it, when at least one is.
    static func joinedLiterals(around position: Int, in buffer: UnsafeRawBufferPointer, state: inout ScanState) -> Range<Int>? {
        if state.lastJoined.contains(position) { return nil }
        // An earlier hit from which the scan back found no quote on its line within reach: a scan
        // back that reaches it stops there too (the bytes before it were looked at).
        let known = state.unquotedJoinBefore < position && position - state.unquotedJoinBefore < literalReach ? state.unquotedJoinBefore : -1
        var open = position
        while true {
            if open == known || open == 0 || position - open >= literalReach {
                state.unquotedJoinBefore = position
                return nil
            }
            let byte = buffer[open - 1]
            if byte == 0x0A {
                state.unquotedJoinBefore = position
                return nil
            }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'"), !isEscaped(open - 1, in: buffer) { break }
            open -= 1
        }
        let quote = buffer[open - 1]
        guard var close = closingQuote(quote, from: position, in: buffer) else {
            // Unterminated within reach: later hits up to there would find the same.
            state.lastJoined = (open - 1)..<min(buffer.count, position + literalReach)
            return nil
        }
        var literals = 1
        // Earlier literals joined to this one: the token may start before the keyword's part.
        // A joiner that is only whitespace across a line end joins only inside parentheses
        // (Python's implicit concatenation): elsewhere the next line's literal is another
        // statement or element (`"a"` newline `"b",` in a list).
        // At most `maxEarlierLiterals` of them, none examined for an earlier hit, so that a long
        // chain of joined literals dense with keywords is decoded about once.
        let examinedUpTo = state.lastJoined.upperBound
        func earlier(newlines: Bool) -> (first: Int, literals: Int) {
            var first = open - 1, literals = 1
            while literals <= maxEarlierLiterals, first > examinedUpTo,
                  let previousClose = joinedQuote(quote, before: first, newlines: newlines, in: buffer),
                  previousClose >= examinedUpTo,
                  let previousOpen = openingQuote(quote, before: previousClose, in: buffer) {
                first = previousOpen
                literals += 1
            }
            return (first, literals)
        }
        var (first, earlierLiterals) = earlier(newlines: true)
        // Hits later in this literal are answered by this search, joined or not.
        state.lastJoined = (open - 1)..<(close + 1)
        let inParentheses = opensParenthesis(before: first, in: buffer)
        if !inParentheses, earlierLiterals > 1 { (first, earlierLiterals) = earlier(newlines: false) }
        literals = earlierLiterals
        while literals < maxJoinedLiterals, let next = joinedQuote(quote, after: close + 1, newlines: inParentheses, in: buffer),
              let nextClose = closingQuote(quote, from: next + 1, in: buffer) {
            close = nextClose
            literals += 1
        }
        guard literals > 1 else { return nil }
        state.lastJoined = first..<(close + 1)
        return first..<(close + 1)
    }

    /// The opening `quote` of the literal whose closing quote is at `close`, on its line.
    private static func openingQuote(_ quote: UInt8, before close: Int, in buffer: UnsafeRawBufferPointer) -> Int? {
        var cursor = close - 1
        while cursor >= 0, close - cursor < literalReach {
            let byte = buffer[cursor]
            if byte == 0x0A { return nil }
            if byte == quote, !isEscaped(cursor, in: buffer) { return cursor }
            cursor -= 1
        }
        return nil
    }

    /// The closing quote of a literal joined to the one that opens at `open`, scanning back over
    /// the joiners `joinedQuote(_:after:in:)` accepts.
    private static func joinedQuote(_ quote: UInt8, before open: Int, newlines: Bool, in buffer: UnsafeRawBufferPointer) -> Int? {
        var cursor = open - 1
        var plus = false, continuation = false, lineEnd = false
        while cursor >= 0, open - cursor < joinerReach {
            switch buffer[cursor] {
            case quote:
                if lineEnd && !newlines && !plus && !continuation { return nil }
                return isEscaped(cursor, in: buffer) ? nil : cursor
            case 0x0A:
                var previous = cursor - 1
                if previous >= 0, buffer[previous] == 0x0D { previous -= 1 }
                if previous >= 0, buffer[previous] == UInt8(ascii: "\\"), !continuation {
                    continuation = true
                    cursor = previous - 1
                } else {
                    lineEnd = true
                    cursor -= 1
                }
            case 0x20, 0x09, 0x0D: cursor -= 1
            case UInt8(ascii: "+") where !plus:
                plus = true
                cursor -= 1
            default: return nil
            }
        }
        return nil
    }

    /// The closing `quote` at or after `index` on its line (a backslash escapes the next byte).
    private static func closingQuote(_ quote: UInt8, from index: Int, in buffer: UnsafeRawBufferPointer) -> Int? {
        var cursor = index
        while cursor < buffer.count, cursor - index < literalReach {
            let byte = buffer[cursor]
            if byte == 0x0A { return nil }
            if byte == UInt8(ascii: "\\") {
                cursor += 2
                continue
            }
            if byte == quote { return cursor }
            cursor += 1
        }
        return nil
    }

    /// Whether the first non-blank byte before `index` is `(`.
    private static func opensParenthesis(before index: Int, in buffer: UnsafeRawBufferPointer) -> Bool {
        var cursor = index - 1
        while cursor >= 0, index - cursor < joinerReach {
            switch buffer[cursor] {
            case 0x20, 0x09, 0x0D, 0x0A: cursor -= 1
            case UInt8(ascii: "("): return true
            default: return false
            }
        }
        return false
    }

    /// The opening quote of a literal joined to one that closed just before `index`: after
    /// spaces, tabs and newlines, at most one `+` and at most one backslash-newline. A joiner
    /// that crosses a line end without `+` or the backslash needs `newlines`.
    private static func joinedQuote(_ quote: UInt8, after index: Int, newlines: Bool, in buffer: UnsafeRawBufferPointer) -> Int? {
        var cursor = index
        var plus = false, continuation = false, lineEnd = false
        while cursor < buffer.count, cursor - index < joinerReach {
            switch buffer[cursor] {
            case quote: return lineEnd && !newlines && !plus && !continuation ? nil : cursor
            case 0x0A:
                lineEnd = true
                cursor += 1
            case 0x20, 0x09, 0x0D: cursor += 1
            case UInt8(ascii: "+") where !plus:
                plus = true
                cursor += 1
            case UInt8(ascii: "\\") where !continuation:
                var next = cursor + 1
                if next < buffer.count, buffer[next] == 0x0D { next += 1 }
                guard next < buffer.count, buffer[next] == 0x0A else { return nil }
                continuation = true
                cursor = next + 1
            default: return nil
            }
        }
        return nil
    }

    /// The literals' contents, joined (escapes kept as written), and the offsets.
    static func decodeJoined(_ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        var decoded = DecodedText(capacity: text.count)
        guard let quote = text.first else { return decoded.finished(at: 0) }
        var inside = true
        var index = 1
        while index < text.count {
            let byte = text[index]
            if inside {
                if byte == quote {
                    inside = false
                } else {
                    let length = byte == UInt8(ascii: "\\") && index + 1 < text.count ? 2 : 1
                    for offset in index..<index + length {
                        decoded.append(text[offset], from: offset)
                    }
                    index += length
                    continue
                }
            } else if byte == quote {
                inside = true
            }
            index += 1
        }
        return decoded.finished(at: text.count)
    }
}
