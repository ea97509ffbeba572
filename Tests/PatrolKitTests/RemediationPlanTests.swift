import Foundation
import Testing
@testable import PatrolKit

/// The pieces of a remediation plan: provider text, placeholders, the replacements file, the
/// report reader, and a plan for a folder outside git.
@Suite struct RemediationPlanTests {
    @Test func everyProviderRemediationSplitsIntoStepsWithRevokeReplaceAndPurge() throws {
        let ruleSet = try RuleLoader.load()
        for provider in ruleSet.providers where !provider.remediation.isEmpty {
            let parsed = ProviderRemediation(markdown: provider.remediation)
            let kinds = parsed.steps.map(\.kind)
            #expect(!parsed.summary.isEmpty, "\(provider.id): no opening paragraph")
            #expect(kinds.filter { $0 == .revoke }.count == 1, "\(provider.id): \(parsed.steps.map(\.title))")
            #expect(kinds.contains(.replaceLiteral), "\(provider.id): \(parsed.steps.map(\.title))")
            #expect(kinds.last == .purgeHistory, "\(provider.id): \(parsed.steps.map(\.title))")
            if let revoke = kinds.firstIndex(of: .revoke), let replace = kinds.firstIndex(of: .replaceLiteral) {
                #expect(revoke < replace, "\(provider.id): revoke comes before cleaning up")
            }
        }
    }

    @Test func azureDevOpsRemediationKeepsItsWordingPerStep() throws {
        let provider = try #require(try RuleLoader.load().provider(id: "azure-devops"))
        let parsed = ProviderRemediation(markdown: provider.remediation)
        #expect(parsed.summary == "A committed Azure DevOps personal access token is compromised: revoke it first, then clean up.")
        #expect(parsed.steps.map(\.title) == ["Revoke", "Rotate", "Update its consumers", "Check the audit log", "Replace the literal", "Purge history"])
        #expect(parsed.steps.map(\.kind) == [.revoke, .rotate, .updateConsumers, .audit, .replaceLiteral, .purgeHistory])
        #expect(parsed.steps[0].text.hasPrefix("**Revoke** the token: User settings → Personal access tokens → select it → Revoke (https://dev.azure.com/{org}/_usersSettings/tokens)."))
        #expect(parsed.notes.isEmpty)
    }

    @Test func parserJoinsWrappedItemsAndKeepsTrailingNotes() {
        let markdown = """
            Opening line one
            and two.

            1. **Disable** it: here
               and there.
            2. **Check** logs.

            A closing note.
            """
        let parsed = ProviderRemediation(markdown: markdown)
        #expect(parsed.summary == "Opening line one and two.")
        #expect(parsed.steps.map(\.text) == ["**Disable** it: here and there.", "**Check** logs."])
        #expect(parsed.steps.map(\.kind) == [.revoke, .audit])
        #expect(parsed.notes == ["A closing note."])
    }

    @Test func firstStepIsTheRevokeWhenNoTitleSaysSo() {
        let parsed = ProviderRemediation(markdown: "x\n\n1. **Read it** first.\n2. **Rotate** it.\n")
        #expect(parsed.steps.map(\.kind) == [.revoke, .rotate])
        let named = ProviderRemediation(markdown: "x\n\n1. **Find what trusts it**.\n2. **Revoke** there.\n")
        #expect(named.steps.map(\.kind) == [.other, .revoke])
    }

    @Test func fillReplacesKnownPlaceholdersOnly() {
        let text = "https://dev.azure.com/{org}/x `POST /keys/{api_key_id}` {\"status\": 1} in `{path}` {commit}{"
        let filled = ProviderRemediation.fill(text, ["org": "contoso", "path": "a.env", "commit": "abc"])
        #expect(filled == "https://dev.azure.com/contoso/x `POST /keys/{api_key_id}` {\"status\": 1} in `a.env` abc{")
        #expect(ProviderRemediation.generic("{org} {path} {commit} {shop_name}", contextNames: ["org", "shop_name"]) == "YOUR-ORG FILE COMMIT YOUR-SHOP-NAME")
    }

