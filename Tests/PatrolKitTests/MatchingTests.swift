import Foundation
import Testing
@testable import PatrolKit

@Suite struct KeywordOffsetTests {
    @Test(arguments: [
        ("(?<![A-Za-z0-9])(?<secret>[A-Za-z0-9]{52}JQQJ99[A-L]{2})", "JQQJ99", 52 as Int?),
        (#"\bghp_[A-Za-z0-9]{36}\b"#, "ghp_", 0),
        (#"(?i)\b(?:xoxb)-[0-9]{10}"#, "xoxb", 0),
        (#"(?<=\s)[a-f]{4}\.[0-9]{2}TOKEN_"#, "TOKEN_", 7),
        (#"glpat-[0-9a-zA-Z_\-]{20}"#, "glpat-", 0),
        (#"[a-z]{2,5}KEY"#, "KEY", nil),
        (#"(?:ghp|gho)_[A-Za-z0-9]{36}"#, "ghp_", nil),
        (#"api[_-]?key\s*=\s*[a-z0-9]{32}"#, "key", nil),
    ])
    func fixedOffsetIsReadFromTheRegexPrefix(regex: String, keyword: String, expected: Int?) {
        #expect(KeywordOffset.fixedOffset(of: keyword, in: regex, caseInsensitive: false) == expected)
    }

    @Test func caseInsensitiveKeywordsCompareWithoutCase() {
        #expect(KeywordOffset.fixedOffset(of: "azure", in: "[0-9]{3}AZURE", caseInsensitive: true) == 3)
        #expect(KeywordOffset.fixedOffset(of: "azure", in: "[0-9]{3}AZURE", caseInsensitive: false) == nil)
    }
}

@Suite struct CandidateScanTests {
    private func runs(_ text: String, _ name: String = "base32-run-52", range: Range<Int>? = nil, atStart: Bool = true, atEnd: Bool = true) -> [Int] {
        let scan = CandidateScan(named: name)!
        var starts: [Int] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            scan.forEachRun(in: buffer, range: range ?? 0..<bytes.count, atStart: atStart, atEnd: atEnd) { starts.append($0) }
        }
        return starts
    }

    private let run52 = String(repeating: "abcd2345", count: 6) + "wxyz"

    @Test func findsEveryMaximalRunOfExactlyTheLengthAnywhere() {
        #expect(run52.utf8.count == 52)
        #expect(runs(run52) == [0])
        #expect(runs("x=" + run52 + ";") == [2])
        #expect(runs("A" + run52 + "B") == [1])                      // uppercase is a boundary, like Microsoft's regex
        for offset in 0..<60 {
            let text = String(repeating: "_", count: offset) + run52 + "_" + run52
            #expect(runs(text) == [offset, offset + 53], "offset \(offset)")
        }
    }

    @Test func longerOrShorterRunsAreNotCandidates() {
        #expect(runs(run52 + "a").isEmpty)
        #expect(runs("q" + run52).isEmpty)
        #expect(runs(String(run52.dropLast())).isEmpty)
        #expect(runs(String(repeating: "a", count: 5000)).isEmpty)
        #expect(runs(String(repeating: "a", count: 104)).isEmpty)
    }

    @Test func runsCutByAChunkEdgeAreLeftToTheNeighbouringChunk() {
        #expect(runs(run52, atStart: false).isEmpty)
        #expect(runs(run52, atEnd: false).isEmpty)
        #expect(runs("." + run52 + ".", atStart: false, atEnd: false) == [1])
    }

    @Test func onlyRunsStartingInTheRangeAreReported() {
        let text = run52 + "." + run52
        #expect(runs(text, range: 0..<53) == [0])
        #expect(runs(text, range: 1..<200) == [53])
    }

    @Test func namesAreParsed() {
        #expect(CandidateScan(named: "hex-run-40")?.length == 40)
        #expect(CandidateScan(named: "nonsense-run-10") == nil)
        #expect(CandidateScan(named: "base32-run-x") == nil)
    }
}

@Suite struct KeywordPrefilterTests {
    private func hits(_ keywords: [(String, Bool)], _ text: String) -> [KeywordHit] {
        let prefilter = KeywordPrefilter(keywords: keywords.map { .init(bytes: Array($0.0.utf8), caseInsensitive: $0.1) })
        var hits: [KeywordHit] = []
        Array(text.utf8).withUnsafeBytes { prefilter.collectHits(in: $0, into: &hits) }
        return hits
    }

    @Test func fewKeywordsAndManyKeywordsFindTheSameHits() {
        let text = "xx JQQJ99 ghp_ JQQJ99ghp_ tail JQQJ9"
        let few = hits([("JQQJ99", false), ("ghp_", false)], text)
        var many = [("JQQJ99", false), ("ghp_", false)]
        for index in 0..<10 { many.append(("kw\(index)zz", false)) }
        #expect(few == hits(many, text))
        #expect(few.map(\.position) == [3, 10, 15, 21])
        #expect(few.map(\.keyword) == [0, 1, 0, 1])
    }

    @Test func caseInsensitiveKeywordsMatchAnyCase() {
        let found = hits([("azure", true), ("JQQJ99", false)], "Azure AZURE azure jqqj99 JQQJ99")
        #expect(found.map(\.position) == [0, 6, 12, 25])
    }

    /// Every strategy (memmem, pairs at every position, pairs at every second position) must find
    /// exactly what a naive search finds: starts at odd and even positions, keywords that overlap,
    /// share pairs, end the input, or ignore case.
    @Test(arguments: 0..<40)
    func prefilterFindsWhatANaiveSearchFinds(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        let alphabet = Array("abAB_-3xyz".utf8)
        func word(_ length: Int) -> [UInt8] { (0..<length).map { _ in alphabet.randomElement(using: &rng)! } }
        let keywordCount = [2, 4, 7, 30][seed % 4]
        let shortest = seed % 5 == 0 ? 2 : 3   // a 2-byte keyword turns stride 2 off
        var keywords: [KeywordPrefilter.Keyword] = []
        while keywords.count < keywordCount {
            let keyword = KeywordPrefilter.Keyword(bytes: word(Int.random(in: shortest...6, using: &rng)), caseInsensitive: seed % 3 == 0 && keywords.count % 2 == 1)
            if !keywords.contains(keyword) { keywords.append(keyword) }
        }
        var text = word(Int.random(in: 0...300, using: &rng))
        for keyword in keywords.shuffled(using: &rng).prefix(3) {
            text.insert(contentsOf: keyword.bytes, at: Int.random(in: 0...text.count, using: &rng))
        }
        if let last = keywords.last { text += last.bytes }
        var expected: [KeywordHit] = []
        for position in text.indices {
            for (index, keyword) in keywords.enumerated() where position + keyword.bytes.count <= text.count {
                let window = text[position..<(position + keyword.bytes.count)]
                let fold: (UInt8) -> UInt8 = { keyword.caseInsensitive && $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                if window.map(fold) == keyword.bytes.map(fold) { expected.append(KeywordHit(keyword: index, position: position)) }
            }
        }
        let prefilter = KeywordPrefilter(keywords: keywords)
        var found: [KeywordHit] = []
        text.withUnsafeBytes { prefilter.collectHits(in: $0, into: &found) }
        #expect(found.sorted { ($0.position, $0.keyword) < ($1.position, $1.keyword) } == expected, "keywords \(keywords.map { String(decoding: $0.bytes, as: UTF8.self) }) in \(String(decoding: text, as: UTF8.self))")
        #expect(found.map(\.position) == found.map(\.position).sorted(), "hits must come in position order")
    }

    @Test func keywordsAtTheVeryEndAreFound() {
        #expect(hits([("abc", false)], "xxabc").map(\.position) == [2])
        #expect(hits([("abc", false), ("def", true), ("ghi", false), ("jkl", false), ("mno", false)], "xxabc").map(\.position) == [2])
    }
}

@Suite struct InputScannerTests {
    static let ruleSet = try! RuleLoader.load()

    private func occurrences(_ text: String, chunk: Int) -> [Occurrence] {
        let scanner = InputScanner(ruleSet: Self.ruleSet, chunkCapacity: chunk)
        guard case .scanned(_, let found) = scanner.scan(bytes: Array(text.utf8)) else { return [] }
        return found
    }

    @Test func tokensAcrossChunkBoundariesAreFoundOnceAtTheRightPlace() {
        var rng = SeededGenerator(seed: 9)
        let chunk = InputScanner.overlap * 2 + InputScanner.margin
        for shift in stride(from: -120, through: 120, by: 7) {
            let cask = AzureDevOpsCaskChecksum.generate(using: &rng)
            let legacy = AzureDevOpsLegacyChecksum.generate(using: &rng)
            let firstAcceptEnd = chunk - InputScanner.overlap
            let prefixCount = max(0, firstAcceptEnd + shift)
            var text = String(repeating: "line of text\n", count: prefixCount / 13)
            text += String(repeating: "-", count: prefixCount - text.utf8.count)
            text += cask + " " + legacy + "\n"
            text += String(repeating: "tail\n", count: chunk / 5)
            let found = occurrences(text, chunk: chunk)
            #expect(found.map(\.secret) == [cask, legacy], "shift \(shift)")
            let line = prefixCount / 13 + 1
            let column = prefixCount - (prefixCount / 13) * 13 + 1
            #expect(found.first?.line == line && found.first?.column == column, "shift \(shift): \(String(describing: found.first?.line)):\(String(describing: found.first?.column))")
        }
    }

    @Test func linesAndColumnsStayRightOverManyChunks() {
        var rng = SeededGenerator(seed: 10)
        let chunk = InputScanner.overlap * 2 + InputScanner.margin
        var text = ""
        var expected: [(String, Int, Int)] = []
        for index in 0..<40 {
            text += String(repeating: "x", count: index * 97 % 300) + "\n"
            text += String(repeating: "filler words here\n", count: 700)
            let token = AzureDevOpsCaskChecksum.generate(using: &rng)
            let line = text.utf8.filter { $0 == 0x0A }.count + 1
            text += "  pat=" + token + "\n"
            expected.append((token, line, 7))
        }
        let found = occurrences(text, chunk: chunk)
        #expect(found.count == expected.count)
        for (occurrence, want) in zip(found, expected) {
            #expect(occurrence.secret == want.0 && occurrence.line == want.1 && occurrence.column == want.2)
        }
    }

    @Test func encodingIsSniffedFromTheFirstBytes() {
        func sniff(_ bytes: [UInt8]) -> InputEncoding { bytes.withUnsafeBytes { InputEncoding.sniff($0) } }
        #expect(sniff(Array("plain text".utf8)) == .bytes)
        #expect(sniff([0xFF, 0xFE, 0x41, 0x00]) == .utf16(bigEndian: false))
        #expect(sniff([0xFE, 0xFF, 0x00, 0x41]) == .utf16(bigEndian: true))
        #expect(sniff(Array("hello world".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })) == .utf16(bigEndian: false))
        #expect(sniff(Array("hello world".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })) == .utf16(bigEndian: true))
        #expect(sniff([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]) == .binary)
    }

    @Test func entropyIsShannonBitsPerByte() {
        func entropy(_ text: String) -> Double { Array(text.utf8).withUnsafeBytes { Entropy.bitsPerByte($0) } }
        #expect(entropy("") == 0)
        #expect(entropy("aaaa") == 0)
        #expect(entropy("abab") == 1)
        #expect(abs(entropy("abcdefgh") - 3) < 1e-12)
    }
}

@Suite struct GlobTests {
    @Test(arguments: [
        ("tests/fixtures/", "tests/fixtures/a.txt", true),
        ("tests/fixtures", "tests/fixtures/deep/a.txt", true),
        ("tests/fixtures", "src/tests/fixtures/a.txt", false),
        ("fixtures", "src/tests/fixtures/a.txt", true),
        ("*.snap", "a/b/c.snap", true),
        ("*.snap", "a/b/c.snap.txt", false),
        ("docs/**/*.md", "docs/a/b/c.md", true),
        ("docs/**/*.md", "docs/c.md", true),
        ("docs/*.md", "docs/a/c.md", false),
        ("/build", "build/x", true),
        ("/build", "src/build/x", false),
        ("**/secret?.txt", "x/y/secret1.txt", true),
        (".env", ".env", true),
        ("*.env", "config/.env", true),
        // Inside an archive, `!` counts as a folder separator; a name holding a `!` still matches whole.
        ("*.env", "build/config.zip!app/.env", true),
        ("**/fixtures/**", "bundle.zip!fixtures/x.env", true),
        ("config.zip", "config.zip!a.tar.gz!b/c.env", true),
        ("app/.env", "config.zip!app/.env", false),
        ("config.zip/app/.env", "config.zip!app/.env", true),
        ("hello!world.txt", "docs/hello!world.txt", true),
    ])
    func globsMatchLikeGitignore(pattern: String, path: String, expected: Bool) {
        #expect(Glob(pattern).matches(path) == expected, "\(pattern) vs \(path)")
    }
}
