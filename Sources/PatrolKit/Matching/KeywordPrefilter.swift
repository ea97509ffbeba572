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
/// - otherwise a pair table: a 64 Ki-bit map says whether any keyword starts with the two bytes
///   at a position (8 KiB, so it stays in L1), and only then are the keywords of that pair compared.
struct KeywordPrefilter: Sendable {
    struct Keyword: Sendable, Hashable {
        let bytes: [UInt8]
        let caseInsensitive: Bool
    }

    let keywords: [Keyword]
    private let usesMemmem: Bool
    /// 1,024 words of 64 bits: bit `b0 | b1 << 8` is set when a keyword starts with bytes b0 b1.
    private let pairBits: [UInt64]
    /// For each set pair, the keywords to compare: `pairKeywords[pairStart[pair]..<pairStart[pair + 1]]`.
    private let pairStart: [Int32]
    private let pairKeywords: [Int32]
    /// Every keyword's bytes, one after another (lowercased for case-insensitive ones), so the
    /// comparison after a pair hit reads plain bytes instead of copying a `Keyword` (an array
    /// and its reference count) per candidate.
    private let flatBytes: [UInt8]
    /// `flatBytes[flatStart[k]..<flatStart[k + 1]]` is keyword k.
    private let flatStart: [Int32]
    private let foldsCase: [Bool]

    /// Up to this many case-sensitive keywords are searched with one `memmem` pass each.
    static let memmemLimit = 4

    init(keywords: [Keyword]) {
        self.keywords = keywords
        usesMemmem = keywords.count <= Self.memmemLimit && keywords.allSatisfy { !$0.caseInsensitive }
        var bits = [UInt64](repeating: 0, count: 1024)
        var lists = [[Int32]](repeating: [], count: 65536)
        for (index, keyword) in keywords.enumerated() {
            for pair in Self.pairs(of: keyword) {
                bits[pair >> 6] |= 1 << UInt64(pair & 63)
                lists[pair].append(Int32(index))
            }
        }
        var starts = [Int32](repeating: 0, count: 65537)
        var flat: [Int32] = []
        for pair in 0..<65536 {
            starts[pair] = Int32(flat.count)
            flat.append(contentsOf: lists[pair])
        }
        starts[65536] = Int32(flat.count)
        pairBits = bits
        pairStart = starts
        pairKeywords = flat
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        for keyword in keywords {
            bytes += keyword.caseInsensitive ? keyword.bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } : keyword.bytes
            offsets.append(Int32(bytes.count))
        }
        flatBytes = bytes
        flatStart = offsets
        foldsCase = keywords.map(\.caseInsensitive)
    }

    /// Every two-byte start of `keyword` as a table index (`b0 | b1 << 8`): one, or up to four
    /// for a case-insensitive keyword.
    private static func pairs(of keyword: Keyword) -> [Int] {
        func variants(_ byte: UInt8) -> [UInt8] {
            guard keyword.caseInsensitive else { return [byte] }
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lower >= 0x61 && lower <= 0x7A { return [lower, lower & ~0x20] }
            return [byte]
        }
        var result: [Int] = []
        for first in variants(keyword.bytes[0]) {
            for second in variants(keyword.bytes[1]) {
                result.append(Int(first) | Int(second) << 8)
            }
        }
        return result
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
            var index = 0
            while index < count - 1 {
                let pair = Int((base + index).loadUnaligned(as: UInt16.self).littleEndian)
                if bits[pair >> 6] & (1 << UInt64(pair & 63)) != 0 {
                    compareKeywords(startingWith: pair, at: index, in: buffer, into: &hits)
                }
                index += 1
            }
        }
    }

    private func compareKeywords(startingWith pair: Int, at position: Int, in buffer: UnsafeRawBufferPointer, into hits: inout [KeywordHit]) {
        let count = buffer.count
        flatBytes.withUnsafeBufferPointer { bytes in
            flatStart.withUnsafeBufferPointer { starts in
                pairKeywords.withUnsafeBufferPointer { slots in
                    for slot in Int(pairStart[pair])..<Int(pairStart[pair + 1]) {
                        let index = Int(slots[slot])
                        let start = Int(starts[index]), length = Int(starts[index + 1]) - start
                        guard position + length <= count else { continue }
                        var equal = true
                        if foldsCase[index] {
                            for offset in 0..<length {
                                var byte = buffer[position + offset]
                                if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                                if byte != bytes[start + offset] {
                                    equal = false
                                    break
                                }
                            }
                        } else {
                            for offset in 0..<length where buffer[position + offset] != bytes[start + offset] {
                                equal = false
                                break
                            }
                        }
                        if equal { hits.append(KeywordHit(keyword: index, position: position)) }
                    }
                }
            }
        }
    }
}
