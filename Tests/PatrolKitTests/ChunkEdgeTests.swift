import Foundation
import Testing
@testable import PatrolKit

/// Tokens at every offset around the chunk edges of the chunked path (files, standard input,
/// transcoded UTF-16): the edge of a chunk, the end of its accepted range (the overlap's start)
/// and the next chunk's start. Small chunk sizes make every position cheap to try; one test
/// keeps the real default sizes. Tokens are generated here; none is committed whole.
@Suite struct ChunkEdgeTests {
    static let ruleSet = try! RuleLoader.load()

    static let chunk = 4096, overlap = 1024, margin = 256

    /// Where chunks begin and end in the input, for the sizes above: each chunk's view is
    /// `chunk` bytes, it accepts matches starting before `view end − overlap`, and the next view
    /// starts `margin` bytes before that.
    static var edges: [Int] {
        var result: [Int] = []
        var viewStart = 0
        for _ in 0..<3 {
            let viewEnd = viewStart + chunk
            let acceptEnd = viewEnd - overlap
            result += [viewStart, acceptEnd, viewEnd]
            viewStart = acceptEnd - margin
        }
        return Array(Set(result + [2 * chunk, 3 * chunk])).filter { $0 > 0 }.sorted()
    }

    private func scanChunked(_ text: String, ruleSet: RuleSet = Self.ruleSet) -> [Occurrence] {
        let scanner = InputScanner(ruleSet: ruleSet, chunkCapacity: Self.chunk, overlap: Self.overlap, margin: Self.margin)
        guard case .scanned(_, let found) = scanner.scanChunked(Array(text.utf8)) else { return [] }
        return found
    }

    /// `token` at byte `offset` of a `total`-byte text of short lines: the line and column where
    /// it starts.
    private func place(_ token: String, at offset: Int, total: Int) -> (text: String, line: Int, column: Int) {
        let filler = "filler line\n"   // 12 bytes
        var text = String(repeating: filler, count: offset / filler.utf8.count)
        let line = offset / filler.utf8.count + 1
        text += String(repeating: "-", count: offset - text.utf8.count)
        let column = offset - (line - 1) * filler.utf8.count + 1
        text += token + "\n"
        let rest = max(0, total - text.utf8.count)
        text += String(repeating: filler, count: rest / filler.utf8.count)
        return (text, line, column)
    }

    /// Every position from `edge − length − 2` to `edge + 2` around every edge.
    private func checkEveryOffset(_ token: String, secret: String, ruleSet: RuleSet = Self.ruleSet, secretOffset: Int = 0) {
        let length = token.utf8.count
        for edge in Self.edges {
            for offset in max(0, edge - length - 2)...(edge + 2) {
                let (text, line, column) = place(token, at: offset, total: 4 * Self.chunk)
                let found = scanChunked(text, ruleSet: ruleSet)
                #expect(found.map(\.secret) == [secret], "token of \(length) bytes at offset \(offset) (edge \(edge)): found \(found.map(\.secret.utf8.count))")
                #expect(found.first?.line == line && found.first?.column == column + secretOffset, "offset \(offset): at \(found.first?.line ?? 0):\(found.first?.column ?? 0), expected \(line):\(column + secretOffset)")
            }
        }
    }

    @Test func githubTokenIsFoundAtEveryOffsetAroundChunkEdges() throws {
        var rng = SeededGenerator(seed: 41)
        let token = try #require(Validator.builtIn["github-ghp-crc32"]).generate(&rng)
        checkEveryOffset(token, secret: token)
    }

    @Test func tokenWithKeywordInItsMiddleIsFoundAtEveryOffsetAroundChunkEdges() {
        var rng = SeededGenerator(seed: 42)
        let token = AzureDevOpsCaskChecksum.generate(using: &rng)
        checkEveryOffset(token, secret: token)
    }

    @Test func genericPasswordIsFoundAtEveryOffsetAroundChunkEdges() {
        var rng = SeededGenerator(seed: 43)
        let value = GenericSecret.generate(using: &rng)
        let assignment = "password = \"" + value + "\""
        checkEveryOffset(assignment, secret: value, secretOffset: 12)
    }

