import Foundation
import PatrolRules
import Testing
@testable import PatrolKit

/// The fuzz target of issue 14: every reader of outside input — the diff parser, the rule-file
/// and config loaders, the baseline reader and the JSON report reader that `verify`, `revoke`
/// and `remediate` use — is fed a corpus of mutated real inputs and random bytes, in process, so
/// a trap (an overflow, an index out of range, a stack overflow) crashes the test run. Each
/// reader must give a result or its typed error.
///
/// Deterministic and count-bounded, not time-bounded: the same seeds give the same inputs on
/// every machine, so a failure is reproduced by its seed (printed in the message) and CI time
/// stays at a few seconds. Raise `FuzzCorpus.rounds` locally for a longer run.
@Suite struct FuzzTests {
    @Test func diffParserNeverTraps() throws {
        let seeds = FuzzCorpus.diffSeeds
        for round in 0..<FuzzCorpus.rounds {
            let input = FuzzCorpus.input(round: round, seeds: seeds, salt: 1)
            let outcome = try FuzzCorpus.readDiff(input)
            // A result (files with their added lines) or a parse error naming a line: nothing else.
            if case .failure(let error) = outcome {
                #expect(error.line >= 1 && !error.reason.isEmpty, "round \(round): \(error)")
            }
        }
    }

    @Test func ruleFileParserAndRuleCompilerNeverTrap() {
        let seeds = FuzzCorpus.ruleSeeds
        for round in 0..<FuzzCorpus.rounds {
            let text = String(decoding: FuzzCorpus.input(round: round, seeds: seeds, salt: 2), as: UTF8.self)
            do throws(RuleError) {
                let (provider, rules) = try RuleFileParser.parse(text, file: "fuzz.yml")
                _ = try RuleSet(providers: [provider], rules: rules, checkRegexesOf: ["fuzz.yml"])
            } catch {
                #expect(!error.description.isEmpty, "round \(round)")
            }
        }
    }

    @Test func configParserNeverTraps() {
        let seeds = FuzzCorpus.configSeeds
        for round in 0..<FuzzCorpus.rounds {
            let text = String(decoding: FuzzCorpus.input(round: round, seeds: seeds, salt: 3), as: UTF8.self)
            do throws(RuleError) {
                _ = try PatrolConfig.parse(text, file: ".patrol.yml")
            } catch {
                #expect(!error.description.isEmpty, "round \(round)")
            }
        }
    }

    @Test func baselineReaderNeverTraps() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(".patrol-baseline.json")
        let seeds = FuzzCorpus.baselineSeeds
        for round in 0..<FuzzCorpus.rounds {
            try Data(FuzzCorpus.input(round: round, seeds: seeds, salt: 4)).write(to: file)
            do throws(RuleError) {
                let baseline = try Baseline.load(file: file.path)
                _ = baseline.rendered()
            } catch {
                #expect(!error.description.isEmpty, "round \(round)")
            }
        }
    }

    @Test func reportReaderNeverTraps() {
        let seeds = FuzzCorpus.reportSeeds
        for round in 0..<FuzzCorpus.rounds {
            let input = FuzzCorpus.input(round: round, seeds: seeds, salt: 5)
            do throws(RemediationError) {
                let report = try LeakReport.parse(input, source: "<fuzz>")
                let file = Array("line one\nTOKEN=ghp_example\n".utf8)
                for entry in report.entries {
                    _ = ReportPath.bytes(of: entry.finding.path)
                    // Where remediate and verify look for a redacted secret again.
                    _ = ByteSearch.offset(line: entry.finding.line, column: entry.finding.column, in: file)
                }
            } catch {
                #expect(!error.description.isEmpty, "round \(round)")
            }
        }
    }

    @Test func pathTextRoundTripsAnyBytes() {
        var rng = SeededGenerator(seed: 0x5A7E)
        for round in 0..<FuzzCorpus.rounds * 4 {
            let length = Int.random(in: 0...24, using: &rng)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let shown = ReportPath.display(bytes)
            #expect(ReportPath.bytes(of: shown) == bytes, "round \(round): \(bytes) shown as \(shown)")
            #expect(!TerminalText.escaped(shown).unicodeScalars.contains(where: TerminalText.needsEscape), "round \(round): \(shown)")
        }
    }

    @Test func corpusIsTheSameOnEveryRun() {
        #expect(FuzzCorpus.input(round: 7, seeds: FuzzCorpus.diffSeeds, salt: 1) == FuzzCorpus.input(round: 7, seeds: FuzzCorpus.diffSeeds, salt: 1))
    }
}

