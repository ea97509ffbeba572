import Foundation
import PatrolTestSupport
import Testing

/// `patrol scan` driven as a user runs it: the built binary on real folders.
@Suite struct ScanCommandTests {
    @Test func cleanFolderExitsZeroAndSaysSo() throws {
        let folder = try TemporaryFolder()
        try folder.write("README.md", "nothing to see here\n")
        let result = try patrol(["scan", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("no secrets found"))
    }

    @Test func jsonReportCarriesEveryFindingField() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 11)
        try folder.write("deploy/clone.sh", "#!/bin/sh\n# clone\n  git clone https://me:\(token)@dev.azure.com/contoso/web/_git/app\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 1)
        let json = try result.json()
        #expect(json["version"] as? Int == 1)
        let target = try #require(json["target"] as? [String: Any])
        #expect(target["kind"] as? String == "directory")
        #expect(target["root"] as? String == folder.url.standardizedFileURL.path)
        let findings = try result.findings()
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding["rule"] as? String == "azure-devops-pat")
        #expect(finding["provider"] as? String == "azure-devops")
        #expect(finding["confidence"] as? String == "high")
        #expect(finding["secret"] as? String == String(token.prefix(4)) + "…(84)")
        #expect(finding["redacted"] as? Bool == true)
        #expect(finding["path"] as? String == "deploy/clone.sh")
        #expect(finding["line"] as? Int == 3)
        #expect(finding["column"] as? Int == 24)
        #expect(finding["end_line"] as? Int == 3)
        #expect(finding["end_column"] as? Int == 107)
        #expect(finding["validated"] as? Bool == true)
        #expect(finding["verified"] is NSNull)
        #expect(finding["decoded"] as? String == "none")
        #expect(finding["commit"] is NSNull)
        #expect((finding["context"] as? [String: String]) == ["org": "contoso"])
        #expect(finding["snippet"] as? String == "  git clone https://me:\(token.prefix(4))…(84)@dev.azure.com/contoso/web/_git/app")
        #expect(finding["fingerprint"] as? String == sha256Prefix("azure-devops-pat\u{0}" + token))
        let locations = try #require(finding["locations"] as? [[String: Any]])
        #expect(locations.count == 1)
        #expect(locations.first?["line"] as? Int == 3)
        let stats = try #require(json["stats"] as? [String: Any])
        #expect(stats["files"] as? Int == 1)
        #expect(!result.stdout.contains(token), "the secret leaked into the report")
    }

    @Test func sameSecretTwiceInOneFileIsOneFindingWithTwoLocations() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.legacy(seed: 3)
        try folder.write("a.env", "A=\(token)\nB=x\nC=\(token)\n")
        let findings = try patrol(["scan", folder.path, "--format", "json"]).findings()
        #expect(findings.count == 1)
        let locations = try #require(findings.first?["locations"] as? [[String: Any]])
        #expect(locations.map { $0["line"] as? Int } == [1, 3])
    }

    @Test func showSecretsRevealsThemAndTheDefaultNeverDoes() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 12)
        try folder.write("x.txt", "pat=\(token)\n")
        for format in ["text", "json"] {
            let hidden = try patrol(["scan", folder.path, "--format", format])
            #expect(hidden.status == 1)
            #expect(!hidden.stdout.contains(token) && !hidden.stderr.contains(token), "\(format) leaked the secret")
            let shown = try patrol(["scan", folder.path, "--format", format, "--show-secrets"])
            #expect(shown.stdout.contains(token), "\(format) --show-secrets did not show it")
        }
    }

    @Test func textReportGroupsByFile() throws {
        let folder = try TemporaryFolder()
        try folder.write("one.yml", "pat: \(Tokens.cask(seed: 1))\n")
        try folder.write("two/two.ps1", "$x = 1\n$pat = '\(Tokens.legacy(seed: 2))'\n")
        let result = try patrol(["scan", folder.path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "one.yml")
        #expect(lines.contains { $0.hasPrefix("  1:6  azure-devops-pat  high confidence, checksum valid") })
        #expect(lines.contains("two/two.ps1"))
        #expect(lines.contains { $0.hasPrefix("  2:9  azure-devops-pat-legacy  high confidence, checksum valid") })
        #expect(!result.stdout.contains("\u{1B}["), "colour on a pipe")
        #expect(result.stderr.contains("2 findings (2 distinct secrets) in 2 files"))
    }

    @Test func wrongChecksumIsNotAFindingButIsCounted() throws {
        let folder = try TemporaryFolder()
        try folder.write("x.txt", "pat=\(Tokens.badCask(seed: 4))\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 0)
        let stats = try #require(try result.json()["stats"] as? [String: Any])
        #expect(stats["rejected_by_validator"] as? Int == 1)
    }

    @Test func missingPathExitsTwoNamingIt() throws {
        let result = try patrol(["scan", "/nonexistent/patrol-here"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/patrol-here"))
    }

    @Test func usageErrorExitsTwo() throws {
        let result = try patrol(["scan", "--format", "nonsense"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nonsense"))
    }

    @Test func exitCodeOptionChangesTheFindingsCode() throws {
        let folder = try TemporaryFolder()
        try folder.write("x.txt", Tokens.cask(seed: 5))
        #expect(try patrol(["scan", folder.path, "--exit-code", "7"]).status == 7)
    }

    @Test func outputOptionWritesTheReportToAFile() throws {
        let folder = try TemporaryFolder()
        try folder.write("src/x.txt", Tokens.cask(seed: 6))
        let report = folder.url.appendingPathComponent("report.json").path
        let result = try patrol(["scan", folder.url.appendingPathComponent("src").path, "--format", "json", "--output", report])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let data = try Data(contentsOf: URL(fileURLWithPath: report))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((json["findings"] as? [Any])?.count == 1)
    }

    @Test func standardInputIsScannedWithDash() throws {
        let token = Tokens.cask(seed: 7)
        let result = try patrol(["scan", "-", "--format", "json"], stdin: Data("line one\nexport AZURE_DEVOPS_EXT_PAT=\(token)\n".utf8))
        #expect(result.status == 1)
        let finding = try #require(try result.findings().first)
        #expect(finding["path"] as? String == "<stdin>")
        #expect(finding["line"] as? Int == 2)
        #expect(finding["column"] as? Int == 29)
        #expect((try result.json()["target"] as? [String: Any])?["kind"] as? String == "stdin")
    }

    @Test func inlineAllowMarkersSuppressTheLine() throws {
        let folder = try TemporaryFolder()
        let markers = ["patrol:allow", "gitleaks:allow", "pragma: allowlist secret", "trufflehog:ignore", "kingfisher:ignore"]
        var text = ""
        for (index, marker) in markers.enumerated() {
            text += "token\(index) = \"\(Tokens.cask(seed: 100 + UInt64(index)))\"  # \(marker)\n"
        }
        let unmarked = Tokens.cask(seed: 200)
        text += "kept = \"\(unmarked)\"\n"
        try folder.write("x.py", text)
        let findings = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings()
        #expect(findings.map { $0["secret"] as? String } == [unmarked])
    }

    @Test func minConfidenceDropsLowerFindings() throws {
        let folder = try TemporaryFolder()
        try folder.write("rules/acme.yml", """
            provider: {id: acme, name: Acme}
            rules:
              - id: acme-key
                name: Acme key
                regex: 'acme_[a-z]{8}'
                keywords: [acme_]
                confidence: medium
                examples: ["k = acme_qzmwxnvb"]
            """)
        try folder.write("src/x.txt", "k = acme_qwertyui\n")
        let source = folder.url.appendingPathComponent("src").path
        let rules = folder.url.appendingPathComponent("rules").path
        #expect(try patrol(["scan", source, "--rules", rules]).status == 1)
        #expect(try patrol(["scan", source, "--rules", rules, "--min-confidence", "high"]).status == 0)
    }

    @Test func theBinaryWorksCopiedAloneElsewhere() throws {
        let folder = try TemporaryFolder()
        let copy = folder.url.appendingPathComponent("bin/patrol")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: PatrolBinary.url, to: copy)
        try folder.write("scan/x.txt", "pat=\(Tokens.cask(seed: 8))\n")
        let list = try patrol(["rules", "list"], in: folder.url, executable: copy)
        #expect(list.status == 0)
        #expect(list.stdout.contains("azure-devops-pat "))
        let scan = try patrol(["scan", "scan"], in: folder.url, executable: copy)
        #expect(scan.status == 1)
    }

    @Test func patrolScanOfThisRepositoryIsClean() throws {
        let result = try patrol(["scan", "."], in: PatrolBinary.packageRoot)
        #expect(result.status == 0, "patrol finds secrets in its own repository:\n\(result.stdout)\(result.stderr)")
    }
}

import Crypto

func sha256Prefix(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
}
