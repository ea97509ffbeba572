import Foundation
import Testing
@testable import PatrolKit

/// The fast paths of issue 14's dense inputs (every line a finding) must give exactly what the
/// slower code they replace gave: entropy to the last bit (a floor compares with it), redacted
/// forms, rendered snippets, numbers and fingerprints byte for byte.
@Suite struct ReportFastPathTests {
    /// The entropy as `Entropy.bitsPerByte` computed it before its terms were looked up.
    static func referenceEntropy(_ bytes: [UInt8]) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            entropy -= p * log2(p)
        }
        return entropy
    }

    @Test func entropyIsBitForBitTheSameAtEveryLengthAndSpread() {
        var rng = SeededGenerator(seed: 14)
        for length in 1...160 {
            // Few distinct bytes, base64-like, and any byte at all.
            for alphabet in [4, 64, 256] {
                for _ in 0..<8 {
                    let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: Int(rng.next() % UInt64(alphabet)) * (alphabet == 4 ? 61 : 1)) }
                    let fast = bytes.withUnsafeBytes { Entropy.bitsPerByte($0) }
                    let reference = Self.referenceEntropy(bytes)
                    #expect(fast.bitPattern == reference.bitPattern, "entropy of \(bytes): \(fast), reference \(reference)")
                }
            }
        }
    }

    /// `Redaction.redact` as it was: by `Character`s.
    static func referenceRedact(_ secret: String) -> String {
        let characters = Array(secret)
        let visible = characters.count > 8 ? 4 : min(characters.count / 4, 4)
        return String(characters.prefix(visible)) + "…(\(secret.utf8.count))"
    }

    @Test(arguments: ["", "a", "abc", "abcd", "abcdefgh", "abcdefghi", "AKIAIOSFODNN7EXAMPL", "a\r\nbcdefghij", "\r\n\r\n\r\nxy", "é", "ééééééééé", "ab\u{301}cdefghij", "tab\there-and-more"])
    func redactionOfBytesAndOfTextAgreesWithCharacterCounting(_ secret: String) {
        #expect(Redaction.redact(secret) == Self.referenceRedact(secret))
        var appended: [UInt8] = []
        Redaction.appendRedacted(Array(secret.utf8)[...], to: &appended)
        #expect(String(decoding: appended, as: UTF8.self) == Self.referenceRedact(secret))
        var fromText: [UInt8] = [UInt8(ascii: "x")]
        Redaction.appendRedacted(secret, to: &fromText)
        #expect(String(decoding: fromText, as: UTF8.self) == "x" + Self.referenceRedact(secret))
    }

    @Test func aRedactedSecretReadBackStaysAsItIs() {
        var text: [UInt8] = []
        Redaction.appendRedacted("ghp_…(40)", to: &text)
        #expect(String(decoding: text, as: UTF8.self) == "ghp_…(40)")
    }

    /// `Snippet.render` as it was: a `String` decoded per piece.
    static func referenceRender(_ snippet: Snippet) -> String {
        var text = ""
        var cursor = 0
        for span in snippet.secretSpans {
            text += String(decoding: snippet.bytes[cursor..<span.lowerBound], as: UTF8.self)
            text += referenceRedact(String(decoding: snippet.bytes[span], as: UTF8.self))
            cursor = span.upperBound
        }
        return text + String(decoding: snippet.bytes[cursor...], as: UTF8.self)
    }

    @Test func snippetBytesAreTheRenderedTextEvenWhenSpansCutACharacter() {
        let euro = Array("€".utf8)   // E2 82 AC
        let cases: [Snippet] = [
            Snippet(bytes: Array("key = AKIAIOSFODNN7EXAMPLE and more".utf8), secretSpans: [6..<26]),
            // A span that starts inside `€`: each piece is repaired alone, as before.
            Snippet(bytes: Array("x ".utf8) + euro + Array("abcdefghijkl y".utf8), secretSpans: [3..<17]),
            Snippet(bytes: [0xFF, 0x41] + Array("secretsecret".utf8) + [0xC3], secretSpans: [1..<14]),
            Snippet(bytes: Array("a=ghp_one b=ghp_two".utf8), secretSpans: [2..<9, 12..<19]),
            Snippet(bytes: Array("no secret".utf8), secretSpans: []),
        ]
        for snippet in cases {
            #expect(String(decoding: snippet.renderedUTF8(showSecrets: false), as: UTF8.self) == Self.referenceRender(snippet), "\(snippet.bytes)")
            #expect(snippet.render(showSecrets: false) == Self.referenceRender(snippet))
            #expect(snippet.renderedUTF8(showSecrets: true) == Array(String(decoding: snippet.bytes, as: UTF8.self).utf8))
        }
    }

    @Test(arguments: [0, 1, 9, 10, 99, 100, 12345, -1, -10, -987654, Int.max, Int.min])
    func numbersAreWrittenAsStringDescribesThem(_ number: Int) {
        var bytes: [UInt8] = []
        JSONWriter.appendDecimal(number, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(number))
    }

    @Test func stringsAreEscapedAsBefore() {
        var text = ""
        for byte in UInt8(0)..<0x80 { text.unicodeScalars.append(Unicode.Scalar(byte)) }
        text += "é€😀\u{2028}"
        var bytes: [UInt8] = []
        JSONWriter.appendString(text, to: &bytes)
        let decoded = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
        #expect(decoded == text)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#""\u0000\u0001"#))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"\t\n\u000b\u000c\r"#))
        #expect(String(decoding: bytes, as: UTF8.self).contains(##"!\"#$"##))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"[\\]"#))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"~\u007f"#))
    }

    @Test func fingerprintIsTheFirst32HexDigitsOfTheDigest() {
        // hashlib.sha256(b"aws-access-key\x00AKIAEXAMPLE").hexdigest()[:32], worked out apart.
        #expect(Finding.fingerprint(rule: "aws-access-key", secret: "AKIAEXAMPLE") == "3795e43ff907b0d2b9ec61b3af112246")
    }

    /// The report streamed in small pieces is the report rendered whole.
    @Test func streamedReportIsTheRenderedOne() {
        var findings: [Finding] = []
        for line in 1...50 {
            findings.append(Finding(
                rule: "aws-access-key", ruleName: "AWS", provider: "aws", confidence: .medium,
                secret: "secret\(line)secret\(line)", fingerprint: Fingerprint(rule: "aws-access-key", secret: "s\(line)"),
                path: "a \"b\"\n.txt", line: line, column: 3, endLine: line, endColumn: 20,
                snippet: Snippet(bytes: Array("k = secret\(line)secret\(line)".utf8), secretSpans: [4..<(16 + 2 * String(line).count)]),
                decoded: "none", validated: nil, verified: nil, context: FindingContext(["id": "AKIA\(line)", "b": "x"]),
                commit: nil, author: nil, authorDate: nil, commitDate: nil,
                locations: [Location(path: "a \"b\"\n.txt", line: line, column: 3)]
            ))
        }
        let report = ScanReport(target: ScanTarget(kind: "files", root: "/r"), findings: findings, skipped: [], errors: [], warnings: [], stats: ScanStats())
        let whole = JSONReport.render(report, toolVersion: "t", showSecrets: false)
        var pieces: [[UInt8]] = []
        JSONReport.stream(report, toolVersion: "t", showSecrets: false, chunkSize: 256) { pieces.append(Array($0)) }
        #expect(pieces.count > 10)
        #expect(String(decoding: pieces.flatMap { $0 }, as: UTF8.self) == whole)
        let parsed = try? JSONSerialization.jsonObject(with: Data(whole.utf8)) as? [String: Any]
        #expect((parsed?["findings"] as? [Any])?.count == 50)
    }

    /// Findings of every shape a report holds: escapes and invalid UTF-8 in paths, secrets and
    /// snippets, messages and tags, no context or several keys, one location or many, commits.
    static func oddFindings() -> [Finding] {
        var findings: [Finding] = []
        let paths = ["plain.txt", "a \"quoted\"\n\tname\u{1B}[31m.env", "dir/é€😀.yml", String(decoding: [0x66, 0xFF, 0x2E, 0x74], as: UTF8.self)]
        let secrets = ["AKIA0123456789ABCDEF", "ab\"c\\d\u{7F}\u{01}efghij", "é€😀é€😀é€😀", "short", "a\r\nbcdefghij", "ghp_…(40)", ""]
        let contexts: [[String: String]] = [[:], ["access_key_id": "AKIA1"], ["org": "contoso", "b\"k": "v\n", "a": "é"]]
        var line = 1
        for path in paths {
            for secret in secrets {
                for context in contexts {
                    line += 1
                    let bytes = Array("k = \(secret) and \u{0}\u{1F} more".utf8) + [0xFF, 0xC3]
                    let span = 4..<(4 + secret.utf8.count)
                    var finding = Finding(
                        rule: "rule-\(line % 3)", ruleName: "Rule", provider: line % 2 == 0 ? "aws" : "gé\"n", confidence: line % 2 == 0 ? .high : .low,
                        secret: secret, fingerprint: Fingerprint(rule: "r", secret: secret),
                        path: path, line: line, column: line % 7, endLine: line + 1, endColumn: -3,
                        snippet: Snippet(bytes: bytes, secretSpans: secret.isEmpty ? [] : [span]),
                        decoded: line % 2 == 0 ? "none" : "base64", validated: [true, false, nil][line % 3], verified: [nil, true, false][line % 3],
                        context: FindingContext(context),
                        commit: line % 2 == 0 ? nil : "0123456789abcdef0123456789abcdef01234567", author: line % 2 == 0 ? nil : "A \"B\" <a@b>",
                        authorDate: line % 2 == 0 ? nil : "2026-12-07T10:00:00Z", commitDate: line % 4 == 1 ? "2026-12-07T11:00:00Z" : nil,
                        // Every fourth: its own location alone, held without an array.
                        locations: line % 4 == 0 ? nil : (0..<(1 + line % 3)).map { Location(path: path, line: line + $0, column: $0, commit: $0 == 1 ? "abc" : nil, authorDate: $0 == 2 ? "d" : nil, origin: $0 == 2 ? .note : .file) },
                        origin: line % 8 == 0 ? .note : .file
                    )
                    if line % 5 == 0 { finding.origin = .commitMessage }
                    if line % 7 == 0 {
                        finding.origin = .tagMessage
                        finding.tag = "v1.\"2\""
                    }
                    findings.append(finding)
                }
            }
        }
        findings.append(Finding(
            rule: "r", ruleName: "R", provider: "p", confidence: .medium, secret: "s", fingerprint: Fingerprint("f"), path: "p", line: 1, column: 1,
            endLine: 1, endColumn: 2, snippet: Snippet(bytes: [], secretSpans: []), decoded: "none", validated: nil, verified: nil,
            context: .empty, commit: nil, author: nil, authorDate: nil, commitDate: nil, locations: []
        ))
        return findings
    }

    /// A finding written whole through a cursor is byte for byte the one written field by field,
    /// in the report (pretty, inside the findings array) and in JSON Lines, redacted or not.
    @Test(arguments: [false, true])
    func findingWrittenThroughACursorIsTheOneWrittenFieldByField(_ showSecrets: Bool) {
        for pretty in [true, false] {
            var fast = JSONWriter(pretty: pretty), reference = JSONWriter(pretty: pretty)
            for writer in [0, 1] {
                if writer == 0 { fast.beginObject(); fast.beginArray("findings") } else { reference.beginObject(); reference.beginArray("findings") }
            }
            for finding in Self.oddFindings() {
                JSONReport.write(finding, to: &fast, showSecrets: showSecrets)
                JSONReport.writeFields(finding, to: &reference, showSecrets: showSecrets)
            }
            for writer in [0, 1] {
                if writer == 0 { fast.endArray(); fast.endObject() } else { reference.endArray(); reference.endObject() }
            }
            #expect(fast.bytes == reference.bytes, "pretty: \(pretty)")
            #expect(fast.bytes.count > 40_000)
            #expect((try? JSONSerialization.jsonObject(with: Data(fast.bytes))) != nil)
        }
        for finding in Self.oddFindings() {
            var reference = JSONWriter(pretty: false)
            JSONReport.writeFields(finding, to: &reference, showSecrets: showSecrets)
            #expect(JSONLinesReport.line(finding, showSecrets: showSecrets) == reference.output + "\n")
        }
    }

    /// The room reserved for a finding holds what is written into it, however odd the finding.
    @Test func roomReservedForAFindingIsNeverExceeded() {
        for finding in Self.oddFindings() {
            for showSecrets in [false, true] {
                for level in [0, 2, 9] {
                    let room = JSONReport.room(finding, level: level)
                    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: room)
                    defer { buffer.deallocate() }
                    var cursor = ByteCursor(base: buffer, limit: room, pretty: true)
                    JSONReport.writeObject(finding, level: level, showSecrets: showSecrets, to: &cursor)
                    #expect(cursor.count <= room)
                }
            }
        }
    }
}

