import Foundation
import Testing
@testable import PatrolKit

/// The hostile inputs of issue 14 (a run of percent escapes around `ghp_`, `password = value`
/// lines, `password=` repeated, AWS ids and keys packed together), each followed by one real
/// token. `benchmarks/pathological-benchmark.sh` times them at 10 MB; here they are smaller and
/// untimed: the trailing token must be found, no built-in rule may run out of its match budget,
/// and the work done (PCRE2 match calls, bytes decoded) must grow linearly with the input.
@Suite struct PathologicalInputTests {
    static let ruleSet = try! RuleLoader.load()

    enum Shape: String, CaseIterable, CustomStringConvertible {
        case percentRun = "percent-run"
        case percentKeywords = "percent-keywords"
        case jsonKeywords = "json-keywords"
        case passwordLines = "password-lines"
        case passwordRepeat = "password-repeat"
        case awsDense = "aws-dense"

        var description: String { rawValue }

        /// `size` bytes of the shape (the same as benchmarks/pathological-inputs.py writes).
        func body(size: Int) -> [UInt8] {
            var rng = SeededGenerator(seed: 14)
            func repeated(_ unit: String) -> [UInt8] {
                let bytes = Array(unit.utf8)
                return (0..<size).map { bytes[$0 % bytes.count] }
            }
            switch self {
            case .percentRun:
                let hex = Array("0123456789ABCDEF".utf8)
                var escapes: [UInt8] = []
                for _ in 0..<(size / 6) {
                    let byte = Int(rng.next() % 256)
                    escapes += [UInt8(ascii: "%"), hex[byte >> 4], hex[byte & 15]]
                }
                return escapes + Array("ghp_".utf8) + escapes
            case .percentKeywords: return repeated("ghp_%2B%3D")
            case .jsonKeywords:
                // JSON strings of 8 KB (within the 16 KiB a string is followed), a keyword and
                // an escape every six bytes.
                let string = "\"" + String(repeating: "ghp_\\n", count: 1_365) + "\",\n"
                return repeated(string)
            case .passwordLines: return repeated("password = value\n")
            case .passwordRepeat: return repeated("password=")
            case .awsDense:
                // Every line a pair (random, made here): many findings in one chunk.
                let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
                var out: [UInt8] = []
                while out.count < size {
                    out += Array("AKIA".utf8)
                    for _ in 0..<16 { out.append(upper[Int(rng.next() % 32)]) }
                    out.append(UInt8(ascii: " "))
                    for _ in 0..<40 { out.append(Base64.alphabet[Int(rng.next() % 64)]) }
                    out.append(0x0A)
                }
                return out
            }
        }
    }

    struct Work {
        let found: Bool
        let matchCalls: Int
        let matchedBytes: Int
        let decodedBytes: Int
        let limitedRules: [String]
    }

    /// Scans the shape at `size` followed by a GitHub token, in 1 MiB chunks (so chunk edges
    /// are crossed too).
    static func scan(_ shape: Shape, size: Int) -> Work {
        var rng = SeededGenerator(seed: 99)
        let token = GitHubTokenChecksum.generate(prefix: "ghp_", using: &rng)
        let input = shape.body(size: size) + Array("\ngithub_token = \(token)\n".utf8)
        let scanner = InputScanner(ruleSet: ruleSet, chunkCapacity: 1 << 20)
        let calls = scanner.matcher.matchCalls, matched = scanner.matcher.matchedBytes, decoded = scanner.matcher.decodedBytes
        var found = false
        if case .scanned(_, let occurrences) = scanner.scanChunked(input) {
            found = occurrences.contains { $0.secret == token && ruleSet.compiled[$0.rule].rule.id == "github-pat" }
        }
        return Work(
            found: found,
            matchCalls: scanner.matcher.matchCalls - calls,
            matchedBytes: scanner.matcher.matchedBytes - matched,
            decodedBytes: scanner.matcher.decodedBytes - decoded,
            limitedRules: scanner.matcher.limitedRules.map { ruleSet.compiled[$0].rule.id }
        )
    }

    @Test(arguments: Shape.allCases)
    func trailingTokenIsFoundAfterHostileMegabyte(_ shape: Shape) {
        let work = Self.scan(shape, size: 1 << 20)
        #expect(work.found, "the token after 1 MiB of \(shape) was not found")
        #expect(work.limitedRules.isEmpty, "built-in rules ran out of their match budget on \(shape): \(work.limitedRules)")
    }

    /// Four times the input may cost at most about four times the work: a quadratic part (a
    /// window decoded again for every hit, a search restarted at every keyword) shows as a
    /// ratio near 16.
    @Test(arguments: Shape.allCases)
    func workGrowsLinearlyWithTheInput(_ shape: Shape) {
        let small = Self.scan(shape, size: 256 << 10), large = Self.scan(shape, size: 1 << 20)
        #expect(Double(large.matchCalls) <= Double(small.matchCalls) * 4.5 + 64, "match calls on \(shape): \(small.matchCalls) for 256 KiB, \(large.matchCalls) for 1 MiB")
        #expect(Double(large.decodedBytes) <= Double(small.decodedBytes) * 4.5 + 4096, "bytes decoded on \(shape): \(small.decodedBytes) for 256 KiB, \(large.decodedBytes) for 1 MiB")
        // And a bounded amount per input byte, whatever the size: before, every `password=`
        // of a line of them matched the next 256 bytes again, and every keyword in a run of
        // escapes decoded 4 KiB around it.
        #expect(large.decodedBytes <= 8 << 20, "\(large.decodedBytes) bytes decoded for 1 MiB of \(shape)")
        #expect(large.matchedBytes <= 16 << 20, "\(large.matchedBytes) bytes matched for 1 MiB of \(shape)")
    }
}
