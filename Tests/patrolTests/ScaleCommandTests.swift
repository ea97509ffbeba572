import Foundation
import Testing

/// Cost that must not grow faster than the input (issue 17): many locations of one secret, a
/// scanned repository's own backtracking rule, and reports of 200,000 findings read back.
@Suite struct ScaleCommandTests {
    @Test func oneTokenOn200kLinesIsOneFindingWithEveryLocation() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 17)
        let lines = 200_000
        var text = ""
        text.reserveCapacity(lines * (token.count + 16))
        for _ in 0..<lines { text += "token = \(token)\n" }
        try folder.write("many.txt", text)
        let result = try patrol(["scan", folder.path, "--format", "json", "--threads", "1"])
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try result.findings().filter { $0["rule"] as? String == "github-pat" }
        try #require(findings.count == 1, "expected one github-pat finding, got \(findings.count)")
        let locations = try #require(findings[0]["locations"] as? [[String: Any]])
        #expect(locations.count == lines)
        #expect(locations.first?["line"] as? Int == 1)
        #expect(locations.last?["line"] as? Int == lines)
        #expect(locations.last?["column"] as? Int == 9)
        #expect(findings[0]["line"] as? Int == 1)
    }

    /// `(a+)+$` backtracks exponentially on a line of a's that does not end there: without a
    /// budget each such line cost PCRE2's default ten million steps.
    static let backtrackingRule = """
        provider: {id: slowco, name: SlowCo}
        rules:
          - id: slowco-key
            name: SlowCo key
            regex: 'slowco=(?<secret>([a-z]+)+)$'
            keywords: [slowco=]
            confidence: low
            examples: ["slowco=qwzmxnrtvbkp"]
        """

    @Test func backtrackingRuleOfTheScannedRepositoryIsCutOffReportedOnceAndTheScanGoesOn() throws {
        let folder = try TemporaryFolder()
        try folder.write("rules/slowco.yml", Self.backtrackingRule)
        try folder.write(".patrol.yml", "rules:\n  extra: rules\n")
        let token = Tokens.github(seed: 18)
        var text = ""
        for _ in 0..<6_000 { text += "slowco=" + String(repeating: "a", count: 40) + "!\n" }
        text += "github_token = \(token)\n"
        try folder.write("src/slow.txt", text)
        let result = try patrol(["scan", folder.path, "--format", "json", "--threads", "1"], in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try result.findings()
        #expect(findings.contains { $0["rule"] as? String == "github-pat" }, "the token after the slow lines was lost: \(result.stdout.prefix(500))")
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("rule slowco-key hit its match limit") }
        #expect(warnings.count == 1, "\(result.stderr)")
        #expect(warnings.first?.contains("src/slow.txt") == true, "\(result.stderr)")
        #expect(!result.stderr.contains("github-pat hit"), "\(result.stderr)")
    }

    @Test func backtrackingRuleHitOnceStillReportsItsOtherMatches() throws {
        let folder = try TemporaryFolder()
        try folder.write("rules/slowco.yml", Self.backtrackingRule)
        try folder.write("a.txt", "slowco=" + String(repeating: "a", count: 40) + "!\nslowco=qwzmxnrtvbkpqwzmxnrtvbkpqwzmxn\n")
        let result = try patrol(["scan", folder.url.appendingPathComponent("a.txt").path, "--rules", folder.url.appendingPathComponent("rules").path, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try result.findings().map { $0["line"] as? Int } == [2])
        #expect(result.stderr.contains("rule slowco-key hit its match limit in"), "\(result.stderr)")
        #expect(result.stderr.contains("results for it may be incomplete"), "\(result.stderr)")
    }

    /// A report of `count` findings, each a distinct secret (made here, never committed).
    static func report(findings count: Int, root: String) -> Data {
        var text = #"{"version": 1, "tool": {"name": "patrol", "version": "test"}, "target": {"kind": "directory", "root": "\#(root)", "revs": null}, "findings": ["#
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for index in 0..<count {
            let secret = String((0..<32).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let fingerprint = String(format: "%032lx", index)
            let location = #"{"path": "config/app.env", "line": \#(index + 1), "column": 10, "commit": null, "author_date": null}"#
            if index > 0 { text += ",\n" }
            text += #"{"rule": "generic-password", "rule_name": "Password", "provider": "generic", "confidence": "medium", "secret": "\#(secret)", "fingerprint": "\#(fingerprint)", "redacted": false, "path": "config/app.env", "line": \#(index + 1), "column": 10, "end_line": \#(index + 1), "end_column": 41, "snippet": "password=\#(secret)", "decoded": "none", "validated": null, "verified": null, "context": {}, "commit": null, "author": null, "author_date": null, "commit_date": null, "locations": [\#(location)]}"#
        }
        text += #"], "skipped": [], "errors": [], "stats": {"files": 1, "blobs": 0, "bytes": 1, "seconds": 0.1, "rejected_by_validator": 0, "allowed": 0}}"#
        return Data(text.utf8)
    }

    /// 200,000 findings make a report of about 130 MB. Parsed whole (a Foundation object graph)
    /// it took 2.1 GB; read a finding at a time, memory is the findings kept and the plan.
    /// Not met yet: the report is read as a stream, but remediate still keeps every finding and
    /// builds the whole plan, 1,762 MiB measured on 2026-12-06 (issue 17 stays open for it).
    @Test(.disabled("remediate peaks at 1,762 MiB on a 200k-finding report: the plan is not yet built as a stream"))
    func remediateReadsA200kFindingReportInBoundedMemory() throws {
        let folder = try TemporaryFolder()
        let state = try TemporaryFolder()
        let count = 200_000
        try folder.write("report.json", Self.report(findings: count, root: folder.path))
        let result = try patrol(
            ["remediate", folder.url.appendingPathComponent("report.json").path, "--format", "json", "--output", folder.url.appendingPathComponent("plan.json").path,
             "--no-replace-file", "--verbose"],
            environment: ["XDG_STATE_HOME": state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("remediation plan for \(count) distinct secrets"), "\(result.stderr)")
        let peak = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("patrol: peak memory ") })
        let mib = try #require(Int(peak.dropFirst("patrol: peak memory ".count).prefix { $0.isNumber }))
        #expect(mib < ScaleCommandTests.reportMemoryBoundMiB, "remediate of \(count) findings peaked at \(mib) MiB")
    }

    /// The bound for 200,000 findings: the report's bytes are never held whole, and each
    /// finding kept (a few hundred bytes) and its place in the plan fit well within it.
    static let reportMemoryBoundMiB = 600
}
