import Foundation

/// Builds the rule set a command uses: the built-in rules compiled into the binary (parsed at
/// build time by the EmbedRules plugin, so no YAML is read at start-up), plus rule
/// folders (`--rules DIR`, `rules.extra`), minus disabled rules.
public enum RuleLoader {
    /// The built-in rule files, as (display name, text), from the generated `BuiltInRuleFiles`.
    public static var builtInFiles: [(name: String, text: String)] {
        BuiltInRuleFiles.encoded.map { entry in
            let data = Data(base64Encoded: entry.base64) ?? Data()
            return ("patterns/" + entry.name, String(decoding: data, as: UTF8.self))
        }
    }

    /// Loads the built-in rules and every `*.yml`/`*.yaml` file in `directories`. Rules from
    /// those folders must pass their own examples; an id that reuses a built-in one needs
    /// `override: true`. Unknown ids in `disabled` are an error (a typo would silently keep a rule).
    /// `disabledProviders` removes every rule of those providers (`generic` for `--no-generic`).
    public static func load(
        extraDirectories: [String] = [],
        disabled: [String] = [],
        disabledProviders: Set<String> = [],
        checkExamples: Bool = true
    ) throws(RuleError) -> RuleSet {
        var providers: [Provider] = []
        var rules: [Rule] = []
        for (provider, fileRules) in BuiltInRuleFiles.parsed {
            try merge(provider, fileRules, into: &providers, &rules, builtIn: true)
        }
        var extraRuleIDs = Set<String>()
        var extraFiles = Set<String>()
        for directory in extraDirectories {
            for file in try ruleFiles(in: directory) {
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw RuleError(file: file, reason: "cannot read: \(error.localizedDescription)")
                }
                let (provider, fileRules) = try RuleFileParser.parse(text, file: file)
                try merge(provider, fileRules, into: &providers, &rules, builtIn: false)
                extraRuleIDs.formUnion(fileRules.map(\.id))
                extraFiles.insert(file)
            }
        }
        for id in disabled {
            guard rules.contains(where: { $0.id == id }) else {
                throw RuleError(file: "configuration", reason: "cannot disable unknown rule '\(id)'")
            }
        }
        let disabledSet = Set(disabled)
        rules.removeAll { disabledSet.contains($0.id) || disabledProviders.contains($0.providerID) }
        let ruleSet = try RuleSet(providers: providers, rules: rules, checkRegexesOf: extraFiles)
        // User rules prove themselves at load time; built-in ones are proven by the test suite.
        for rule in ruleSet.rules where checkExamples && extraRuleIDs.contains(rule.id) {
            if let failure = RuleExamples.run(rule: rule.id, in: ruleSet).first {
                throw RuleError(file: rule.sourceFile, rule: rule.id, reason: failure.description)
            }
        }
        return ruleSet
    }

    private static func merge(_ provider: Provider, _ fileRules: [Rule], into providers: inout [Provider], _ rules: inout [Rule], builtIn: Bool) throws(RuleError) {
        if !providers.contains(where: { $0.id == provider.id }) { providers.append(provider) }
        for rule in fileRules {
            if let existing = rules.firstIndex(where: { $0.id == rule.id }) {
                let previous = rules[existing]
                guard !builtIn, rule.isOverride else {
                    throw RuleError(file: rule.sourceFile, rule: rule.id, reason: "the id is already used by \(previous.sourceFile); set 'override: true' to replace that rule")
                }
                rules[existing] = rule
            } else {
                rules.append(rule)
            }
        }
    }

    private static func ruleFiles(in directory: String) throws(RuleError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw RuleError(file: directory, reason: "no such rules folder")
        }
        guard isDirectory.boolValue else { return [directory] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw RuleError(file: directory, reason: "cannot list the rules folder: \(error.localizedDescription)")
        }
        return names
            .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }
            .sorted()
            .map { PathText.appending($0, to: directory) }
    }
}
