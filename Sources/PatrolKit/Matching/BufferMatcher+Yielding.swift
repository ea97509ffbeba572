/// Low-confidence rules of a provider (AWS's lone access key id) yield to that provider's other
/// rules: a match within `yieldDistance` bytes of one of theirs is part of the credential they
/// report already (the key id of a key pair), so only a lone one is reported.
extension BufferMatcher {
    /// How near a provider's other match must be: the AWS pair rule looks 300 bytes either way.
    static let yieldDistance = 320

    /// Removes the matches of yielding rules near a match of another rule of their provider.
    func dropYieldingMatches(from first: Int, in results: inout [RawMatch]) {
        // The providers with a yielding match here (usually one: AWS), each given a slot in
        // `yieldSlot` for the spans of its other rules' matches.
        var providers: [Int] = []
        defer { for provider in providers { yieldSlot[provider] = -1 } }
        for index in first..<results.count where yieldsToProvider[results[index].rule] {
            let provider = providerIndex[results[index].rule]
            if yieldSlot[provider] < 0 {
                yieldSlot[provider] = providers.count
                providers.append(provider)
            }
        }
        guard !providers.isEmpty else { return }
        var spans = [[Range<Int>]](repeating: [], count: providers.count)
        var anySpan = false
        for index in first..<results.count where !yieldsToProvider[results[index].rule] {
            let slot = yieldSlot[providerIndex[results[index].rule]]
            guard slot >= 0 else { continue }
            let match = results[index]
            spans[slot].append(
                max(0, min(match.start, match.secretStart) - Self.yieldDistance)..<(max(match.end, match.secretEnd) + Self.yieldDistance))
            anySpan = true
        }
        guard anySpan else { return }
        var indexes = spans.map(SpanIndex.init)
        results.keepMatches(from: first) { match in
            !yieldsToProvider[match.rule] || !indexes[yieldSlot[providerIndex[match.rule]]].overlaps(match.secretStart..<match.secretEnd)
        }
    }
}

extension Array where Element == RawMatch {
    /// Keeps the matches from `first` on that `keep` accepts, in their order, moved down in
    /// place: a buffer with a match on every line holds hundreds of thousands, and a second
    /// array of them was a fresh allocation (and its page faults) at every pass.
    mutating func keepMatches(from first: Int, where keep: (borrowing RawMatch) -> Bool) {
        let end = withUnsafeMutableBufferPointer { all in
            var next = first
            for index in first..<all.count where keep(all[index]) {
                if next != index { all.swapAt(next, index) }
                next += 1
            }
            return next
        }
        removeSubrange(end...)
    }
}

/// Spans sorted by start with the furthest end reached so far: whether a span overlaps any of
/// them is a search for the first one starting at or after its end. The search gallops from
/// where the last one ended when the spans asked about come in order (the yielding matches of
/// a buffer nearly always do), so a buffer with one on every line costs linear time; one out
/// of order is a binary search.
struct SpanIndex {
    private let spans: [Range<Int>]
    private let furthestEnd: [Int]
    /// Where the last search ended, and the end of the span it was for.
    private var cursor = 0
    private var cursorEnd = Int.min

    init(_ spans: [Range<Int>]) {
        self.spans = spans.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var ends: [Int] = []
        ends.reserveCapacity(self.spans.count)
        for span in self.spans { ends.append(max(ends.last ?? Int.min, span.upperBound)) }
        furthestEnd = ends
    }

    mutating func overlaps(_ span: Range<Int>) -> Bool {
        guard !span.isEmpty else { return false }
        // The first span starting at or after span's end lies in low...high.
        var low = 0, high = spans.count
        if span.upperBound >= cursorEnd {
            // Every span before `cursor` starts before the last end, so before this one.
            low = cursor
            var step = 1
            high = low
            while high < spans.count, spans[high].lowerBound < span.upperBound {
                low = high + 1
                high = low + step
                step <<= 1
            }
            high = min(high, spans.count)
        }
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].lowerBound < span.upperBound { low = middle + 1 } else { high = middle }
        }
        cursor = low
        cursorEnd = span.upperBound
        return low > 0 && furthestEnd[low - 1] > span.lowerBound
    }
}
