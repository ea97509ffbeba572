/// Finds how far a keyword sits from the start of every match of a regex, when that distance is
/// fixed, by reading the regex up to the keyword: `(?<![A-Za-z0-9])(?<secret>[A-Za-z0-9]{52}JQQJ99…`
/// puts `JQQJ99` 52 bytes after the match start. A keyword hit at position p is then confirmed by
/// one anchored match at p − 52 instead of a search.
///
/// Only a simple prefix is understood: zero-width assertions (lookarounds, `\b`, `^`, inline
/// flags), group openings, and single-width atoms (a class, an escape, `.` or a literal) with no
/// quantifier or a fixed `{n}`. Anything else (alternation, `*`, `{m,n}`) gives nil, and the
/// caller falls back to a bounded search around the hit.
enum KeywordOffset {
    static func fixedOffset(of keyword: String, in regex: String, caseInsensitive: Bool) -> Int? {
        let pattern = Array(regex.utf8)
        let key = Array(keyword.utf8)
        var index = 0
        var width = 0
        while index < pattern.count {
            if literalMatch(key, in: pattern, at: index, caseInsensitive: caseInsensitive) { return width }
            let byte = pattern[index]
            switch byte {
            case UInt8(ascii: "("):
                guard let next = skipGroupOpening(pattern, at: index) else { return nil }
                // A group of alternatives (`(?i:password|passwd|(?<![a-z])pwd)`): the keyword
                // may open any of them, after a fixed-width prefix of its own.
                if let end = groupEnd(pattern, at: index), next < end {
                    let alternatives = topLevelAlternatives(pattern, in: next..<(end - 1))
                    if alternatives.count > 1 {
                        for alternative in alternatives {
                            let text = String(decoding: pattern[alternative], as: UTF8.self)
                            if let inner = fixedOffset(of: keyword, in: text, caseInsensitive: caseInsensitive) {
                                return width + inner
                            }
                        }
                    }
                }
                index = next
                continue
            case UInt8(ascii: "^"):
                index += 1
                continue
            case UInt8(ascii: "|"), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "$"):
                return nil
            case UInt8(ascii: "\\"):
                guard index + 1 < pattern.count else { return nil }
                let escaped = pattern[index + 1]
                if [UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "G")].contains(escaped) {
                    index += 2
                    continue
                }
                // \d \w \s \x.. and escaped punctuation are one byte wide in non-UTF mode;
                // \Q, \p, \k and the like are not understood here.
                if escaped == UInt8(ascii: "x") || escaped == UInt8(ascii: "p") || escaped == UInt8(ascii: "P")
                    || escaped == UInt8(ascii: "Q") || escaped == UInt8(ascii: "k") || escaped == UInt8(ascii: "R")
                    || escaped == UInt8(ascii: "X") || escaped == UInt8(ascii: "K") {
                    return nil
                }
                index += 2
            case UInt8(ascii: "["):
                guard let end = classEnd(pattern, at: index) else { return nil }
                index = end
            default:
                index += 1
            }
            guard let (count, next) = quantifier(pattern, at: index) else { return nil }
            width += count
            index = next
        }
        return nil
    }

    /// Does the keyword appear here as plain literal characters (no quantifiers on them)?
    private static func literalMatch(_ key: [UInt8], in pattern: [UInt8], at start: Int, caseInsensitive: Bool) -> Bool {
        var index = start
        for expected in key {
            guard index < pattern.count else { return false }
            var byte = pattern[index]
            let isEscape = byte == UInt8(ascii: "\\")
            if isEscape {
                guard index + 1 < pattern.count else { return false }
                byte = pattern[index + 1]
                let isLetterOrDigit = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || (byte >= 0x30 && byte <= 0x39)
                if isLetterOrDigit { return false }
            }
            // Compared first: almost every position differs at once, and most of this
            // function's cost was the metacharacter test.
            guard caseInsensitive ? lower(byte) == lower(expected) : byte == expected else { return false }
            if !isEscape && isMetacharacter(byte) { return false }
            index += isEscape ? 2 : 1
        }
        // The last literal must not be quantified.
        if index < pattern.count, isQuantifierStart(pattern[index]) { return false }
        return true
    }

    private static func isMetacharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "|"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "."), UInt8(ascii: "^"),
             UInt8(ascii: "$"):
            true
        default: false
        }
    }

    private static func isQuantifierStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "*") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "{")
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Skips a zero-width group whole (lookaround, inline flags) or steps into a capturing or
    /// non-capturing group. Returns nil for anything else (atomic groups, conditionals…).
    private static func skipGroupOpening(_ pattern: [UInt8], at index: Int) -> Int? {
        let rest = pattern[index...]
        func starts(with text: String) -> Bool { rest.starts(with: text.utf8) }
        if starts(with: "(?<=") || starts(with: "(?<!") || starts(with: "(?=") || starts(with: "(?!") {
            return groupEnd(pattern, at: index)
        }
        if starts(with: "(?:") { return index + 3 }
        if starts(with: "(?<") || starts(with: "(?P<") || starts(with: "(?'") {
            var cursor = index + 3
            while cursor < pattern.count, pattern[cursor] != UInt8(ascii: ">"), pattern[cursor] != UInt8(ascii: "'") {
                cursor += 1
            }
            return cursor < pattern.count ? cursor + 1 : nil
        }
        if starts(with: "(?") {
            // Inline flags such as (?i) or (?x-s): zero width. A scoped (?i:…) steps into the group.
            var cursor = index + 2
            while cursor < pattern.count, pattern[cursor] != UInt8(ascii: ")"), pattern[cursor] != UInt8(ascii: ":") {
                let byte = pattern[cursor]
                guard (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "^") else { return nil }
                cursor += 1
            }
            return cursor < pattern.count ? cursor + 1 : nil
        }
        if rest.count > 1, pattern[index + 1] != UInt8(ascii: "*") { return index + 1 }
        return nil
    }

    /// The ranges of the alternatives separated by `|` at the top level of `range`.
    private static func topLevelAlternatives(_ pattern: [UInt8], in range: Range<Int>) -> [Range<Int>] {
        var alternatives: [Range<Int>] = []
        var depth = 0
        var start = range.lowerBound
        var cursor = range.lowerBound
        while cursor < range.upperBound {
            switch pattern[cursor] {
            case UInt8(ascii: "\\"): cursor += 1
            case UInt8(ascii: "["):
                guard let end = classEnd(pattern, at: cursor) else { return [range] }
                cursor = end - 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            case UInt8(ascii: "|") where depth == 0:
                alternatives.append(start..<cursor)
                start = cursor + 1
            default: break
            }
            cursor += 1
        }
        alternatives.append(start..<range.upperBound)
        return alternatives
    }

    /// The index after the `)` that closes the group opened at `index`.
    private static func groupEnd(_ pattern: [UInt8], at index: Int) -> Int? {
        var depth = 0
        var cursor = index
        while cursor < pattern.count {
            switch pattern[cursor] {
            case UInt8(ascii: "\\"): cursor += 1
            case UInt8(ascii: "["):
                guard let end = classEnd(pattern, at: cursor) else { return nil }
                cursor = end - 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return cursor + 1 }
            default: break
            }
            cursor += 1
        }
        return nil
    }

    /// The index after the `]` that closes the class opened at `index`.
    private static func classEnd(_ pattern: [UInt8], at index: Int) -> Int? {
        var cursor = index + 1
        if cursor < pattern.count, pattern[cursor] == UInt8(ascii: "^") { cursor += 1 }
        if cursor < pattern.count, pattern[cursor] == UInt8(ascii: "]") { cursor += 1 }
        while cursor < pattern.count {
            switch pattern[cursor] {
            case UInt8(ascii: "\\"): cursor += 2
            case UInt8(ascii: "["):
                // POSIX classes such as [:alpha:]
                if cursor + 1 < pattern.count, pattern[cursor + 1] == UInt8(ascii: ":") {
                    guard let close = pattern[(cursor + 2)...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
                    cursor = close + 1
                } else {
                    cursor += 1
                }
            case UInt8(ascii: "]"): return cursor + 1
            default: cursor += 1
            }
        }
        return nil
    }

    /// The repeat count after an atom: none → 1, `{n}` → n; nil for a variable quantifier.
    private static func quantifier(_ pattern: [UInt8], at index: Int) -> (Int, Int)? {
        guard index < pattern.count else { return (1, index) }
        switch pattern[index] {
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"): return nil
        case UInt8(ascii: "{"):
            var cursor = index + 1
            var value = 0
            var digits = 0
            while cursor < pattern.count, pattern[cursor] >= 0x30, pattern[cursor] <= 0x39 {
                // A count past any input (a rule file can say `{99999999999999999999}`) is not
                // fixed-width for this purpose; multiplying it further would trap.
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow, times10 <= Int(Int32.max) else { return nil }
                value = times10 + Int(pattern[cursor] - 0x30)
                cursor += 1
                digits += 1
            }
            guard digits > 0, cursor < pattern.count, pattern[cursor] == UInt8(ascii: "}") else { return nil }
            cursor += 1
            // A possessive or lazy suffix on a fixed count changes nothing.
            if cursor < pattern.count, pattern[cursor] == UInt8(ascii: "+") || pattern[cursor] == UInt8(ascii: "?") {
                cursor += 1
            }
            return (value, cursor)
        default:
            return (1, index)
        }
    }
}
