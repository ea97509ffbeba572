#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPCRE2

/// The rules' allow lists, as `BufferMatcher.record` runs them on a candidate secret.
///
/// A pattern that is a plain word — letters, digits, `_` and `-`, after at most a `^` and a
/// `(?i)` (`EXAMPLE`, `(?i)example`, `^AKIAIOSFODNN7`) — is a substring or prefix test, done
/// without a PCRE2 call: PCRE2 gives the same answer, as it matches bytes (8-bit, not UTF), and
/// `(?i)` there folds ASCII letters only. On a file with an AWS key pair on every line, the
/// two AWS rules' allow lists were half of all match calls. The checks are plain values in
/// flat arrays, so running them retains nothing.
struct AllowLists {
    /// One allow pattern: a word in `words`, or the pattern at `pattern` in `patterns`.
    struct Check {
        let from: Int32
        let length: Int32
        /// -1 for a word.
        let pattern: Int32
        let atStart: Bool
        let foldsCase: Bool
    }

    /// Per rule, its checks in `checks`, in the order of its allow list.
    private let ranges: [Range<Int>]
    private let checks: [Check]
    /// The words end to end, in lower case where they fold case.
    private let words: [UInt8]
    let patterns: [PCRE2Pattern]

    /// `sources[rule]` are the rule's allow patterns and `compiled[rule]` the same compiled.
    init(sources: [[String]], compiled: [[PCRE2Pattern]]) {
        var ranges: [Range<Int>] = [], checks: [Check] = [], words: [UInt8] = [], patterns: [PCRE2Pattern] = []
        for (rule, list) in sources.enumerated() {
            let first = checks.count
            for (source, pattern) in zip(list, compiled[rule]) {
                if let word = Self.word(source) {
                    let bytes = word.foldsCase ? word.bytes.map(Self.lower) : word.bytes
                    checks.append(Check(from: Int32(words.count), length: Int32(bytes.count), pattern: -1, atStart: word.atStart, foldsCase: word.foldsCase))
                    words += bytes
                } else {
                    checks.append(Check(from: 0, length: 0, pattern: Int32(patterns.count), atStart: false, foldsCase: false))
                    patterns.append(pattern)
                }
            }
            ranges.append(first..<checks.count)
        }
        self.ranges = ranges
        self.checks = checks
        self.words = words
        self.patterns = patterns
    }

    /// The word `source` stands for, if it is one.
    static func word(_ source: String) -> (bytes: [UInt8], atStart: Bool, foldsCase: Bool)? {
        var rest = Substring(source)
        var atStart = false, foldsCase = false
        if rest.hasPrefix("^") { atStart = true; rest = rest.dropFirst() }
        if rest.hasPrefix("(?i)") { foldsCase = true; rest = rest.dropFirst(4) }
        if !atStart, rest.hasPrefix("^") { atStart = true; rest = rest.dropFirst() }
        let bytes = Array(rest.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy(isWordByte) else { return nil }
        return (bytes, atStart, foldsCase)
    }

    func isEmpty(rule: Int) -> Bool { ranges[rule].isEmpty }

    /// Runs the rule's checks in order on `secret`: true as soon as one allows it. `pattern`
    /// runs a check that is a pattern (a PCRE2 call, whose budget the caller accounts for).
    @inline(__always)
    func allows(_ secret: UnsafeRawBufferPointer, rule: Int, pattern: (PCRE2Pattern) -> Bool) -> Bool {
        let range = ranges[rule]
        guard !range.isEmpty else { return false }
        return checks.withUnsafeBufferPointer { checks in
            words.withUnsafeBufferPointer { words in
                for index in range {
                    let check = checks[index]
                    if check.pattern >= 0 {
                        if pattern(patterns[Int(check.pattern)]) { return true }
                    } else if Self.wordOccurs(
                        UnsafeBufferPointer(rebasing: words[Int(check.from)..<Int(check.from + check.length)]),
                        in: secret, atStart: check.atStart, foldsCase: check.foldsCase) {
                        return true
                    }
                }
                return false
            }
        }
    }

    /// Whether `word` (in lower case when `foldsCase`) occurs in `secret`, at its start when
    /// `atStart`.
    static func wordOccurs(_ word: UnsafeBufferPointer<UInt8>, in secret: UnsafeRawBufferPointer, atStart: Bool, foldsCase: Bool) -> Bool {
        guard let base = secret.baseAddress, let needle = word.baseAddress, word.count <= secret.count else { return false }
        if !foldsCase {
            if atStart { return memcmp(base, needle, word.count) == 0 }
            return memmem(base, secret.count, needle, word.count) != nil
        }
        let last = atStart ? 0 : secret.count - word.count
        var start = 0
        while start <= last {
            var same = true
            for offset in 0..<word.count where lower(secret[start + offset]) != word[offset] {
                same = false
                break
            }
            if same { return true }
            start += 1
        }
        return false
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