    @Test func replacementsLinesAreLiteralUnlessALineCannotHoldThem() {
        #expect(ReplacementsFile.line(for: "abcDEF123") == "abcDEF123==>***REMOVED***")
        #expect(ReplacementsFile.line(for: "a==>b") == #"regex:a\=\=\>b==>***REMOVED***"#)
        #expect(ReplacementsFile.line(for: "-----BEGIN K-----\nab+/=\n-----END K-----") == #"regex:\-\-\-\-\-BEGIN\ K\-\-\-\-\-\nab\+\/\=\n\-\-\-\-\-END\ K\-\-\-\-\-==>***REMOVED***"#)
        #expect(ReplacementsFile.line(for: "regex:x") == #"regex:regex\:x==>***REMOVED***"#)
        let file = ReplacementsFile(literals: ["one", "two", "one", ""])
        #expect(file.text == "one==>***REMOVED***\ntwo==>***REMOVED***\n")
    }

    @Test func replacementsFileIsWrittenWithMode0600EvenOverAWiderFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-replace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("deep/replace.txt").path
        try ReplacementsFile(literals: ["secret-one"]).write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret-one==>***REMOVED***\n")
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(path) == 0o600)
        #expect(try mode(folder.appendingPathComponent("deep").path) == 0o700)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try ReplacementsFile(literals: ["secret-two"]).write(to: path)
        #expect(try mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret-two==>***REMOVED***\n")
    }

    @Test func defaultReplacementsPathIsInTheStateFolderPerRepository() {
        let environment = ["HOME": "/home/ann"]
        let path = ReplacementsFile.defaultPath(forRoot: "/work/my repo", environment: environment)
        #expect(path.hasPrefix("/home/ann/.local/state/patrol/replacements-myrepo-"), "\(path)")
        #expect(path != ReplacementsFile.defaultPath(forRoot: "/other/my repo", environment: environment))
        #expect(ReplacementsFile.stateFolder(environment: ["HOME": "/h", "XDG_STATE_HOME": "/state"]) == "/state/patrol")
    }

    @Test func reportReaderNamesWhatIsWrong() {
        func error(_ text: String) -> String? {
            do {
                _ = try LeakReport.parse(Array(text.utf8), source: "r.json")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error("")?.contains("r.json: not a patrol JSON report or JSON Lines (it is empty)") == true)
        #expect(error("[1]")?.contains("the top level is not an object") == true)
        #expect(error(#"{"version": 2}"#)?.contains("version 2; this patrol reads version 1") == true)
        let target = #""target": {"kind": "directory", "root": "/x", "revs": null}"#
        #expect(error(#"{"version": 1, \#(target)}"#)?.contains("no \"findings\" array") == true)
        #expect(error(#"{"version": 1, \#(target), "findings": [{"rule": "r"}]}"#)?.contains("finding 1 has no string \"confidence\"") == true)
    }

    @Test func redactedLengthIsReadFromTheRedaction() {
        #expect(SecretRecovery.redactedLength("NkE6…(84)") == 84)
        #expect(SecretRecovery.redactedLength("a…(5)") == 5)
        #expect(SecretRecovery.redactedLength("plain-secret") == nil)
    }

    @Test func byteOffsetsAndPositionsAgree() {
        let bytes = Array("ab\ncdé\nfg".utf8)
        #expect(ByteSearch.offset(line: 2, column: 3, in: bytes) == 5)
        #expect(ByteSearch.position(of: 5, in: bytes) == (2, 3))
        #expect(ByteSearch.offset(line: 4, column: 1, in: bytes) == nil)
        #expect(ByteSearch.offsets(of: Array("é".utf8), in: bytes) == [5])
    }

    @Test func planForAFolderOutsideGitNeedsNoPurge() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: 301)
        let token = AzureDevOpsCaskChecksum.generate(using: &generator)
        try Data("x\nPAT=\(token)\n".utf8).write(to: folder.appendingPathComponent("app.env"))
        let ruleSet = try RuleLoader.load()
        let report = try Scanner(ruleSet: ruleSet).scan(paths: [folder.path])
        let json = JSONReport.render(report, toolVersion: "test", showSecrets: false)
        let leak = try LeakReport.parse(Array(json.utf8), source: "test")
        #expect(leak.entries.map(\.isRedacted) == [true])

        var options = RemediationPlanner.Options(reportFile: "r.json", replacementsFile: folder.appendingPathComponent("replace.txt").path)
        options.now = Date(timeIntervalSince1970: 1_800_000_000)
        let (plan, replacements) = try RemediationPlanner(ruleSet: ruleSet).plan(for: leak, options: options)
        #expect(replacements == nil, "nothing committed, so nothing to purge")
        #expect(plan.historyPurge == nil)
        #expect(plan.generatedAt == "2027-01-15T08:00:00Z")
        let secret = try #require(plan.secrets.first)
        #expect(secret.committed == false && secret.pushed == false)
        #expect(secret.inWorkTree == [Location(path: "app.env", line: 2, column: 5)])
        #expect(secret.steps.map(\.kind) == [.revoke, .rotate, .updateConsumers, .audit, .replaceLiteral, .other])
        #expect(secret.steps[0].commands == ["patrol revoke r.json --yes"])
        #expect(secret.steps[0].text.contains("https://dev.azure.com/YOUR-ORG/_usersSettings/tokens"))
        #expect(secret.steps[3].commands.first?.contains("startTime=2026-10-17T08:00:00Z&endTime=2027-01-15T08:00:00Z") == true, "no commit date: the last 90 days")
        let markdown = RemediationMarkdown.render(plan)
        let planJSON = RemediationJSON.render(plan, toolVersion: "test")
        #expect(!markdown.contains(token) && !planJSON.contains(token))
        #expect(markdown.contains("- **Committed:** no — no commit holds it; nothing was pushed."))
        #expect(try JSONSerialization.jsonObject(with: Data(planJSON.utf8)) is [String: Any])
    }

    @Test func csvFieldsAreQuotedOnlyWhenNeeded() {
        #expect(CSVReport.field("plain") == "plain")
        #expect(CSVReport.field("a,b") == "\"a,b\"")
        #expect(CSVReport.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReport.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVReport.row(["a", "b,c"]) == "a,\"b,c\"\r\n")
    }

    @Test func markdownCellsEscapePipesAndBackticks() {
        #expect(MarkdownReport.code("a|b") == "`a\\|b`")
        #expect(MarkdownReport.code("x`y") == "`` x`y ``")
        #expect(MarkdownReport.code("one\ntwo") == "`one two`")
    }

    @Test func sarifColumnsCountUTF16UnitsBeforeTheSecret() {
        let line = Array("é = TOKEN".utf8)
        var finding = Finding(
            rule: "r", ruleName: "R", provider: "p", confidence: .high, secret: "TOKEN", fingerprint: Fingerprint("f"),
            path: "a", line: 1, column: 6, endLine: 1, endColumn: 10,
            snippet: Snippet(bytes: line, secretSpans: [5..<10]),
            decoded: "none", validated: nil, verified: nil, context: .empty,
            commit: nil, author: nil, authorDate: nil, commitDate: nil, locations: []
        )
        let region = SourceRegion(finding)
        #expect(region.startColumn == 5)
        #expect(region.endColumn == 10)
        finding.endLine = 2
        finding.endColumn = 3
        #expect(SourceRegion(finding).endColumn == 4)
        #expect(SARIFReport.relativeURI("a b/c:d") == "a%20b/c:d")
        #expect(SARIFReport.relativeURI("c:d/e") == "./c:d/e")
        #expect(SARIFReport.pascalCase("azure-devops-pat") == "AzureDevopsPat")
    }

    @Test func xmlTextEscapesMarkupAndDropsWhatXMLCannotHold() {
        #expect(XMLText.escape("a<b>&\"'") == "a&lt;b&gt;&amp;\"'")
        #expect(XMLText.escape("a\"b\nc", attribute: true) == "a&quot;b&#10;c")
        #expect(XMLText.escape("bell\u{7}") == "bell\u{FFFD}")
    }
}
