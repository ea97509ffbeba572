import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PatrolKit

/// The report formats of `scan`, `history` and `diff`, each parsed back the way its consumer
/// reads it: CSV by an RFC 4180 parser, JSON Lines line by line, SARIF with JSONSerialization
/// and the official SARIF 2.1.0 schema, JUnit as XML, Markdown by its table rows.
@Suite struct ReportFormatTests {
    /// A folder with four secrets: one in a JSON line full of commas and quotes, one next to an
    /// Azure DevOps URL, one in a file whose name has a space, a comma and a pipe, and a private
    /// key over several lines (so a snippet and a secret hold newlines).
    struct Fixture {
        let folder: TemporaryFolder
        let pat: String
        let other: String
        let legacy: String
        let key: String
        var secrets: [String] { [pat, other, legacy, key] }
        static let oddPath = "notes/with space, comma|pipe.txt"

        init() throws {
            folder = try TemporaryFolder()
            pat = Tokens.cask(seed: 101)
            other = Tokens.cask(seed: 102)
            legacy = Tokens.legacy(seed: 103)
            key = Self.privateKey(seed: 104)
            try folder.write("config/settings.json", "{\"pat\": \"\(pat)\", \"note\": \"a, \\\"quoted\\\" value\"}\n")
            try folder.write("deploy/run.sh", "#!/bin/sh\n# é: git clone https://x:\(other)@dev.azure.com/contoso/web/_git/app\n")
            try folder.write(Self.oddPath, "legacy = \(legacy)\n")
            try folder.write("keys/id.pem", "key: " + key + "\n")
        }

        /// A PEM block with a random body (never a real key), built at run time.
        static func privateKey(seed: UInt64) -> String {
            var generator = SeededGenerator(seed: seed)
            let bytes = (0..<480).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let body = Data(bytes).base64EncodedString()
            var lines: [String] = []
            var rest = Substring(body)
            while !rest.isEmpty {
                lines.append(String(rest.prefix(64)))
                rest = rest.dropFirst(64)
            }
            let label = "RSA PRIVATE" + " KEY"
            return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----"
        }

        func run(_ format: String, showSecrets: Bool = false) throws -> RunResult {
            try patrol(["scan", folder.path, "--format", format] + (showSecrets ? ["--show-secrets"] : []))
        }

        /// The JSON report's findings, the reference every other format is compared with.
        func jsonFindings(showSecrets: Bool = true) throws -> [[String: Any]] {
            try run("json", showSecrets: showSecrets).findings()
        }
    }

    // MARK: CSV

