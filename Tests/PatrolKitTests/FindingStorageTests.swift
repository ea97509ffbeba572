import Crypto
import Foundation
import Testing
@testable import PatrolKit

/// A finding's fingerprint, context and single location are held inline (a file with a finding
/// on every line makes 160,000 of them); what they read as must be what they were given.
@Suite struct FindingStorageTests {
    static func finding(context: [String: String] = [:], locations: [Location]? = nil, origin: FindingOrigin = .file, commit: String? = nil) -> Finding {
        Finding(
            rule: "aws-access-key", ruleName: "AWS", provider: "aws", confidence: .medium, secret: "s3cr3t",
            fingerprint: Fingerprint(rule: "aws-access-key", secret: "s3cr3t"),
            path: "a/b.env", line: 3, column: 7, endLine: 3, endColumn: 12,
            snippet: Snippet(bytes: Array("k = s3cr3t".utf8), secretSpans: [4..<10]),
            decoded: "none", validated: nil, verified: nil, context: FindingContext(context),
            commit: commit, author: nil, authorDate: commit == nil ? nil : "2026-12-07T10:00:00Z", commitDate: nil,
            locations: locations, origin: origin
        )
    }

    /// The fingerprint as SHA-256 over the rule, a NUL and the secret, in hex, computed the
    /// plain way.
    static func referenceFingerprint(rule: String, secret: String) -> String {
        let digest = Array(SHA256.hash(data: Array(rule.utf8) + [0] + Array(secret.utf8)))
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    @Test func aFingerprintMadeInlineReadsAsTheHexDigestAndBackFromText() {
        for secret in ["s3cr3t", "", "é€😀", String(repeating: "x", count: 300)] {
            let made = Fingerprint(rule: "aws-access-key", secret: secret)
            let text = Finding.fingerprint(rule: "aws-access-key", secret: secret)
            #expect(text == Self.referenceFingerprint(rule: "aws-access-key", secret: secret))
            #expect(made.text == text)
            #expect(made.utf8Count == 32)
            // Read back from a report: the same value, so findings compare equal.
            #expect(Fingerprint(text) == made)
            if case .digest = Fingerprint(text) {} else { Issue.record("32 lowercase hex digits are held as a digest") }
        }
        // Anything else is kept as it is, byte for byte.
        for text in ["f", "", "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdef0", "0123456789abcdef0123456789abcdeg", "é"] {
            #expect(Fingerprint(text).text == text)
            #expect(Fingerprint(text).utf8Count == text.utf8.count)
            if case .other = Fingerprint(text) {} else { Issue.record("\(text) is not a digest") }
        }
        var finding = Self.finding()
        finding.fingerprint = "other"
        #expect(finding.fingerprint == "other")
    }

    @Test func aContextOfNoneOneOrManyEntriesReadsAsItsDictionary() {
        for values in [[:], ["access_key_id": "AKIA1"], ["org": "contoso", "a": "é", "b": ""]] {
            let context = FindingContext(values)
            #expect(context.dictionary == values)
            #expect(context.isEmpty == values.isEmpty)
            #expect(context.sorted.map(\.name) == values.keys.sorted())
            for (name, value) in values { #expect(context[name] == value) }
            #expect(context["missing"] == nil)
            #expect(context == FindingContext(context.dictionary))
        }
        // A merge keeps what is there and adds what is not.
        var context = FindingContext(["a": "1"])
        context.merge(FindingContext(["a": "2", "b": "3"]))
        #expect(context.dictionary == ["a": "1", "b": "3"])
        context.merge(.empty)
        #expect(context.dictionary == ["a": "1", "b": "3"])
        var empty = FindingContext.empty
        empty.merge(FindingContext(["c": "4"]))
        #expect(empty == .one(name: "c", value: "4"))
        // Through the finding, as verify and sweeps change it.
        var finding = Self.finding(context: ["access_key_id": "AKIA1"])
        #expect(finding.context == ["access_key_id": "AKIA1"])
        finding.context["org"] = "contoso"
        #expect(finding.context == ["access_key_id": "AKIA1", "org": "contoso"])
        finding.context = [:]
        #expect(finding.contextValues == .empty)
    }

    @Test func aFindingsOwnLocationReadsAsOneLocationAndStaysWhereItWasWhenTheFindingMoves() {
        let own = Location(path: "a/b.env", line: 3, column: 7)
        let plain = Self.finding()
        #expect(plain.locations == [own])
        #expect(plain.otherLocations == nil)
        // Given as a list, the same location is held the same way: the findings are equal.
        #expect(Self.finding(locations: [own]) == plain)
        #expect(Self.finding(locations: [own]).otherLocations == nil)
        // Other lists are kept as they are, an empty one too.
        let two = [own, Location(path: "a/b.env", line: 9, column: 1)]
        #expect(Self.finding(locations: two).locations == two)
        #expect(Self.finding(locations: []).locations == [])
        #expect(Self.finding(locations: [Location(path: "x", line: 1, column: 1)]).locations == [Location(path: "x", line: 1, column: 1)])
        // In a commit, on a note: the location has the commit, date and origin.
        let noted = Self.finding(origin: .note, commit: "abc")
        #expect(noted.locations == [Location(path: "a/b.env", line: 3, column: 7, commit: "abc", authorDate: "2026-12-07T10:00:00Z", origin: .note)])
        // A finding whose path, line, column, origin, commit or date changes keeps the location
        // the secret was seen at.
        for change in 0..<6 {
            var moved = Self.finding(commit: "abc")
            let before = moved.locations
            switch change {
            case 0: moved.path = "elsewhere"
            case 1: moved.line = 40
            case 2: moved.column = 1
            case 3: moved.origin = .commitMessage
            case 4: moved.commit = "def"
            default: moved.authorDate = nil
            }
            #expect(moved.locations == before, "change \(change)")
        }
        // Set to what it already is, nothing changes.
        var same = Self.finding()
        same.path = "a/b.env"
        same.origin = .file
        #expect(same == plain)
        // Set back to the finding's own location, it is held inline again.
        var back = Self.finding(locations: two)
        back.locations = [own]
        #expect(back == plain)
    }

    @Test func secretSpansHeldInlineOrInAnArrayReadAsTheyWereGivenAndMergeAsBefore() {
        for ranges in [[], [4..<10], [0..<0], [2..<9, 12..<19], [0..<3, 3..<5, 8..<20], [0..<(Int(UInt32.max) + 5)]] {
            let spans = SecretSpans(ranges)
            #expect(spans.ranges == ranges)
            #expect(spans.count == ranges.count)
            #expect(spans.first == ranges.first)
            #expect(spans.withRanges { Array($0) } == ranges)
            var snippet = Snippet(bytes: Array("a=ghp_one b=ghp_two and more".utf8), secretSpans: ranges)
            #expect(snippet.secretSpans == ranges)
            snippet.secretSpans = [1..<2]
            #expect(snippet == Snippet(bytes: snippet.bytes, secretSpans: [1..<2]))
        }
        // Appended in order, overlapping spans merged: what the scanner did with an array.
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            var reference: [Range<Int>] = [], spans = SecretSpans.none
            var start = 0
            for _ in 0..<Int(rng.next() % 5) {
                start += Int(rng.next() % 6)
                let span = start..<(start + Int(rng.next() % 9))
                if let last = reference.last, last.upperBound > span.lowerBound {
                    reference[reference.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
                } else {
                    reference.append(span)
                }
                spans.append(span)
            }
            #expect(spans.ranges == reference)
            #expect(spans == SecretSpans(reference))
        }
    }
}