/// Seeds and mutations for `FuzzTests`.
enum FuzzCorpus {
    static let rounds = 400

    /// Round `round`'s input: one in eight is random bytes, the others a seed mutated one to
    /// four times. `salt` keeps the targets' sequences apart.
    static func input(round: Int, seeds: [[UInt8]], salt: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: salt &* 0x1_0000_0001 &+ UInt64(round))
        if round % 8 == 7 {
            return (0..<Int.random(in: 0...2048, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        var bytes = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        for _ in 0..<Int.random(in: 1...4, using: &rng) { mutate(&bytes, using: &rng) }
        return bytes
    }

    /// Fragments that break parsers: numbers at the edges of Int, nesting, quotes, escapes,
    /// NUL, colour codes, UTF-16 marks, YAML anchors and tags, diff markers.
    static let fragments: [[UInt8]] = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999999", "18446744073709551616",
        "-1", "0", "1e308", "NaN", "\u{0}", "\u{1B}[31m", "\u{1B}[m", "\"", "\\", "\\377", "{", "}", "[", "]",
        ": ", "- ", "\n", "\r\n", "\t", "&a ", "*a", "!!binary ", "<<: *a\n", "~", "null", "true", "'",
        "@@ -1 +1 @@\n", "@@ -9223372036854775807,1 +9223372036854775807,2 @@\n", "\n+", "\n-", "\n ",
        "+++ b/", "--- a/", "diff --git a/x b/x\n", "\\ No newline at end of file\n", "{99999999999999999999}",
        "{2147483648}", "(?<secret>", ")", "(", "\u{FEFF}", "é", "\u{202E}",
    ].map { Array($0.utf8) } + [[0xFF, 0xFE], [0xFE, 0xFF], [0xC3], [0xED, 0xA0, 0x80],
        Array(repeating: UInt8(ascii: "["), count: 300), Array(repeating: UInt8(ascii: "{"), count: 300),
        Array(repeating: UInt8(ascii: "("), count: 300)]

    static func mutate(_ bytes: inout [UInt8], using rng: inout SeededGenerator) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0 where !bytes.isEmpty:   // flip a bit
            let index = min(position, bytes.count - 1)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        case 1, 2:                     // insert a fragment
            bytes.insert(contentsOf: fragments[Int.random(in: 0..<fragments.count, using: &rng)], at: position)
        case 3 where !bytes.isEmpty:   // delete a run
            let end = min(bytes.count, position + Int.random(in: 1...64, using: &rng))
            if position < end { bytes.removeSubrange(position..<end) }
        case 4 where !bytes.isEmpty:   // duplicate a run
            let end = min(bytes.count, position + Int.random(in: 1...256, using: &rng))
            if position < end { bytes.insert(contentsOf: bytes[position..<end], at: position) }
        case 5:                        // truncate
            bytes.removeSubrange(position...)
        default:                       // replace a digit run by a huge number
            if let digit = bytes[position...].firstIndex(where: { (0x30...0x39).contains($0) }) {
                let end = bytes[digit...].firstIndex { !(0x30...0x39).contains($0) } ?? bytes.count
                bytes.replaceSubrange(digit..<end, with: Array("92233720368547758079".utf8))
            }
        }
    }

    // MARK: seeds

    static let diffSeeds: [[UInt8]] = [
        """
        diff --git a/app.txt b/app.txt
        index 1111111..2222222 100644
        --- a/app.txt
        +++ b/app.txt
        @@ -1,2 +1,3 @@
         one
        -two
        +2
        +three
        \\ No newline at end of file
        diff --git "a/my\\tfile.txt" "b/my\\tfile.txt"
        new file mode 100644
        --- /dev/null
        +++ "b/my\\tfile.txt"
        @@ -0,0 +1 @@
        +pat: value

        """,
        "\u{1}0123456789abcdef0123456789abcdef01234567\u{2}A <a@b>\u{2}2024-01-01T00:00:00Z\u{2}2024-01-01T00:00:00Z\ndiff --cc merged.txt\n@@@ -1,1 -1,1 +1,2 @@@\n  base\n++both\n",
        "--- old.txt\t2024-01-01 00:00:00\n+++ new.txt\t2024-01-01 00:00:01\n@@ -1 +1,2 @@\n-a\n+b\n+c\n",
        "\u{1B}[1mdiff --git a/c.txt b/c.txt\u{1B}[m\n\u{1B}[1m--- a/c.txt\u{1B}[m\n\u{1B}[1m+++ b/c.txt\u{1B}[m\n\u{1B}[36m@@ -0,0 +1 @@\u{1B}[m\n\u{1B}[32m+x\u{1B}[m\n",
        "diff --git a/r b/s\nsimilarity index 90%\nrename from r\nrename to s\nBinary files a/r and b/s differ\n",
    ].map { Array($0.utf8) }

    static let ruleSeeds: [[UInt8]] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("patterns")
        let files = ["github.yml", "azure-devops.yml", "generic.yml", "slack.yml"]
        return files.compactMap { try? Data(contentsOf: folder.appendingPathComponent($0)) }.map { Array($0) } + [Array("""
            provider:
              id: fuzz
              name: Fuzz
            rules:
              - id: fuzz-token
                name: Fuzz token
                regex: '(?<secret>fz_[A-Za-z0-9]{30}[a-f]{2,4})'
                keywords: [fz_]
                confidence: medium
                entropy: 3.0
                paths: {include: ["**/*.env"], exclude: []}
                allow: ['^fz_0+']

            """.utf8)]
    }()

    static let configSeeds: [[UInt8]] = [
        """
        # patrol configuration
        allow:
          paths: ["fixtures/**", "*.md"]
          regexes: ['^EXAMPLE']
          stopwords: [example, dummy]
        rules:
          disable: [generic-secret]
          extra: rules
        generic: false

        """,
        "# only comments\n",
        "allow: {paths: [a], regexes: [b]}\nrules: {disable: []}\n",
    ].map { Array($0.utf8) }

    static let baselineSeeds: [[UInt8]] = [
        """
        {
          "version": 1,
          "entries": [
            {"fingerprint": "0123456789abcdef0123456789abcdef", "rule": "github-pat", "path": "a/b.txt"},
            {"fingerprint": "fedcba9876543210fedcba9876543210", "rule": "aws-key", "path": "\\"bad\\\\377.txt\\""}
          ]
        }

        """,
    ].map { Array($0.utf8) }

    static let reportSeeds: [[UInt8]] = [
        """
        {"version": 1, "tool": {"name": "patrol", "version": "1.0.0"},
         "target": {"kind": "directory", "root": "/work/repo", "revs": []},
         "findings": [{"rule": "github-pat", "provider": "github", "confidence": "high",
           "secret": "ghp_…(40)", "redacted": true, "fingerprint": "0123456789abcdef0123456789abcdef",
           "path": "src/app.env", "line": 2, "column": 9223372036854775807, "end_line": 3, "end_column": 45,
           "snippet": "TOKEN=ghp_…(40)", "decoded": "none", "validated": true, "verified": null,
           "context": {"org": "contoso"}, "commit": null, "author": null, "author_date": null, "commit_date": null,
           "locations": [{"path": "src/app.env", "line": 3, "column": 5, "commit": null, "author_date": null}]}],
         "skipped": [{"path": "big.bin", "reason": "too-large"}], "errors": [],
         "stats": {"files": 1, "blobs": 0, "bytes": 100, "seconds": 0.01, "rejected_by_validator": 0}}

        """,
    ].map { Array($0.utf8) }

    /// Runs the diff reader over `input` through a file descriptor, as `patrol diff -` does.
    static func readDiff(_ input: [UInt8]) throws -> Result<[AddedLines], DiffParseError> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-fuzz-diff-\(UUID().uuidString)").path
        try Data(input).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadUnknown) }
        defer { close(descriptor) }
        var reader = UnifiedDiffReader(descriptor: descriptor)
        var files: [AddedLines] = []
        do throws(DiffParseError) {
            try reader.read { files.append($0) }
            return .success(files)
        } catch {
            return .failure(error)
        }
    }
}
