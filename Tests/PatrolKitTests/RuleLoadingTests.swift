import Foundation
import Testing
@testable import PatrolKit

/// Broken rule files and configurations fail with the file, the rule and the reason.
@Suite struct RuleLoadingTests {
    private func parse(_ text: String) -> RuleError? {
        do {
            let (provider, rules) = try RuleFileParser.parse(text, file: "x.yml")
            _ = try RuleSet(providers: [provider], rules: rules)
            return nil
        } catch {
            return error
        }
    }

    private let header = "provider: {id: acme, name: Acme}\nrules:\n"

    @Test func builtInRulesLoadAndAreCompiledIntoTheBinary() throws {
        let ruleSet = try RuleLoader.load()
        // Loading defers PCRE2 compilation of built-in rules; every regex must compile.
        _ = try RuleSet(providers: ruleSet.providers, rules: ruleSet.rules, checkRegexesOf: nil)
        #expect(ruleSet.rule(id: "azure-devops-pat") != nil)
        #expect(ruleSet.rule(id: "azure-devops-pat-legacy") != nil)
        #expect(RuleLoader.builtInFiles.map(\.name).contains("patterns/azure-devops.yml"))
    }

    /// The built-in rules are Swift values that the build wrote from each file; they must be
    /// exactly what parsing the file's text gives (quotes, backslashes and newlines in regexes and
    /// remediation text survive the literals; a quoted "null" stays a string).
    @Test(arguments: BuiltInRuleFiles.encoded.map(\.name))
    func compiledRulesAreWhatTheFileTextSays(name: String) throws {
        let index = try #require(BuiltInRuleFiles.encoded.firstIndex { $0.name == name })
        let text = String(decoding: try #require(Data(base64Encoded: BuiltInRuleFiles.encoded[index].base64)), as: UTF8.self)
        let fromText = try RuleFileParser.parse(text, file: "patterns/" + name)
        let compiled = BuiltInRuleFiles.parsed[index]
        #expect(compiled.provider == fromText.0, "provider of \(name)")
        #expect(compiled.rules == fromText.1, "rules of \(name)")
        #expect(!compiled.rules.isEmpty)
    }

    @Test func everyRuleFileIsCompiledIn() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../patterns").path)
        #expect(BuiltInRuleFiles.encoded.map(\.name) == files.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted())
        #expect(BuiltInRuleFiles.parsed.count == BuiltInRuleFiles.encoded.count)
    }

    @Test func invalidYAMLNamesTheFileAndLine() {
        let error = parse("provider: {id: acme\nrules: [")
        #expect(error?.file == "x.yml")
        #expect(error?.reason.hasPrefix("not valid YAML") == true)
    }

    @Test func badRegexNamesTheRule() {
        let error = parse(header + "  - {id: broken, name: B, regex: 'ab(c', keywords: [abc], examples: [abc]}\n")
        #expect(error?.rule == "broken")
        #expect(error?.reason.contains("invalid regex") == true)
        #expect(error?.description.hasPrefix("x.yml") == true)
    }

    @Test func unknownValidatorAndCandidateScanAreErrors() {
        let validator = parse(header + "  - {id: v, name: V, regex: 'abc', keywords: [abc], validate: crc99, examples: [abc]}\n")
        #expect(validator?.rule == "v")
        #expect(validator?.reason.contains("unknown validator 'crc99'") == true)
        let candidates = parse(header + "  - {id: c, name: C, regex: 'abc', candidates: mystery-run-3, examples: [abc]}\n")
        #expect(candidates?.reason.contains("unknown candidate scan") == true)
    }

    @Test func unknownKeysAndMissingFieldsAreErrors() {
        let typo = parse(header + "  - {id: t, name: T, regex: 'abc', keyword: [abc]}\n")
        #expect(typo?.rule == "t")
        #expect(typo?.reason.contains("unknown key 'keyword'") == true)
        let missing = parse(header + "  - {id: m, name: M, keywords: [abc]}\n")
        #expect(missing?.reason == "'regex' is required")
        let short = parse(header + "  - {id: s, name: S, regex: 'ab', keywords: [ab]}\n")
        #expect(short?.reason.contains("shorter than 3 bytes") == true)
    }

    @Test func extraRulesMustPassTheirExamplesAndNotReuseIds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("acme.yml")

