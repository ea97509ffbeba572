import Foundation

/// A scan for rules that have no literal to look for: it yields every maximal run of exactly
/// `length` bytes of one alphabet, e.g. `base32-run-52` for the legacy Azure DevOps PAT (52
/// characters of `[a-z2-7]`), and the rule's validator decides.
///
/// It samples one byte every `length` bytes: any run of `length` or more bytes contains a sample,
/// so only samples inside the alphabet are expanded, left by at most `length` bytes and right to
/// the end of the run, which is then skipped. Each byte is examined a bounded number of times and
/// most are never looked at, which keeps this at several GB/s on ordinary source code.
struct CandidateScan: Sendable {
    let name: String
    let length: Int
    /// 256 entries: 1 where the byte belongs to the alphabet.
    private let alphabet: [UInt8]

    static let alphabets: [String: String] = [
        "base32": "abcdefghijklmnopqrstuvwxyz234567",
        "base32-upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "base62": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "hex": "0123456789abcdef",
        "hex-upper": "0123456789ABCDEF",
    ]

    /// Parses names of the form `<alphabet>-run-<length>`, e.g. `base32-run-52`.
    init?(named name: String) {
        guard let range = name.range(of: "-run-", options: .backwards),
              let characters = Self.alphabets[String(name[..<range.lowerBound])],
              let length = Int(name[range.upperBound...]), (8...4096).contains(length)
        else { return nil }
        var table = [UInt8](repeating: 0, count: 256)
        for byte in characters.utf8 { table[Int(byte)] = 1 }
        self.name = name
        self.length = length
        self.alphabet = table
    }

    /// Calls `body(start)` for each maximal run of exactly `length` bytes whose start lies in
    /// `range`. The run must be maximal within the whole buffer, so a run cut by the buffer's
    /// edge is reported only when the edge is the input's real end (`atStart`/`atEnd`).
    func forEachRun(in buffer: UnsafeRawBufferPointer, range: Range<Int>, atStart: Bool, atEnd: Bool, _ body: (Int) -> Void) {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = buffer.count
        let length = self.length
        alphabet.withUnsafeBufferPointer { table in
            var sample = range.lowerBound + length - 1
            let sampleLimit = min(count, range.upperBound + length - 1)
            while sample < sampleLimit {
                if table[Int(base[sample])] == 0 {
                    sample += length
                    continue
                }
                // Expand left, at most length bytes.
                var start = sample
                let leftLimit = max(0, sample - length)
                while start > leftLimit, table[Int(base[start - 1])] != 0 { start -= 1 }
                let leftIsLong = start == leftLimit && start > 0 && table[Int(base[start - 1])] != 0
                // Expand right to the end of the run.
                var end = sample + 1
                while end < count, table[Int(base[end])] != 0 { end += 1 }
                if !leftIsLong, end - start == length, range.contains(start),
                   start > 0 || atStart, end < count || atEnd {
                    body(start)
                }
                // The next run starts after `end`; its first byte that can be a sample is end + length.
                sample = end + length
            }
        }
    }
}
