import Foundation
import Testing

/// `.patrol.yml`, `--rules DIR` and `patrol rules …` as a user meets them.
@Suite struct ConfigAndRulesCommandTests {
    private let acmeRule = acmeRuleFile()

    @Test func configAllowPathsSkipsFilesAndUnknownKeysAreFatal() throws {
        let folder = try TemporaryFolder()
        try folder.git("init", "-q")
        try folder.write("tests/fixtures/token.txt", Tokens.cask(seed: 1))
        try folder.write("src/app.cs", "var pat = \"\(Tokens.cask(seed: 2))\";\n")
        try folder.write(".patrol.yml", "allow:\n  paths: [tests/fixtures/]\n")

        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 1)
        #expect(try result.findings().map { $0["path"] as? String } == ["src/app.cs"])
        let skipped = try #require(try result.json()["skipped"] as? [[String: Any]])
        #expect(skipped.contains { $0["path"] as? String == "tests/fixtures/token.txt" && $0["reason"] as? String == "ignored-by-config" })

        // The configuration of the repository applies when a subfolder is scanned, too.
        let sub = try patrol(["scan", folder.url.appendingPathComponent("tests").path])
        #expect(sub.status == 0, "\(sub.stdout)")

        // --no-config ignores it; --config FILE replaces it.
        #expect(try patrol(["scan", folder.path, "--no-config", "--format", "json"]).findings().count == 2)
        try folder.write("other.yml", "allow:\n  paths: [src]\n")
        let other = try patrol(["scan", folder.path, "--config", folder.url.appendingPathComponent("other.yml").path, "--format", "json"])
        #expect(try other.findings().map { $0["path"] as? String } == ["tests/fixtures/token.txt"])