    /// A rule whose match has no upper length (a user's rule): a token longer than the overlap
    /// that runs past a chunk's end is left to the next chunk, which starts at it.
    @Test func tokenLongerThanTheOverlapIsFoundWholeAcrossChunkEdges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rule = "provider: {id: acme, name: Acme}\nrules:\n  - {id: acme-blob, name: Acme blob, regex: '(?<![A-Za-z0-9])acmeblob_[A-Za-z0-9]{20,}+(?![A-Za-z0-9])', keywords: [acmeblob_], examples: ['k acmeblob_qwhzkrtvmcpalsxnyeiudbfgoj']}\n"
        try rule.write(to: folder.appendingPathComponent("acme.yml"), atomically: true, encoding: .utf8)
        let ruleSet = try RuleLoader.load(extraDirectories: [folder.path])
        var rng = SeededGenerator(seed: 44)
        let token = "acmeblob_" + RandomText.string(from: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8), count: Self.overlap + 300, using: &rng)
        #expect(token.utf8.count > Self.overlap)
        let length = token.utf8.count
        for edge in Self.edges {
            // Every offset near where the token's end or start crosses the edge, every 13th between.
            let near = Set((max(0, edge - length - 40)...(edge - length + 40)).map { $0 } + (max(0, edge - 40)...(edge + 2)).map { $0 })
            let offsets = near.union(stride(from: max(0, edge - length - 2), through: edge + 2, by: 13)).filter { $0 >= max(0, edge - length - 2) && $0 <= edge + 2 }
            for offset in offsets.sorted() {
                let (text, line, column) = place(token, at: offset, total: 4 * Self.chunk)
                let found = scanChunked(text, ruleSet: ruleSet).filter { ruleSet.compiled[$0.rule].rule.id == "acme-blob" }
                #expect(found.map(\.secret.utf8.count) == [length], "offset \(offset) (edge \(edge))")
                #expect(found.first?.secret == token && found.first?.line == line && found.first?.column == column, "offset \(offset)")
            }
        }
    }

    /// The real sizes (8 MiB chunks, 64 KiB overlap): a 26 MiB input with tokens at the offsets
    /// a bad-input suite reported lost, at the real edges, and a 60 KB private key block (the
    /// longest a built-in rule matches) straddling one.
    @Test func defaultSizesFindTokensAtTheReportedOffsetsOfA26MiBInput() throws {
        var rng = SeededGenerator(seed: 45)
        let chunk = InputScanner.defaultChunkCapacity, overlap = InputScanner.overlap, margin = InputScanner.margin
        let secondStart = chunk - overlap - margin
        let github = try #require(Validator.builtIn["github-ghp-crc32"])
        let secondAcceptEnd = secondStart + chunk - overlap, secondEnd = secondStart + chunk
        let thirdStart = secondAcceptEnd - margin
        let thirdAcceptEnd = thirdStart + chunk - overlap, thirdEnd = thirdStart + chunk
        let offsets = [8_323_030, 8_388_566, 8_388_607, 16_711_638, secondAcceptEnd - 20, secondEnd - 20, 2 * chunk - 20, thirdEnd - 20]
        let size = 26 << 20
        var bytes = [UInt8](repeating: UInt8(ascii: " "), count: size)
        for index in stride(from: 99, to: size, by: 100) { bytes[index] = 0x0A }
        var expected: [String] = []
        func put(_ token: String, at offset: Int) {
            let utf8 = Array(token.utf8)
            bytes.replaceSubrange(offset..<(offset + utf8.count), with: utf8)
            bytes[offset - 1] = 0x0A
            bytes[offset + utf8.count] = 0x0A
            expected.append(token)
        }
        for offset in offsets { put(github.generate(&rng), at: offset) }
        // A private key block of 58 KB (near the longest a built-in rule matches) that starts
        // in the third chunk's accepted range and runs into its overlap.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let body = (0..<900).map { _ in RandomText.string(from: alphabet, count: 64, using: &rng) }.joined(separator: "\n")
        let label = "RSA PRIV" + "ATE KEY"
        let key = "-----BEG" + "IN \(label)-----\n" + body + "\n-----END \(label)-----"
        #expect(key.utf8.count > 58_000 && key.utf8.count < overlap)
        put(key, at: thirdAcceptEnd - 30_000)
        let scanner = InputScanner(ruleSet: Self.ruleSet)
        guard case .scanned(let count, let found) = scanner.scanChunked(bytes) else {
            Issue.record("not scanned")
            return
        }
        #expect(count == size)
        #expect(found.map(\.secret).sorted() == expected.sorted(), "found \(found.count) of \(expected.count)")
    }

    /// UTF-16 text longer than a chunk: every chunk is transcoded and scanned, not only the first
    /// (a transcoded chunk comes a few bytes short of the buffer, which once read as the end).
    @Test func utf16InputLongerThanAChunkIsScannedToTheEnd() throws {
        var rng = SeededGenerator(seed: 46)
        let github = try #require(Validator.builtIn["github-ghp-crc32"])
        let tokens = (0..<6).map { _ in github.generate(&rng) }
        var text = ""
        for token in tokens {
            text += String(repeating: "filler line\n", count: 400) + "x " + token + "\n"
        }
        let utf16: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(utf16.count > 5 * Self.chunk)
        let scanner = InputScanner(ruleSet: Self.ruleSet, chunkCapacity: Self.chunk, overlap: Self.overlap, margin: Self.margin)
        guard case .scanned(_, let found) = scanner.scanChunked(utf16) else {
            Issue.record("not scanned")
            return
        }
        #expect(found.map(\.secret) == tokens)
        #expect(found.map(\.line) == (0..<6).map { 401 * $0 + 401 })
    }
}
