import Testing
@testable import PatrolKit

/// The matcher's shortcuts give the answers of the slow paths they replace: allow-list words
/// without PCRE2, the yielding spans' galloping search, the obvious-fake quick test, and the
/// in-place removal of matches.
@Suite struct MatchingFastPathTests {
    private static let allowSources = [
        "EXAMPLE", "(?i)example", "^AKIAIOSFODNN7", "^(?i)ab_c-9", "(?i)^Zz", "^pscale_pw_",
        "ex.mple", "x{3}", "(?i)ex[a]mple", "^.{4}AIoT",
    ]

    @Test func onlyPlainWordsSkipPCRE2() {
        let words = Self.allowSources.filter { AllowLists.word($0) != nil }
        #expect(words == ["EXAMPLE", "(?i)example", "^AKIAIOSFODNN7", "^(?i)ab_c-9", "(?i)^Zz", "^pscale_pw_"])
        let word = AllowLists.word("(?i)^Zz")
        #expect(word?.bytes == Array("Zz".utf8) && word?.atStart == true && word?.foldsCase == true)
    }

    /// A word of the allow list, with letters flipped in case, one byte changed, and bytes
    /// around it (some above 0x7F, which PCRE2's `(?i)` must not fold either).
    private func candidate(_ rng: inout SeededGenerator) -> [UInt8] {
        let words = ["example", "akiaiosfodnn7", "ab_c-9", "zz", "pscale_pw_"]
        let around: [UInt8] = Array("eExXaA_-9zZ.".utf8) + [0xC9, 0xE9, 0x80, 0xFF]
        var bytes = Array(words.randomElement(using: &rng)!.utf8)
        for index in bytes.indices where Bool.random(using: &rng) { bytes[index] = bytes[index] ^ (bytes[index] >= 0x61 ? 0x20 : 0) }
        if Int.random(in: 0..<4, using: &rng) == 0 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = around.randomElement(using: &rng)! }
        let prefix = (0..<Int.random(in: 0...3, using: &rng)).map { _ in around.randomElement(using: &rng)! }
        let suffix = (0..<Int.random(in: 0...3, using: &rng)).map { _ in around.randomElement(using: &rng)! }
        return prefix + bytes + suffix
    }

    @Test func allowWordsAnswerAsPCRE2Does() throws {
        let compiled = try Self.allowSources.map { try PCRE2Pattern($0) }
        let lists = AllowLists(sources: Self.allowSources.map { [$0] }, compiled: compiled.map { [$0] })
        let scratch = MatchScratch()
        var rng = SeededGenerator(seed: 29)
        var allowed = 0, refused = 0
        for _ in 0..<4000 {
            let secret = candidate(&rng)
            secret.withUnsafeBytes { bytes in
                for rule in Self.allowSources.indices {
                    let expected = compiled[rule].match(bytes, from: 0, scratch: scratch) != nil
                    let fast = lists.allows(bytes, rule: rule) { $0.match(bytes, from: 0, scratch: scratch) != nil }
                    #expect(fast == expected, "\(Self.allowSources[rule]) on \(secret)")
                    if expected { allowed += 1 } else { refused += 1 }
                }
            }
        }
        #expect(allowed > 1000 && refused > 1000, "both answers are tried: \(allowed) allowed, \(refused) refused")
    }

    @Test func aRuleWithSeveralAllowPatternsAllowsWhenAnyDoes() throws {
        let sources = [["EXAMPLE", "^AKIAIOSFODNN7"], [], ["x{3}", "(?i)test"]]
        let lists = AllowLists(sources: sources, compiled: try sources.map { try $0.map { try PCRE2Pattern($0) } })
        let scratch = MatchScratch()
        func allows(_ text: String, _ rule: Int) -> Bool {
            Array(text.utf8).withUnsafeBytes { bytes in lists.allows(bytes, rule: rule) { $0.match(bytes, from: 0, scratch: scratch) != nil } }
        }
        #expect(allows("AKIAIOSFODNN7ABCDEFG", 0))
        #expect(allows("ABCEXAMPLE", 0))
        #expect(!allows("ABCEXAMPL", 0))
        #expect(!allows("EXAMPLE", 1))
        #expect(lists.isEmpty(rule: 1))
        #expect(allows("abxxx", 2))
        #expect(allows("a-TeSt", 2))
        #expect(!allows("a-TeS", 2))
    }

    @Test func spanIndexAgreesWithComparingEverySpan() {
        var rng = SeededGenerator(seed: 61)
        for round in 0..<300 {
            let spans: [Range<Int>] = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                let start = Int.random(in: 0...600, using: &rng)
                return start..<(start + Int.random(in: 0...50, using: &rng))
            }
            var queries: [Range<Int>] = (0..<100).map { _ in
                let start = Int.random(in: 0...650, using: &rng)
                return start..<(start + Int.random(in: 0...30, using: &rng))
            }
            // In order of end (the common case), shuffled, or in order with steps back.
            switch round % 3 {
            case 0: queries.sort { $0.upperBound < $1.upperBound }
            case 1: break
            default:
                queries.sort { $0.upperBound < $1.upperBound }
                for index in stride(from: 5, to: queries.count, by: 7) { queries.swapAt(index, index - 5) }
            }
            var index = SpanIndex(spans)
            for query in queries {
                let expected = !query.isEmpty && spans.contains { !$0.isEmpty && $0.overlaps(query) }
                #expect(index.overlaps(query) == expected, "\(query) against \(spans)")
            }
        }
    }

    /// `ObviousFake.isFake` as it read before its quick test: every byte compared.
    private func hasRun(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8, bytes.count <= 160 else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        var ascending = 1, same = 1
        for index in 1..<bytes.count {
            let byte = bytes[index], previous = bytes[index - 1]
            let follows: Bool
            switch previous {
            case 0x30..<0x39, 0x61..<0x7A, 0x41..<0x5A: follows = byte == previous + 1
            case 0x39: follows = byte == 0x61 || byte == 0x41
            default: follows = false
            }
            ascending = follows ? ascending + 1 : 1
            same = byte == previous && isAlphanumeric(byte) && byte != 0x41 ? same + 1 : 1
            if ascending >= 8 || same >= 8 { return true }
        }
        return false
    }

    @Test func obviousFakeQuickTestKeepsEveryAnswer() {
        var rng = SeededGenerator(seed: 83)
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=_-:".utf8) + [0x7F, 0xFF, 0x00]
        var fakes = 0, kept = 0
        for _ in 0..<6000 {
            // Segments in sequence, repeated, or random, so that runs of every length occur.
            var bytes: [UInt8] = []
            while bytes.count < Int.random(in: 4...170, using: &rng) {
                var byte = alphabet.randomElement(using: &rng)!
                let length = Int.random(in: 1...10, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0:
                    for _ in 0..<length {
                        bytes.append(byte)
                        byte = byte == 0x39 ? (Bool.random(using: &rng) ? 0x61 : 0x41) : byte &+ 1
                    }
                case 1: bytes += Array(repeating: byte, count: length)
                default: bytes += (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
                }
            }
            let expected = hasRun(bytes)
            #expect(bytes.withUnsafeBytes(ObviousFake.isFake) == expected, "\(bytes)")
            if expected { fakes += 1 } else { kept += 1 }
        }
        #expect(fakes > 500 && kept > 500, "both answers are tried: \(fakes) fakes, \(kept) kept")
    }

    @Test func keepingMatchesMovesTheKeptOnesDownInOrder() {
        func match(_ rule: Int, _ start: Int) -> RawMatch {
            RawMatch(rule: rule, start: start, end: start + 4, secretStart: start, secretEnd: start + 4, validated: nil)
        }
        var matches = (0..<10).map { match($0 % 3, $0 * 10) }
        matches.keepMatches(from: 2) { $0.rule != 1 }
        #expect(matches.map(\.start) == [0, 10, 20, 30, 50, 60, 80, 90])
        matches.keepMatches(from: 8) { _ in false }
        #expect(matches.count == 8)
        matches.keepMatches(from: 0) { $0.start >= 50 }
        #expect(matches.map(\.start) == [50, 60, 80, 90])
    }
}