        try (header + "  - {id: acme-key, name: K, regex: 'acme_[a-z]{4}', keywords: [acme_], examples: ['x acme_1234']}\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: RuleError.self) { try RuleLoader.load(extraDirectories: [folder.path]) }
        do {
            _ = try RuleLoader.load(extraDirectories: [folder.path])
        } catch {
            #expect(error.rule == "acme-key")
            #expect(error.reason.contains("should match but does not"))
        }

        try (header + "  - {id: azure-devops-pat, name: K, regex: 'acme_[a-z]{4}', keywords: [acme_], examples: ['x acme_abcd']}\n").write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try RuleLoader.load(extraDirectories: [folder.path])
            Issue.record("a reused id was accepted")
        } catch {
            #expect(error.reason.contains("override: true"))
        }

        try (header + "  - {id: azure-devops-pat, override: true, name: K, regex: 'acme_[a-z]{4}', keywords: [acme_], examples: ['x acme_abcd'], negative-examples: ['acme_12']}\n").write(to: file, atomically: true, encoding: .utf8)
        let overridden = try RuleLoader.load(extraDirectories: [folder.path])
        #expect(overridden.rule(id: "azure-devops-pat")?.regex == "acme_[a-z]{4}")
    }

    @Test func disablingAnUnknownRuleIsAnError() {
        #expect(throws: RuleError.self) { try RuleLoader.load(disabled: ["no-such-rule"]) }
        #expect((try? RuleLoader.load(disabled: ["azure-devops-pat-legacy"]))?.rule(id: "azure-devops-pat-legacy") == nil)
    }
}

@Suite struct PatrolConfigTests {
    @Test func readsEveryKey() throws {
        let config = try PatrolConfig.parse("""
            allow:
              paths: [tests/fixtures/, "*.snap"]
              regexes: ['^EXAMPLE']
              stopwords: [dummy]
            rules:
              disable: [azure-devops-pat-legacy]
              extra: more-rules
            """, file: "/repo/.patrol.yml")
        #expect(config.allowPaths.map(\.pattern) == ["tests/fixtures/", "*.snap"])
        #expect(config.allowRegexes == ["^EXAMPLE"])
        #expect(config.allowStopwords == ["dummy"])
        #expect(config.disabledRules == ["azure-devops-pat-legacy"])
        #expect(config.extraRules == "more-rules")
        #expect(config.root == "/repo")
    }

    @Test func unknownKeyNamesTheKeyAndTheFile() {
        do {
            _ = try PatrolConfig.parse("allow:\n  path: [x]\n", file: "/repo/.patrol.yml")
            Issue.record("accepted an unknown key")
        } catch {
            #expect(error.file == "/repo/.patrol.yml")
            #expect(error.reason.contains("unknown key 'path'"))
            #expect(error.line == 2)
        }
    }

    @Test func badValuesAreErrors() {
        #expect(throws: RuleError.self) { try PatrolConfig.parse("allow:\n  paths: tests\n", file: "c.yml") }
        #expect(throws: RuleError.self) { try PatrolConfig.parse("allow:\n  regexes: ['a(']\n", file: "c.yml") }
        #expect((try? PatrolConfig.parse("", file: "c.yml")) != nil)
    }
}

@Suite struct ExamplePlaceholderTests {
    @Test func randomPlaceholdersExpandToTheirAlphabetAndLength() throws {
        var rng = SeededGenerator(seed: 1)
        let expanded = try RuleExamples.expand("k = sk_{{base62:24}} / {{hex:8}} / {{digits:3}} / {{unknown:4}}", validator: nil, using: &rng)
        let parts = expanded.text.components(separatedBy: " / ")
        #expect(parts.count == 4)
        #expect(parts[0].hasPrefix("k = sk_") && parts[0].count == 7 + 24)
        #expect(parts[0].dropFirst(7).allSatisfy { $0.isLetter || $0.isNumber })
        #expect(parts[1].count == 8 && parts[1].allSatisfy { "0123456789abcdef".contains($0) })
        #expect(parts[2].count == 3 && parts[2].allSatisfy(\.isNumber))
        #expect(parts[3] == "{{unknown:4}}")
        #expect(expanded.tokens.isEmpty)
    }

    @Test func generatePlaceholdersNeedAValidator() {
        var rng = SeededGenerator(seed: 1)
        #expect(throws: RuleExamples.ExpansionError.noValidator) { try RuleExamples.expand("{{generate}}", validator: nil, using: &rng) }
        let validator = Validator.builtIn["azure-devops-legacy"]!
        let expanded = try? RuleExamples.expand("a {{generate}} b {{generate-bad-checksum}}", validator: validator, using: &rng)
        #expect(expanded?.tokens.count == 1)
        let words = expanded?.text.split(separator: " ").map(String.init) ?? []
        #expect(words.count == 4)
        #expect(validator.isValid(words[1]) && !validator.isValid(words[3]))
    }
}
