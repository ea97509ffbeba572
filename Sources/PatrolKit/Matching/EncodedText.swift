#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secrets inside base64: `Authorization: Basic base64(":" + PAT)`, `.npmrc` `_password`,
/// docker `auths`, Kubernetes Secret `data:`, git `http.extraHeader`.
///
/// Decoding every base64-looking run would cost more than the scan itself (identifiers and
/// hashes look like base64), so the gate is the prefilter: each keyword is also searched in its
/// base64 forms, and in those of its UTF-16LE bytes (`EncodedForms`, `DecodingGate`). Only a run
/// holding one is decoded and scanned, at most `maxDepth` levels deep; a decoding that is UTF-16
/// text (PowerShell's `-EncodedCommand`) is transcoded to UTF-8 first.
enum EncodedText {
    static let maxDepth = 2
    /// Shorter runs carry no token worth decoding.
    static let minimumRunLength = 16
    /// Of a long run (an image, an archive, a 1 MB data URI), only a window around the hit is
    /// decoded: this far before it (a token whose keyword is not its start, the AWS id before
    /// its secret) and after it (a PEM key of 4,096 bits is 4.4 K characters of base64).
    static let reachBefore = 4 << 10
    static let reachAfter = 16 << 10

    /// The 6-bit value of a base64 or base64url character; 0xFF for any other byte.
    @inline(__always)
    static func sixBits(_ byte: UInt8) -> UInt8 { values[Int(byte)] }

