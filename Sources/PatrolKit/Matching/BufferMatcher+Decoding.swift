/// The decodings of `BufferMatcher.matches`: base64 runs, percent- and JSON-escaped text, and
/// the generic heuristic yielding to specific rules.
extension BufferMatcher {
    /// Decodes base64 runs (around an encoded keyword, or long enough to hold a legacy Azure
    /// DevOps PAT) and matches the decoded bytes, which may hold base64 again, up to
    /// `EncodedText.maxDepth`. A decoding that is UTF-16 text is scanned as UTF-8
    /// (`base64-utf16`). A secret found so is reported at the span of the encoded run, with the
    /// decoded secret. A run whose decoded bytes held a rejected look-alike counts as
    /// rejected itself, so the generic heuristic does not report it either.
    func decodeAndMatch(_ runs: [Range<Int>], in buffer: UnsafeRawBufferPointer, accept: Range<Int>, enabled: [Bool]?, depth: Int, into results: inout [RawMatch]) {
        var inner: [RawMatch] = []
        var done = Set<Range<Int>>()
        for run in runs where accept.contains(run.lowerBound) && done.insert(run).inserted {
            let label = EncodedText.label(forRunAt: run.lowerBound, in: buffer)
            var seen = Set<[UInt8]>()
            let rejectedBefore = rejectedByValidator
            decodedBytes += run.count
            for var decoded in EncodedText.decodings(of: UnsafeRawBufferPointer(rebasing: buffer[run])) {
                var decoding = label
                if let text = EncodedText.utf16Text(decoded) {
                    decoded = text
                    decoding = EncodedText.utf16Label
                }
                inner.removeAll(keepingCapacity: true)
                decoded.withUnsafeBytes { bytes in
                    matches(in: bytes, accept: 0..<bytes.count, enabled: enabled, depth: depth + 1, into: &inner)
                }
                for match in inner {
                    let secret = decodedSecret(of: match) ?? Array(decoded[match.secretStart..<match.secretEnd])
                    guard seen.insert(secret).inserted else { continue }
                    results.append(RawMatch(
                        rule: match.rule, start: run.lowerBound, end: run.upperBound,
                        secretStart: run.lowerBound, secretEnd: run.upperBound, validated: match.validated,
                        decoded: keepDecoded(secret, decoding: decoding)
                    ))
                }
            }
            if rejectedByValidator > rejectedBefore { rejectedSpans.append(run) }
        }
    }

    /// Decodes the text around each keyword hit of a specific rule when it holds an escape
    /// (`%2B`, `\n`, `&#x2B;`, a terminal escape sequence) or joined string literals, and
    /// matches the decoded bytes (`EscapedText.Kind`). A secret found so is reported at the
    /// encoded form of the secret itself (the offsets map decoded bytes back; for joined
    /// literals, from the first part to the last) with `decoded` set to the kind's label when
    /// its bytes differ from the decoded secret's, and replaces a clear match of the same
    /// rule over the same text (a PEM block with `\n` escapes, which the regex also accepts):
    /// the decoded secret is the real one and carries its fingerprint.
    func decodeEscapes(around positions: [Int], in buffer: UnsafeRawBufferPointer, accept: Range<Int>, enabled: [Bool]?, depth: Int, first: Int, into results: inout [RawMatch]) {
        var done = Set<Range<Int>>()
        var found: [RawMatch] = []
        var inner: [RawMatch] = []
        var state = EscapedText.ScanState()
        for position in positions {
            for kind in EscapedText.kinds {
                guard let span = EscapedText.span(kind, around: position, in: buffer, state: &state),
                      done.insert(span).inserted
                else { continue }
                decodedBytes += span.count
                let (decoded, offsets) = EscapedText.decode(kind, UnsafeRawBufferPointer(rebasing: buffer[span]))
                inner.removeAll(keepingCapacity: true)
                let rejectedBefore = rejectedByValidator
                decoded.withUnsafeBytes { bytes in
                    matches(in: bytes, accept: 0..<bytes.count, enabled: enabled, depth: kind.nests ? depth + 1 : EncodedText.maxDepth, into: &inner)
                }
                if rejectedByValidator > rejectedBefore { rejectedSpans.append(span) }
                for match in inner {
                    let start = span.lowerBound + offsets[match.secretStart]
                    // Joined literals: the secret ends at its last byte's literal, not at the
                    // next literal's start.
                    let end = span.lowerBound + (kind == .joined && match.secretEnd > match.secretStart
                        ? offsets[match.secretEnd - 1] + 1 : offsets[match.secretEnd])
                    guard accept.contains(start), start < end else { continue }
                    let innerSecret = decodedSecret(of: match)
                    let secret = innerSecret ?? Array(decoded[match.secretStart..<match.secretEnd])
                    let encoded = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                    let escaped = innerSecret != nil || !encoded.elementsEqual(secret)
                    found.append(RawMatch(
                        rule: match.rule, start: start, end: end, secretStart: start, secretEnd: end,
                        validated: match.validated,
                        decoded: escaped ? keepDecoded(secret, decoding: kind.label) : -1
                    ))
                }
            }
        }
        for match in found {
            let overlapping = results[first...].indices.filter { index in
                results[index].rule == match.rule && results[index].decoded < 0
                    && results[index].secretStart < match.secretEnd && match.secretStart < results[index].secretEnd
            }
            if match.decoded >= 0 {
                for index in overlapping.reversed() { results.remove(at: index) }
                results.append(match)
            } else if overlapping.isEmpty {
                results.append(match)
            }
        }
    }

    /// Removes generic matches whose secret overlaps a specific rule's match or a candidate a
    /// validator rejected, or starts where a specific rule's keyword puts a token: the specific
    /// rule already reports it, or it is a look-alike (a bad checksum, a broken shape).
    func dropGenericOverlaps(from first: Int, rejectedFrom firstRejected: Int, tokenStartsFrom firstTokenStart: Int, in results: inout [RawMatch]) {
        var blocked: [Range<Int>] = rejectedSpans.count > firstRejected ? Array(rejectedSpans[firstRejected...]) : []
        for match in results[first...] where !isGeneric[match.rule] {
            blocked.append(match.secretStart..<match.secretEnd)
        }
        let starts = Set(tokenStarts[firstTokenStart...])
        guard !blocked.isEmpty || !starts.isEmpty else { return }
        // Sorted by start, with the furthest end reached so far: a span overlaps some blocked
        // span when one of those starting before its end reaches past its start. A binary search
        // per generic match keeps a file dense with both kinds of match linear-logarithmic.
        blocked = blocked.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var furthestEnd: [Int] = []
        furthestEnd.reserveCapacity(blocked.count)
        for span in blocked { furthestEnd.append(max(furthestEnd.last ?? Int.min, span.upperBound)) }
        func isBlocked(_ span: Range<Int>) -> Bool {
            guard !span.isEmpty else { return false }
            var low = 0, high = blocked.count   // first blocked span starting at or after span's end
            while low < high {
                let middle = (low + high) / 2
                if blocked[middle].lowerBound < span.upperBound { low = middle + 1 } else { high = middle }
            }
            return low > 0 && furthestEnd[low - 1] > span.lowerBound
        }
        results.keepMatches(from: first) { match in
            !isGeneric[match.rule] || !(starts.contains(match.secretStart) || isBlocked(match.secretStart..<match.secretEnd))
        }
    }
}
