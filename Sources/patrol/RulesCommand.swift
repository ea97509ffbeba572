import ArgumentParser
import Foundation
import PatrolKit

/// `patrol rules list | show ID | test [DIR] | generate ID`.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Inspect and test the detection rules.",
        subcommands: [List.self, Show.self, Test.self, Generate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the rules: id, provider, confidence and how a match is proven.")
        @OptionGroup var selection: RuleSelectionOptions

        func run() throws {
            let (_, ruleSet) = try selection.load(target: ".")
            let width = ruleSet.rules.map(\.id.count).max() ?? 0
            for rule in ruleSet.rules {
                let proof = rule.validate.map { "checksum: \($0)" } ?? (rule.entropy.map { "entropy ≥ \($0)" } ?? "shape")
                let trigger = rule.candidates.map { "candidates: \($0)" } ?? "keywords: \(rule.keywords.joined(separator: ", "))"
                print(rule.id.padding(toLength: width, withPad: " ", startingAt: 0), rule.providerID, rule.confidence.rawValue, proof, trigger, separator: "  ")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one rule in full.")
        @Argument(help: "The rule id.") var id: String
        @OptionGroup var selection: RuleSelectionOptions

        func run() throws {
            let (_, ruleSet) = try selection.load(target: ".")
            guard let rule = ruleSet.rule(id: id) else {
                throw CommandFailure("no rule '\(id)' (see 'patrol rules list')")
            }
            let provider = ruleSet.provider(id: rule.providerID)
            var lines = [
                "id:          \(rule.id)",
                "name:        \(rule.name)",
                "provider:    \(provider?.name ?? rule.providerID) (\(rule.providerID))",
                "file:        \(rule.sourceFile)",
                "confidence:  \(rule.confidence.rawValue)",
                "regex:       \(rule.regex)",
            ]
            if !rule.keywords.isEmpty {
                lines.append("keywords:    \(rule.keywords.joined(separator: ", "))\(rule.keywordsCaseInsensitive ? " (any case)" : "")")
            }
            if let candidates = rule.candidates { lines.append("candidates:  \(candidates)") }
            if let validate = rule.validate { lines.append("validator:   \(validate)") }
            if let entropy = rule.entropy { lines.append("entropy:     ≥ \(entropy) bits per byte") }
            if let verify = provider?.verify { lines.append("verify:      \(verify)") }
            if let revoke = provider?.revoke { lines.append("revoke:      \(revoke)") }
            lines.append("examples:    \(rule.examples.count) positive, \(rule.negativeExamples.count) negative")
            if let remediation = provider?.remediation, !remediation.isEmpty {
                lines.append("")
                lines.append(remediation.trimmingCharacters(in: .newlines))
            }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Run every rule's examples and negative examples.",
            discussion: "With DIR, its rule files are tested along with the built-in ones. Exit 0 when all pass, 1 when an example fails, 2 when a rule file cannot be loaded."
        )
        @Argument(help: ArgumentHelp("A folder of rule files to test with the built-in ones.", valueName: "dir"))
        var directory: String?
        @Option(help: "Seed of the examples' random parts (default \(RuleExamples.defaultSeed), so runs repeat); other seeds try other values.")
        var seed: UInt64 = RuleExamples.defaultSeed

        func run() throws {
            let ruleSet = try RuleLoader.load(extraDirectories: directory.map { [$0] } ?? [], checkExamples: false)
            var failed = 0
            for rule in ruleSet.rules {
                let failures = RuleExamples.run(rule: rule.id, in: ruleSet, seed: seed)
                if failures.isEmpty {
                    print("ok    \(rule.id)  (\(rule.examples.count) examples, \(rule.negativeExamples.count) negative)")
                } else {
                    failed += 1
                    for failure in failures {
                        print("FAIL  \(failure.file): rule '\(failure.rule)': \(failure.description)")
                    }
                }
            }
            print("\(ruleSet.rules.count - failed) passed, \(failed) failed" + (failed > 0 ? " (--seed \(seed))" : ""))
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Print synthetic tokens that pass a rule's validator, for tests and benchmarks.",
            discussion: "The tokens are random: they have a valid checksum but were never issued by the provider."
        )
        @Argument(help: "The rule id (it must name a validator).") var id: String
        @Option(help: "How many tokens.") var count = 1
        @Option(help: "Seed, for reproducible tokens.") var seed: UInt64?
        @Flag(help: "Generate tokens of the right shape whose checksum fails.") var badChecksum = false
        @Flag(help: "Print the rule's positive examples, expanded, as JSON Lines ({\"text\", \"secrets\"}): works for every rule, with or without a validator.") var examples = false

        func run() throws {
            let ruleSet = try RuleLoader.load()
            guard let rule = ruleSet.rule(id: id) else { throw CommandFailure("no rule '\(id)' (see 'patrol rules list')") }
            if examples {
                var seeds = SeedSequence(seed: self.seed ?? UInt64.random(in: 0...UInt64.max))
                var output = ""
                for index in 0..<max(0, count) where !rule.examples.isEmpty {
                    let template = rule.examples[index % rule.examples.count]
                    guard let expanded = RuleExamples.expand(template, rule: id, in: ruleSet, seed: seeds.next()) else { continue }
                    let secrets = RuleExamples.findings(of: id, in: expanded.text, ruleSet: ruleSet).map(\.secret)
                    let line = try JSONSerialization.data(withJSONObject: ["text": expanded.text, "secrets": secrets], options: [.sortedKeys, .withoutEscapingSlashes])
                    output += String(decoding: line, as: UTF8.self) + "\n"
                }
                Terminal.writeStandardOutput(output)
                return
            }
            let template = badChecksum ? RuleExamples.badChecksumPlaceholder : RuleExamples.generatePlaceholder
            // Each token gets its own seed drawn from one generator (consecutive seeds of SplitMix64
            // would give the same sequence shifted by one).
            var seeds = SeedSequence(seed: self.seed ?? UInt64.random(in: 0...UInt64.max))
            var output = ""
            for _ in 0..<max(0, count) {
                guard let expanded = RuleExamples.expand(template, rule: id, in: ruleSet, seed: seeds.next()) else {
                    throw CommandFailure("rule '\(id)' cannot generate \(badChecksum ? "bad-checksum look-alikes" : "tokens") (it has no validator\(badChecksum ? ", or its validator checks a structure one changed character does not break" : ""))")
                }
                output += expanded.text + "\n"
            }
            Terminal.writeStandardOutput(output)
        }
    }
}