    /// 6-bit values of both alphabets (standard and URL-safe); 0xFF elsewhere.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in Base64.alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// The runs of base64 characters around each hit (sorted positions), once each: maximal, or
    /// cut to `reachBefore` and `reachAfter` around the hit. Windows of one long run never
    /// overlap (a later one starts where the one before ended), so a secret is found once.
    static func runs(around hits: [Int], in buffer: UnsafeRawBufferPointer) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        values.withUnsafeBufferPointer { table in
            for hit in hits {
                if let last = runs.last, last.contains(hit) { continue }
                let floor = max(runs.last?.upperBound ?? 0, hit - reachBefore)
                var start = hit
                while start > floor, table[Int(buffer[start - 1])] != 0xFF { start -= 1 }
                var end = hit
                while end < buffer.count, table[Int(buffer[end])] != 0xFF, end - hit < reachAfter { end += 1 }
                while end < buffer.count, buffer[end] == UInt8(ascii: "="), end - hit < reachAfter { end += 1 }
                if end - start >= minimumRunLength { runs.append(start..<end) }
            }
        }
        return runs
    }

    /// The run decoded from each of its first four characters: a run glued to other word
    /// characters (`token=QUJD…`, `x_password=…`) may not start on a base64 boundary.
    static func decodings(of run: UnsafeRawBufferPointer) -> [[UInt8]] {
        var results: [[UInt8]] = []
        for skip in 0..<min(4, run.count) {
            var output: [UInt8] = []
            output.reserveCapacity(run.count * 3 / 4)
            var accumulator: UInt32 = 0
            var bits = 0
            for byte in run[skip...] {
                let value = values[Int(byte)]
                if value == 0xFF { break }   // '=' padding ends the data
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
            if output.count >= 8 { results.append(output) }
        }
        return results
    }

    /// `basic-auth` when the run follows `Basic ` (an HTTP Authorization header), else `base64`.
    static func label(forRunAt start: Int, in buffer: UnsafeRawBufferPointer) -> String {
        let word = Array("basic ".utf8)
        guard start >= word.count else { return "base64" }
        for (offset, expected) in word.enumerated() {
            var byte = buffer[start - word.count + offset]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != expected { return "base64" }
        }
        return "basic-auth"
    }

    /// The `decoded` label of a secret found in base64 of UTF-16 text.
    static let utf16Label = "base64-utf16"

    /// The decoded bytes as UTF-8 when they are UTF-16 text (by its byte order mark, or NULs in
    /// every other byte, as `InputEncoding` judges a file), else nil. PowerShell's
    /// `-EncodedCommand` is base64 of UTF-16LE; a run that starts one byte into it reads as
    /// big-endian. Unpaired surrogates become U+FFFD.
    static func utf16Text(_ decoded: [UInt8]) -> [UInt8]? {
        let encoding = decoded.withUnsafeBytes { InputEncoding.sniff($0) }
        guard case .utf16(let bigEndian) = encoding else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(decoded.count / 2)
        var index = 0
        while index + 1 < decoded.count {
            let first = UInt16(decoded[index]), second = UInt16(decoded[index + 1])
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        if units.first == 0xFEFF { units.removeFirst() }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    // MARK: - Legacy Azure DevOps PATs in base64

    /// The candidate scan of the legacy 52-character Azure DevOps PAT.
    static let legacyTokenScan = "base32-run-52"
    /// base64 of the bare token is 70 characters and `==`; with `user:` before it, or the
    /// newline `echo $PAT | base64` adds, it grows. Longer runs are other data.
    static let legacyRunLengths = 70...128

    /// Base64 runs that may hold a legacy PAT, which has no keyword to gate on: runs of
    /// `legacyRunLengths` characters, found by sampling one byte every 70 (as `CandidateScan`
    /// does), whose decoding ends with 52 characters of `[a-z2-7]` (and maybe a newline).
    /// Only those are decoded and matched.
    static func legacyTokenRuns(in buffer: UnsafeRawBufferPointer, range: Range<Int>, into runs: inout [Range<Int>]) {
        let minimum = legacyRunLengths.lowerBound, maximum = legacyRunLengths.upperBound
        let count = buffer.count
        values.withUnsafeBufferPointer { table in
            var sample = range.lowerBound + minimum - 1
            let limit = min(count, range.upperBound + minimum - 1)
            while sample < limit {
                if table[Int(buffer[sample])] == 0xFF {
                    sample += minimum
                    continue
                }
                var start = sample
                while start > 0, sample - start < maximum, table[Int(buffer[start - 1])] != 0xFF { start -= 1 }
                var end = sample + 1
                while end < count, end - start <= maximum, table[Int(buffer[end])] != 0xFF { end += 1 }
                while end < count, end - start <= maximum, buffer[end] == UInt8(ascii: "=") { end += 1 }
                let length = end - start
                let maximal = (start == 0 || table[Int(buffer[start - 1])] == 0xFF) && length <= maximum
                if maximal, length >= minimum, range.contains(start),
                   endsWithLegacyToken(UnsafeRawBufferPointer(rebasing: buffer[start..<end]), table: table) {
                    runs.append(start..<end)
                }
                // The next run may start right at `end` (after `=` padding, which is not in the
                // table), so its last possible first sample is end + minimum - 1.
                sample = end + minimum - 1
            }
        }
    }

    /// Whether the run's decoding ends with 52 `[a-z2-7]` bytes (and maybe a newline), decoding
    /// only its last 76 characters, without allocating. The run ends on a base64 quad boundary
    /// (it is padded, or its data is a multiple of three bytes), which fixes the alignment.
    private static func endsWithLegacyToken(_ run: UnsafeRawBufferPointer, table: UnsafeBufferPointer<UInt8>) -> Bool {
        var dataEnd = run.count
        while dataEnd > 0, run[dataEnd - 1] == UInt8(ascii: "=") { dataEnd -= 1 }
        let padding = run.count - dataEnd
        guard padding <= 2 else { return false }
        // 19 quads (76 characters) hold the last 57 bytes, enough for 52, a newline and one before.
        let quadsStart = max(run.count % 4, run.count - 76)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 60) { decoded in
            var count = 0
            var accumulator: UInt32 = 0
            var bits = 0
            for index in quadsStart..<dataEnd {
                accumulator = accumulator << 6 | UInt32(table[Int(run[index])])
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    decoded[count] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    count += 1
                }
            }
            var end = count
            while end > 0, decoded[end - 1] == 0x0A || decoded[end - 1] == 0x0D { end -= 1 }
            guard end >= 52 else { return false }
            func isBase32(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x32 && byte <= 0x37) }
            for index in (end - 52)..<end where !isBase32(decoded[index]) { return false }
            return end == 52 || !isBase32(decoded[end - 53])
        }
    }
}