    @Test func csvParsesBackWithCommasQuotesAndNewlinesInSnippetsAndSecrets() throws {
        let fixture = try Fixture()
        let result = try fixture.run("csv", showSecrets: true)
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try CSV.parse(result.stdout)
        #expect(rows.first == CSVReport.columns)
        let findings = try fixture.jsonFindings()
        #expect(rows.count == findings.count + 1, "\(result.stdout)")
        #expect(findings.count == 4)
        for (row, finding) in zip(rows.dropFirst(), findings) {
            #expect(row.count == CSVReport.columns.count, "\(row)")
            let record = Dictionary(uniqueKeysWithValues: zip(CSVReport.columns, row))
            #expect(record["rule"] == finding["rule"] as? String)
            #expect(record["secret"] == finding["secret"] as? String)
            #expect(record["path"] == finding["path"] as? String)
            #expect(record["line"] == (finding["line"] as? Int).map(String.init))
            #expect(record["end_line"] == (finding["end_line"] as? Int).map(String.init))
            #expect(record["snippet"] == finding["snippet"] as? String)
            #expect(record["fingerprint"] == finding["fingerprint"] as? String)
            #expect(record["validated"] == ((finding["validated"] as? Bool).map { $0 ? "true" : "false" } ?? ""))
        }
        let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(CSVReport.columns, $0)) }
        let settings = try #require(records.first { $0["path"] == "config/settings.json" })
        #expect(settings["snippet"] == "{\"pat\": \"\(fixture.pat)\", \"note\": \"a, \\\"quoted\\\" value\"}")
        let key = try #require(records.first { $0["rule"] == "private-key" })
        #expect(key["secret"] == fixture.key, "a secret over several lines must survive quoting")
        #expect(records.contains { $0["path"] == Fixture.oddPath })
        #expect(records.first { $0["path"] == "deploy/run.sh" }?["context"] == "org=contoso")
    }

    @Test func csvRedactsByDefault() throws {
        let fixture = try Fixture()
        let result = try fixture.run("csv")
        let rows = try CSV.parse(result.stdout)
        let secretColumn = try #require(CSVReport.columns.firstIndex(of: "secret"))
        #expect(rows.dropFirst().map { $0[secretColumn] }.sorted() == fixture.secrets.map(Redaction.redact).sorted())
    }

    // MARK: JSON Lines

    @Test func jsonLinesHoldOneFindingPerLineEqualToTheJSONReport() throws {
        let fixture = try Fixture()
        let result = try fixture.run("jsonl", showSecrets: true)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("\n"))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let findings = try fixture.jsonFindings()
        #expect(lines.count == findings.count)
        for (line, finding) in zip(lines, findings) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            #expect(try canonical(object) == canonical(finding), "\(line)")
        }
    }

    private func canonical(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func jsonLinesOfACleanScanAreEmpty() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.txt", "nothing\n")
        let result = try patrol(["scan", folder.path, "--format", "jsonl"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    // MARK: SARIF

    @Test func sarifCarriesRulesResultsFingerprintsAndRelativeLocations() throws {
        let fixture = try Fixture()
        let result = try fixture.run("sarif")
        #expect(result.status == 1, "\(result.stderr)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(sarif["version"] as? String == "2.1.0")
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "patrol")
        #expect(driver["informationUri"] as? String == ProjectLinks.homepage)
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ruleIDs = rules.compactMap { $0["id"] as? String }
        #expect(Set(ruleIDs) == ["azure-devops-pat", "azure-devops-pat-legacy", "private-key"])
        #expect(ruleIDs.count == 3, "each rule once")
        let pat = try #require(rules.first { $0["id"] as? String == "azure-devops-pat" })
        #expect(pat["name"] as? String == "AzureDevopsPat")
        #expect((pat["shortDescription"] as? [String: Any])?["text"] as? String == "Azure DevOps personal access token")
        let help = try #require(pat["help"] as? [String: Any])
        #expect((help["text"] as? String)?.hasPrefix("A committed Azure DevOps personal access token is compromised") == true, "\(help)")
        #expect((help["markdown"] as? String)?.contains("https://dev.azure.com/YOUR-ORG/_usersSettings/tokens") == true, "\(help)")
        // Code scanning ranks alerts by security-severity: a checksum-proven token is critical.
        #expect(pat["helpUri"] as? String == ProjectLinks.homepage + "/blob/main/docs/rules.md#provider-azure-devops")
        #expect((pat["properties"] as? [String: Any])?["security-severity"] as? String == "9.0")
        for rule in rules {
            let properties = try #require(rule["properties"] as? [String: Any])
            let confidence = try #require(properties["confidence"] as? String)
            #expect(properties["security-severity"] as? String == ["high": "9.0", "medium": "7.0", "low": "4.0"][confidence], "\(rule)")
            #expect(rule["helpUri"] as? String == ProjectLinks.rulesPage(provider: properties["provider"] as? String ?? ""), "\(rule)")
        }

        let results = try #require(run["results"] as? [[String: Any]])
        let findings = try fixture.jsonFindings(showSecrets: false)
        #expect(results.count == findings.count)
        for (sarifResult, finding) in zip(results, findings) {
            let ruleID = try #require(sarifResult["ruleId"] as? String)
            #expect(ruleID == finding["rule"] as? String)
            #expect(sarifResult["ruleIndex"] as? Int == ruleIDs.firstIndex(of: ruleID))
            #expect((sarifResult["partialFingerprints"] as? [String: String])?[SARIFReport.fingerprintKey] == finding["fingerprint"] as? String)
            let properties = try #require(sarifResult["properties"] as? [String: Any])
            #expect(properties["provider"] as? String == finding["provider"] as? String)
            #expect(properties["confidence"] as? String == finding["confidence"] as? String)
            #expect(properties["validated"] as? Bool == finding["validated"] as? Bool)
            let physical = try #require(((sarifResult["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])
            let artifact = try #require(physical["artifactLocation"] as? [String: Any])
            #expect(artifact["uriBaseId"] as? String == "%SRCROOT%")
            let uri = try #require(artifact["uri"] as? String)
            #expect(uri.removingPercentEncoding == finding["path"] as? String, "\(uri)")
            let region = try #require(physical["region"] as? [String: Any])
            #expect(region["startLine"] as? Int == finding["line"] as? Int)
            #expect(region["endLine"] as? Int == finding["end_line"] as? Int)
            // The region's text is the secret as it stands, redacted; the context is its line.
            let regionText = try #require((region["snippet"] as? [String: Any])?["text"] as? String)
            if finding["decoded"] as? String == "none" {
                #expect(regionText == finding["secret"] as? String, "\(region)")
            }
            #expect(regionText.contains("…("), "redacted: \(regionText)")
            let context = try #require(physical["contextRegion"] as? [String: Any])
            #expect(context["startLine"] as? Int == finding["line"] as? Int)
            #expect((context["snippet"] as? [String: Any])?["text"] as? String == finding["snippet"] as? String)
        }
        let odd = try #require(results.first { $0["ruleId"] as? String == "azure-devops-pat-legacy" })
        let oddURI = ((odd["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any]
        #expect(oddURI?["uri"] as? String == "notes/with%20space,%20comma%7Cpipe.txt")
        // Columns are UTF-16 code units: "# é: git clone https://x:" is 26 bytes but 25 units.
        let deploy = try #require(results.first { (($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]).flatMap { ($0["artifactLocation"] as? [String: Any])?["uri"] as? String } == "deploy/run.sh" })
        let region = (deploy["locations"] as? [[String: Any]])?.first.flatMap { ($0["physicalLocation"] as? [String: Any])?["region"] as? [String: Any] }
        #expect(region?["startColumn"] as? Int == 26)
        #expect(region?["endColumn"] as? Int == 26 + 84)
        let base = (run["originalUriBaseIds"] as? [String: Any])?["%SRCROOT%"] as? [String: Any]
        #expect(base?["uri"] as? String == "file://" + fixture.folder.url.standardizedFileURL.path + "/")
        try SARIFValidation.expectValid(result.stdout)
    }

    @Test func sarifOfHistoryAndOfACleanScanValidateToo() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.cask(seed: 105)
        try repo.commit("leak", ["app.env": "PAT=\(token)\n"])
        try repo.commit("fix", ["app.env": "PAT=${PAT}\n"])
        let history = try patrol(["history", "--format", "sarif"], in: repo.url)
        #expect(history.status == 1, "\(history.stderr)")
        #expect(!history.stdout.contains(token))
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])
        let results = try #require(((sarif["runs"] as? [[String: Any]])?.first)?["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(((results.first?["properties"] as? [String: Any])?["commit"] as? String)?.count == 40)
        try SARIFValidation.expectValid(history.stdout)

        let clean = try TemporaryFolder()
        try clean.write("a.txt", "nothing\n")
        let empty = try patrol(["scan", clean.path, "--format", "sarif"])
        #expect(empty.status == 0)
        try SARIFValidation.expectValid(empty.stdout)
    }

    // MARK: JUnit

    @Test func junitParsesAsXMLWithOneFailingCasePerRuleAndFile() throws {
        let fixture = try Fixture()
        try fixture.folder.write("deploy/second.sh", "A=\(Tokens.cask(seed: 106))\nB=\(Tokens.cask(seed: 107))\n")
        let result = try fixture.run("junit")
        #expect(result.status == 1, "\(result.stderr)")
        let document = try XMLDocument(data: Data(result.stdout.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        let cases = try document.nodes(forXPath: "/testsuites/testsuite/testcase").compactMap { $0 as? XMLElement }
        let findings = try fixture.jsonFindings(showSecrets: false)
        let pairs = Set(findings.map { "\($0["rule"] as! String) \($0["path"] as! String)" })
        #expect(cases.count == pairs.count, "\(result.stdout)")
        #expect(Set(cases.map { "\($0.attribute(forName: "classname")?.stringValue ?? "") \($0.attribute(forName: "name")?.stringValue ?? "")" }) == pairs)
        #expect(root.attribute(forName: "tests")?.stringValue == String(pairs.count))
        #expect(root.attribute(forName: "failures")?.stringValue == String(pairs.count))
        for testCase in cases {
            let failures = testCase.elements(forName: "failure")
            #expect(failures.count == 1)
            let message = failures.first?.attribute(forName: "message")?.stringValue ?? ""
            #expect(!message.isEmpty)
        }
        let second = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "deploy/second.sh" })
        let body = second.elements(forName: "failure").first?.stringValue ?? ""
        #expect(body.contains("deploy/second.sh:1:3:") && body.contains("deploy/second.sh:2:3:"), "\(body)")
        let odd = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == Fixture.oddPath })
        #expect(odd.elements(forName: "failure").first?.attribute(forName: "message")?.stringValue?.contains(Redaction.redact(fixture.legacy)) == true)
        for secret in fixture.secrets { #expect(!result.stdout.contains(secret)) }
    }

    @Test func junitOfACleanScanIsOnePassingCase() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.txt", "nothing\n")
        let result = try patrol(["scan", folder.path, "--format", "junit"])
        #expect(result.status == 0)
        let document = try XMLDocument(data: Data(result.stdout.utf8))
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(cases.count == 1)
        #expect(cases.first?.elements(forName: "failure").isEmpty == true)
        #expect(document.rootElement()?.attribute(forName: "failures")?.stringValue == "0")
    }

    // MARK: Markdown

    @Test func markdownTableHasOneRowPerFindingWithEscapedCells() throws {
        let fixture = try Fixture()
        let result = try fixture.run("markdown")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("### patrol: 4 secrets found (4 findings in 4 files)"), "\(result.stdout)")
        let rows = MarkdownTable.rows(result.stdout)
        #expect(rows.first == MarkdownReport.header)
        let findings = try fixture.jsonFindings(showSecrets: false)
        #expect(rows.count == findings.count + 1, "\(result.stdout)")
        for (row, finding) in zip(rows.dropFirst(), findings) {
            #expect(row.count == MarkdownReport.header.count, "\(row)")
            #expect(row[0] == "`\(finding["rule"] as! String)`")
            #expect(MarkdownTable.unescape(row[1]) == "`\(finding["path"] as! String)`", "\(row)")
            #expect(row[2] == String(finding["line"] as! Int))
            #expect(row[3] == "`\(finding["secret"] as! String)`")
        }
        for secret in fixture.secrets { #expect(!result.stdout.contains(secret)) }
    }

    @Test func markdownOfACleanScanSaysSo() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.txt", "nothing\n")
        let result = try patrol(["scan", folder.path, "--format", "markdown"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("### patrol: no secrets found\n"))
        #expect(MarkdownTable.rows(result.stdout).isEmpty)
    }

    // MARK: Every format

    @Test(arguments: ["text", "json", "jsonl", "sarif", "junit", "csv", "markdown"])
    func everyFormatRedactsUnlessShowSecrets(format: String) throws {
        let fixture = try Fixture()
        let redacted = try fixture.run(format)
        #expect(redacted.status == 1, "\(redacted.stderr)")
        for secret in fixture.secrets {
            #expect(!redacted.stdout.contains(secret), "--format \(format) leaked a secret")
            #expect(!redacted.stdout.contains(String(secret.dropFirst(4).prefix(24))), "--format \(format) leaked part of a secret")
        }
        let shown = try fixture.run(format, showSecrets: true)
        // Every format shows the single-line secrets in full (JUnit and Markdown show them in
        // their message and table; text and JSON-based formats everywhere).
        for secret in [fixture.pat, fixture.other, fixture.legacy] {
            #expect(shown.stdout.contains(secret), "--format \(format) --show-secrets did not show a secret")
        }
    }

    @Test func diffReportsInEveryFormat() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("start", ["README.md": "hi\n"])
        let token = Tokens.legacy(seed: 108)
        try repo.write("new.env", "TOKEN=\(token)\n")
        try repo.git("add", "new.env")
        for format in ["jsonl", "csv", "markdown", "junit", "sarif"] {
            let result = try patrol(["diff", "--staged", "--format", format], in: repo.url)
            #expect(result.status == 1, "\(format): \(result.stderr)")
            #expect(result.stdout.contains("new.env"), "\(format): \(result.stdout)")
            #expect(!result.stdout.contains(token))
        }
    }
}