        try folder.write(".patrol.yml", "allow:\n  pathz: [tests/fixtures/]\n")
        let broken = try patrol(["scan", folder.path])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains(".patrol.yml"))
        #expect(broken.stderr.contains("unknown key 'pathz'"))
    }

    @Test func configAllowRegexesAndStopwordsAndDisabledRules() throws {
        let folder = try TemporaryFolder()
        let cask = Tokens.cask(seed: 3)
        let legacy = Tokens.legacy(seed: 4)
        try folder.write("a.txt", "one=\(cask)\ntwo=\(legacy)\n")
        try folder.write(".patrol.yml", "allow:\n  regexes: ['^\(cask.prefix(10))']\n")
        #expect(try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings().map { $0["secret"] as? String } == [legacy])
        try folder.write(".patrol.yml", "allow:\n  stopwords: ['\(legacy.dropFirst(5).prefix(6).uppercased())']\n")
        #expect(try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings().map { $0["secret"] as? String } == [cask])
        try folder.write(".patrol.yml", "rules:\n  disable: [azure-devops-pat]\n")
        #expect(try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings().map { $0["secret"] as? String } == [legacy])
        try folder.write(".patrol.yml", "rules:\n  disable: [azure-devops-typo]\n")
        let typo = try patrol(["scan", folder.path])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("azure-devops-typo"))
    }

    @Test func extraRulesAddDetectionsAndHonourTheirEntropyFloor() throws {
        let folder = try TemporaryFolder()
        try folder.write("rules/acme.yml", acmeRule)
        try folder.write("src/a.txt", "k1 = acme_Zx81PqLm3Vt7\nk2 = acme_bbbbbbbbbbbb\n")
        let result = try patrol(["scan", folder.url.appendingPathComponent("src").path, "--rules", folder.url.appendingPathComponent("rules").path, "--format", "json"])
        #expect(result.status == 1)
        let findings = try result.findings()
        #expect(findings.map { $0["line"] as? Int } == [1])
        #expect(findings.first?["validated"] is NSNull)
        #expect(findings.first?["confidence"] as? String == "medium")

        // The same folder named by rules.extra in .patrol.yml.
        try folder.write("src/.patrol.yml", "rules:\n  extra: ../rules\n")
        #expect(try patrol(["scan", folder.url.appendingPathComponent("src").path]).status == 1)
    }

    @Test(arguments: [
        ("regex: 'acme_(['", "invalid regex"),
        ("validate: acme-checksum", "unknown validator 'acme-checksum'"),
        ("examples: ['no key here']", "should match but does not"),
        ("id: azure-devops-pat", "override: true"),
    ])
    func brokenRuleFilesExitTwoNamingFileRuleAndReason(change: String, reason: String) throws {
        let folder = try TemporaryFolder()
        var lines = acmeRule.split(separator: "\n").map(String.init)
        let key = String(change.split(separator: ":")[0])
        if let index = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":") || $0.trimmingCharacters(in: .whitespaces).hasPrefix("- " + key + ":") }) {
            let indent = lines[index].prefix { $0 == " " || $0 == "-" }
            lines[index] = indent + change
        } else {
            lines.append("    " + change)
        }
        try folder.write("rules/acme.yml", lines.joined(separator: "\n") + "\n")
        try folder.write("src/a.txt", "nothing\n")
        let result = try patrol(["scan", folder.url.appendingPathComponent("src").path, "--rules", folder.url.appendingPathComponent("rules").path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("rules/acme.yml"), "\(result.stderr)")
        #expect(result.stderr.contains("rule '"), "\(result.stderr)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
    }

    @Test func rulesListShowAndTest() throws {
        let list = try patrol(["rules", "list"])
        #expect(list.status == 0)
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows.contains("azure-devops-pat azure-devops high checksum: azure-devops-cask keywords: JQQJ99"))
        #expect(rows.contains("azure-devops-pat-legacy azure-devops high checksum: azure-devops-legacy candidates: base32-run-52"))

        let show = try patrol(["rules", "show", "azure-devops-pat-legacy"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("validator:   azure-devops-legacy"))
        #expect(show.stdout.contains("Revoke"))
        #expect(try patrol(["rules", "show", "nope"]).status == 2)

        let test = try patrol(["rules", "test"])
        #expect(test.status == 0, "\(test.stdout)")
        let ruleCount = rows.filter { !$0.isEmpty }.count
        #expect(test.stdout.contains("\(ruleCount) passed, 0 failed"))

        let folder = try TemporaryFolder()
        try folder.write("acme.yml", acmeRule.replacingOccurrences(of: "negative-examples: [\"key = acme_aaaaaaaaaaaa\"]", with: "negative-examples: [\"key = acme_Q8vX2mLp0RtZ\"]"))
        let failing = try patrol(["rules", "test", folder.path])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("FAIL  \(folder.url.appendingPathComponent("acme.yml").path): rule 'acme-key': example \"key = acme_Q8vX2mLp0RtZ\" should not match"))
        #expect(failing.stdout.contains("\(ruleCount) passed, 1 failed (--seed 1)"))
    }

    /// A rule whose example's random part misses its regex once in a while: with the fixed
    /// default seed the outcome is the same on every run, and `--seed` picks other values.
    @Test func rulesTestRepeatsUnlessAnotherSeedIsAsked() throws {
        let folder = try TemporaryFolder()
        // The hex digit must be a letter: three draws in eight pass.
        _ = try folder.write("coin.yml", """
            provider:
              id: coin
              name: Coin
            rules:
              - id: coin-key
                name: Coin key
                regex: 'coin_(?<secret>[a-f])(?![0-9a-f])'
                keywords: [coin_]
                confidence: low
                examples: ["coin_{{hex:1}}"]
                negative-examples: ["coin_99"]

            """)
        let first = try patrol(["rules", "test", folder.path])
        for _ in 0..<3 {
            #expect(try patrol(["rules", "test", folder.path]).status == first.status)
        }
        let statuses = Set(try (1...12).map { try patrol(["rules", "test", folder.path, "--seed", String($0)]).status })
        #expect(statuses == [0, 1], "some seeds pass, others fail: \(statuses)")
    }

    @Test func generatedTokensPassAndBadOnesFail() throws {
        let good = try patrol(["rules", "generate", "azure-devops-pat", "--count", "3", "--seed", "42"])
        #expect(good.status == 0)
        let tokens = good.stdout.split(separator: "\n").map(String.init)
        #expect(tokens.count == 3 && Set(tokens).count == 3)
        #expect(try patrol(["rules", "generate", "azure-devops-pat", "--count", "3", "--seed", "42"]).stdout == good.stdout)
        let scanned = try patrol(["scan", "-", "--format", "json"], stdin: Data(good.stdout.utf8))
        #expect(try scanned.findings().count == 3)
        let bad = try patrol(["rules", "generate", "azure-devops-pat-legacy", "--count", "3", "--bad-checksum"])
        #expect(try patrol(["scan", "-"], stdin: Data(bad.stdout.utf8)).status == 0)
    }

    @Test func devicesNamedOnTheCommandLineAreSkipped() throws {
        let result = try patrol(["scan", "/dev/null", "--format", "json"])
        #expect(result.status == 0)
        let skipped = try #require(try result.json()["skipped"] as? [[String: Any]])
        #expect(skipped.first?["reason"] as? String == "not-a-regular-file")
    }
}

@Suite struct GenerateCommandLimitsTests {
    @Test func badChecksumLookAlikesOfStructureValidatorsFailInsteadOfHanging() throws {
        let result = try patrol(["rules", "generate", "jwt", "--bad-checksum"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot generate bad-checksum look-alikes"))
    }
}
