/// Low-confidence rules of a provider (AWS's lone access key id) yield to that provider's other
/// rules: a match within `yieldDistance` bytes of one of theirs is part of the credential they
/// report already (the key id of a key pair), so only a lone one is reported.
extension BufferMatcher {
    /// How near a provider's other match must be: the AWS pair rule looks 300 bytes either way.
    static let yieldDistance = 320

    /// Removes the matches of yielding rules near a match of another rule of their provider.
    func dropYieldingMatches(from first: Int, in results: inout [RawMatch]) {
        var yielding: Set<Int> = []   // providers with a yielding match here
        for match in results[first...] where yieldsToProvider[match.rule] { yielding.insert(providerIndex[match.rule]) }
        guard !yielding.isEmpty else { return }
        var spans: [Int: [Range<Int>]] = [:]
        for match in results[first...] where !yieldsToProvider[match.rule] && yielding.contains(providerIndex[match.rule]) {
            spans[providerIndex[match.rule], default: []].append(
                max(0, min(match.start, match.secretStart) - Self.yieldDistance)..<(max(match.end, match.secretEnd) + Self.yieldDistance))
        }
        guard !spans.isEmpty else { return }
        let indexes = spans.mapValues(SpanIndex.init)
        var kept: [RawMatch] = []
        kept.reserveCapacity(results.count - first)
        for match in results[first...] {
            if yieldsToProvider[match.rule], let index = indexes[providerIndex[match.rule]],
               index.overlaps(match.secretStart..<match.secretEnd) { continue }
            kept.append(match)
        }
        results.replaceSubrange(first..., with: kept)
    }
}

/// Spans sorted by start with the furthest end reached so far: whether a span overlaps any of
/// them is a binary search.
struct SpanIndex {
    private let spans: [Range<Int>]
    private let furthestEnd: [Int]

    init(_ spans: [Range<Int>]) {
        self.spans = spans.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var ends: [Int] = []
        ends.reserveCapacity(self.spans.count)
        for span in self.spans { ends.append(max(ends.last ?? Int.min, span.upperBound)) }
        furthestEnd = ends
    }

    func overlaps(_ span: Range<Int>) -> Bool {
        guard !span.isEmpty else { return false }
        var low = 0, high = spans.count   // the first span starting at or after span's end
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].lowerBound < span.upperBound { low = middle + 1 } else { high = middle }
        }
        return low > 0 && furthestEnd[low - 1] > span.lowerBound
    }
}
