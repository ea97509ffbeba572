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

    /// 200,000 findings make a report of about 124 MB. Parsed whole (a Foundation object graph)
    /// it took 2.1 GB; read a finding at a time but with every finding kept and the plan built
    /// beside them, 556 MiB (2026-12-07). Folded as it streams into one compact record per
    /// secret, with the plan written a secret at a time, it stays under the bound.
    @Test func remediateReadsA200kFindingReportInBoundedMemory() throws {
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
        let mib = try Self.peakMiB(result.stderr)
        #expect(mib < ScaleCommandTests.reportMemoryBoundMiB, "remediate of \(count) findings peaked at \(mib) MiB")
        // Every secret is in the plan, in the report's order.
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.url.appendingPathComponent("plan.json"))) as? [String: Any])
        let secrets = try #require(plan["secrets"] as? [[String: Any]])
        #expect(secrets.count == count)
        #expect(secrets.last?["fingerprint"] as? String == String(format: "%032lx", count - 1))
    }

    /// `verify` of the same report (generic passwords: no provider is asked) writes the report
    /// back a finding at a time, read a second time from the file: 2,374 MiB before
    /// (2026-12-07), when every finding, every verified copy and the whole text were held.
    @Test func verifyReadsA200kFindingReportInBoundedMemory() throws {
        let folder = try TemporaryFolder()
        let state = try TemporaryFolder()
        let count = 200_000
        try folder.write("report.json", Self.report(findings: count, root: folder.path))
        let written = folder.url.appendingPathComponent("verified.json")
        let result = try patrol(
            ["verify", folder.url.appendingPathComponent("report.json").path, "--no-access-map", "--format", "json", "--output", written.path, "--verbose"],
            environment: ["XDG_STATE_HOME": state.path])
        // Nothing could be checked (no generic password has a verifier): exit 2, nothing sent.
        #expect(result.status == 2, "\(result.stderr.suffix(500))")
        #expect(result.stderr.contains("patrol: \(count) distinct secrets: 0 live, 0 not live, 0 could not be checked, \(count) not supported"), "\(result.stderr.suffix(500))")
        let mib = try Self.peakMiB(result.stderr)
        #expect(mib < ScaleCommandTests.reportMemoryBoundMiB, "verify of \(count) findings peaked at \(mib) MiB")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: written)) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.count == count)
        #expect(findings.last?["line"] as? Int == count)
        #expect(findings.allSatisfy { $0["redacted"] as? Bool == true })
    }

    static func peakMiB(_ stderr: String) throws -> Int {
        let peak = try #require(stderr.split(separator: "\n").last { $0.hasPrefix("patrol: peak memory ") })
        return try #require(Int(peak.dropFirst("patrol: peak memory ".count).prefix { $0.isNumber }))
    }

    /// The bound for 200,000 findings: the report's bytes are never held whole, nor its
    /// findings; each distinct secret's compact record (a few hundred bytes) fits well within it.
    static let reportMemoryBoundMiB = 400
}
