#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPCRE2

/// A keyword found in the input: which keyword and where it starts.
struct KeywordHit: Sendable, Equatable {
    let keyword: Int
    let position: Int
}

/// Finds every occurrence of every rule keyword in one pass over the input, whatever the number
/// of rules, so a rule's regex only runs where its keyword occurs.
///
/// Two strategies, chosen by the keyword set:
/// - a few case-sensitive keywords: one `memmem` pass each (glibc's SIMD search);
/// - otherwise a pair table: a 64 Ki-bit map (8 KiB, so it stays in L1) says whether the two
///   bytes at a position may belong to a keyword, and only then are the keywords of that pair
///   compared. When every keyword has three bytes or more, only every second position is looked
///   at: an occurrence covers an even position with a pair at an even offset of the keyword if it
///   starts at an even position, else with one at an odd offset. So the table holds, per keyword,
///   its rarest pair at an even offset and its rarest at an odd one (`_test_` is looked for by
///   `_t` and `t_`, not by `te` and `st`, which source code is full of), each with its offset.
///   That halves the loop, which is most of a scan's time with all rules on.
struct KeywordPrefilter: Sendable {
    struct Keyword: Sendable, Hashable {
        let bytes: [UInt8]
        let caseInsensitive: Bool

        /// The bytes hashed in one call: the synthesized hash fed them one by one, for thousands
        /// of keywords and encoded forms at every start.
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            hasher.combine(caseInsensitive)
        }
    }

    let keywords: [Keyword]
    private let usesMemmem: Bool
    /// 1,024 words of 64 bits: bit `b0 | b1 << 8` is set when a keyword starts with bytes b0 b1.
    private let pairBits: [UInt64]
    /// For each set pair, the keywords to compare: `pairEntries[pairStart[pair]..<pairStart[pair + 1]]`.
    private let pairStart: [Int32]
    private let pairEntries: [PairEntry]
    /// Every second position is looked at (all keywords have at least three bytes).
    private let strideTwo: Bool
    /// Every keyword's bytes end to end (case-insensitive ones in lower case): compared without
    /// copying a `Keyword` (and its array) per look.
    private let flatBytes: [UInt8]

    /// A keyword entered under one of its pairs, with what the comparison needs at hand. The
    /// pair's two bytes are known to match; `probe` is another byte of the keyword (its first, or
    /// its third when the pair opens it), checked before anything else: most looks end there,
    /// and for a three-byte keyword it completes the match.
    private struct PairEntry {
        let keyword: Int32
        /// Where the keyword's bytes start in `flatBytes`.
        let from: Int32
        let length: Int32
        /// The pair's offset in the keyword.
        let offset: UInt8
        let probeOffset: UInt8
        /// In lower case when `folds`.
        let probe: UInt8
        let folds: Bool
    }

    /// Up to this many case-sensitive keywords are searched with one `memmem` pass each.
    static let memmemLimit = 4

    init(keywords: [Keyword]) {
        self.keywords = keywords
        usesMemmem = keywords.count <= Self.memmemLimit && keywords.allSatisfy { !$0.caseInsensitive }
        var bits = [UInt64](repeating: 0, count: 1024)
        // (pair, keyword) entries placed by a counting sort: building 65,536 small arrays instead
        // was an eighth of start-up, which the pre-commit hook pays on every commit.
        let strideTwo = keywords.allSatisfy { $0.bytes.count >= 3 }
        self.strideTwo = strideTwo
        var bytes: [UInt8] = []
        var byteStarts: [Int] = [0]
        for keyword in keywords {
            bytes += keyword.caseInsensitive ? keyword.bytes.map(Self.lower) : keyword.bytes
            byteStarts.append(bytes.count)
        }
        var entries: [(pair: Int, entry: PairEntry)] = []
        entries.reserveCapacity(keywords.count * 4)
        var pairs: [Int] = []
        func enter(_ keyword: Keyword, _ index: Int, at offset: Int) {
            let from = byteStarts[index], length = byteStarts[index + 1] - from
            let probeOffset = length <= 2 ? 0 : (offset == 0 ? 2 : 0)
            let entry = PairEntry(
                keyword: Int32(index), from: Int32(from), length: Int32(length), offset: UInt8(offset),
                probeOffset: UInt8(probeOffset), probe: bytes[from + probeOffset], folds: keyword.caseInsensitive
            )
            // Up to four pairs (case variants), deduplicated by hand: a `Set` per keyword cost
            // more than the rest of the table.
            pairs.removeAll(keepingCapacity: true)
            Self.appendPairs(of: keyword, at: offset, to: &pairs)
            for (position, pair) in pairs.enumerated() where !pairs[..<position].contains(pair) {
                bits[pair >> 6] |= 1 << UInt64(pair & 63)
                entries.append((pair, entry))
            }
        }
        for (index, keyword) in keywords.enumerated() {
            if strideTwo {
                let (even, odd) = Self.rarestOffsets(of: keyword)
                enter(keyword, index, at: even)
                enter(keyword, index, at: odd)
            } else {
                enter(keyword, index, at: 0)
            }
        }
        // starts[pair] counts, then (prefix sums) ends, then — entries placed from the last,
        // each one slot lower — starts again: `pairStart[pair]..<pairStart[pair + 1]`.
        var starts = [Int32](repeating: 0, count: 65537)
        for item in entries { starts[item.pair] += 1 }
        for pair in 1..<65536 { starts[pair] += starts[pair - 1] }
        starts[65536] = Int32(entries.count)
        var placed = entries.map(\.entry)
        for item in entries.reversed() {
            starts[item.pair] -= 1
            placed[Int(starts[item.pair])] = item.entry
        }
        pairBits = bits
        pairStart = starts
        pairEntries = placed
        flatBytes = bytes
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// How common a byte is in source code and prose, roughly: frequent lower-case letters most,
    /// then other lower-case letters, separators and spaces; upper case, digits and other
    /// punctuation least. Only the order matters.
    private static func commonness(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"),
             UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "h"), UInt8(ascii: "l"):
            return 5
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: " "): return 4
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), 0x0A: return 3
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return 2
        default: return 1
        }
    }

    private static func isCapital(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    /// `commonness` of every byte value, and of its lower case, looked up instead of computed:
    /// thousands of keywords (with their encoded forms) are scored at every start.
    private static let commonnessOf: [Int8] = (0..<256).map { Int8(commonness(UInt8($0))) }
    private static let commonnessOfLower: [Int8] = (0..<256).map { Int8(commonness(lower(UInt8($0)))) }

    /// The offsets (below 256) of the keyword's rarest pair at an even offset and at an odd one.
    private static func rarestOffsets(of keyword: Keyword) -> (even: Int, odd: Int) {
        let last = min(keyword.bytes.count - 2, 255)
        let table = keyword.caseInsensitive ? commonnessOfLower : commonnessOf
        return keyword.bytes.withUnsafeBufferPointer { bytes in
            table.withUnsafeBufferPointer { table in
                var best = (even: (offset: 0, score: Int.max), odd: (offset: 1, score: Int.max))
                for offset in 0...last {
                    let first = bytes[offset], second = bytes[offset + 1]
                    var score = Int(table[Int(first)]) + Int(table[Int(second)])
                    if keyword.caseInsensitive {
                        score += 2
                    } else if isCapital(first) && isCapital(second) {
                        // Two capitals in a row are common (constants, macros: `ERROR`, `AGAIN`),
                        // though each capital is rare: base64 forms of UTF-16 text (`aABmAF8A`)
                        // would otherwise be looked for by such pairs.
                        score += 6
                    }
                    if offset & 1 == 0 {
                        if score < best.even.score { best.even = (offset, score) }
                    } else if score < best.odd.score {
                        best.odd = (offset, score)
                    }
                }
                return (best.even.offset, best.odd.offset)
            }
        }
    }

    /// Appends the keyword's two bytes at `offset` as table indexes (`b0 | b1 << 8`): one, or up
    /// to four for a case-insensitive keyword.
    private static func appendPairs(of keyword: Keyword, at offset: Int, to pairs: inout [Int]) {
        let first = keyword.bytes[offset], second = keyword.bytes[offset + 1]
        guard keyword.caseInsensitive else {
            pairs.append(Int(first) | Int(second) << 8)
            return
        }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        for a in isLetter(first) ? [first | 0x20, first & ~0x20] : [first] {
            for b in isLetter(second) ? [second | 0x20, second & ~0x20] : [second] {
                pairs.append(Int(a) | Int(b) << 8)
            }
        }
    }

    /// Appends the hits in `buffer` to `hits`, sorted by position.
    func collectHits(in buffer: UnsafeRawBufferPointer, into hits: inout [KeywordHit]) {
        guard let base = buffer.baseAddress, buffer.count >= 2 else { return }
        let first = hits.count
        if usesMemmem {
            for (index, keyword) in keywords.enumerated() {
                keyword.bytes.withUnsafeBytes { needle in
                    var offset = 0
                    while offset < buffer.count,
                          let found = memmem(base + offset, buffer.count - offset, needle.baseAddress, needle.count) {
                        let position = base.distance(to: UnsafeRawPointer(found))
                        hits.append(KeywordHit(keyword: index, position: position))
                        offset = position + 1
                    }
                }
            }
            if keywords.count > 1 {
                hits[first...].sort { $0.position < $1.position }
            }
            return
        }
        pairBits.withUnsafeBufferPointer { bits in
            let count = buffer.count
            let step = strideTwo ? 2 : 1
            var index = 0
            while index < count - 1 {
                let pair = Int((base + index).loadUnaligned(as: UInt16.self).littleEndian)
                if bits[pair >> 6] & (1 << UInt64(pair & 63)) != 0 {
                    compareKeywords(withPair: pair, at: index, in: buffer, into: &hits)
                }
                index += step
            }
        }
        // With stride 2 one look can find several starts in any order: settle it.
        if strideTwo && hits.count - first > 1 {
            var sorted = true
            for index in (first + 1)..<hits.count where hits[index - 1].position > hits[index].position {
                sorted = false
                break
            }
            if !sorted { hits[first...].sort { ($0.position, $0.keyword) < ($1.position, $1.keyword) } }
        }
    }

    /// Out of line, so the loop above stays small: most positions never come here.
    @inline(never)
    private func compareKeywords(withPair pair: Int, at position: Int, in buffer: UnsafeRawBufferPointer, into hits: inout [KeywordHit]) {
        let input = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let count = buffer.count
        let range = Int(pairStart[pair])..<Int(pairStart[pair + 1])
        pairEntries.withUnsafeBufferPointer { entries in
            flatBytes.withUnsafeBufferPointer { flatBytes in
                for slot in range {
                    let entry = entries[slot]
                    // An occurrence is seen once: through its even-offset pair when it starts at
                    // an even position, through its odd-offset pair when at an odd one.
                    let start = position - Int(entry.offset)
                    let length = Int(entry.length)
                    guard start >= 0, start + length <= count else { continue }
                    let probe = input[start + Int(entry.probeOffset)]
                    guard (entry.folds ? Self.lower(probe) : probe) == entry.probe else { continue }
                    if length > 3 || entry.folds {
                        let expected = flatBytes.baseAddress! + Int(entry.from)
                        if entry.folds {
                            var same = true
                            for offset in 0..<length where Self.lower(input[start + offset]) != expected[offset] {
                                same = false
                                break
                            }
                            if !same { continue }
                        } else if memcmp(input + start, expected, length) != 0 {
                            continue
                        }
                    }
                    hits.append(KeywordHit(keyword: Int(entry.keyword), position: start))
                }
            }
        }
    }
}
