import ArgumentParser
import Foundation
import PatrolKit

/// Report formats: `text` for people, `json` (the contract, and what `remediate` reads),
/// `jsonl`, `sarif` (code scanning), `junit` (pipeline test tabs), `csv`, `markdown` (pull-request comments).
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case jsonl
    case sarif
    case junit
    case csv
    case markdown
}

extension Confidence: ExpressibleByArgument {}

/// Options of every command that reports findings.
struct ReportOptions: ParsableArguments {
    @Option(help: "Output format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: ReportFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Show secrets in full. By default they are redacted to their first 4 characters and length.")
    var showSecrets = false

    @Option(help: ArgumentHelp("Report only findings of at least this confidence: high, medium or low.", valueName: "level"))
    var minConfidence: Confidence = .low

    @Option(help: ArgumentHelp("Exit code when findings remain (default 1).", valueName: "n"))
    var exitCode: Int32 = 1

    @Flag(help: "Exit 2 when any file could not be read (findings still win with their exit code).")
    var strict = false

    @Flag(help: "Never colour the output (colour is used only on a terminal, and never with NO_COLOR set).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also list skipped files on standard error.")
    var verbose = false
}

/// What `ReportOptions` parsed, as a plain value: `ReportPrinter` reads this, and the hook's
/// fast path (`DiffFastPath`) builds one without ArgumentParser.
struct ReportSettings: Equatable {
    var format = ReportFormat.text
    var output: String?
    var showSecrets = false
    var minConfidence = Confidence.low
    var exitCode: Int32 = 1
    var strict = false
    var noColor = false
    var quiet = false
    var verbose = false
}

extension ReportOptions {
    var settings: ReportSettings {
        ReportSettings(format: format, output: output, showSecrets: showSecrets, minConfidence: minConfidence, exitCode: exitCode, strict: strict, noColor: noColor, quiet: quiet, verbose: verbose)
    }
}

/// Options that choose the rules and the configuration.
struct RuleSelectionOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("A folder of extra rule files, added to the built-in rules (repeatable).", valueName: "dir"))
    var ruleDirectories: [String] = []

    @Option(help: ArgumentHelp("Read the configuration from FILE instead of .patrol.yml.", valueName: "file"))
    var config: String?

    @Flag(help: "Ignore .patrol.yml.")
    var noConfig = false

    @Flag(help: "Turn off the generic heuristic (credential-like names with high-entropy values, confidence low).")
    var noGeneric = false

    var selection: RuleSelection {
        RuleSelection(ruleDirectories: ruleDirectories, config: config, noConfig: noConfig, noGeneric: noGeneric)
    }

    /// The configuration for a scan of `target`, and the rule set it selects.
    func load(target: String) throws -> (PatrolConfig, RuleSet) { try selection.load(target: target) }

    /// The configuration of a repository (in a bare one, `.patrol.yml` of `HEAD`'s tree).
    func loadForRepository(_ repository: String) throws -> (PatrolConfig, RuleSet) { try selection.loadForRepository(repository) }
}

/// What `RuleSelectionOptions` parsed, as a plain value, and how it loads the rules.
struct RuleSelection: Equatable {
    var ruleDirectories: [String] = []
    var config: String?
    var noConfig = false
    var noGeneric = false

    /// The configuration for a scan of `target`, and the rule set it selects.
    func load(target: String) throws -> (PatrolConfig, RuleSet) {
        try load { try PatrolConfig.discover(for: target).map { try PatrolConfig.load(file: $0) } }
    }

    /// The configuration of a repository (in a bare one, `.patrol.yml` of `HEAD`'s tree).
    func loadForRepository(_ repository: String) throws -> (PatrolConfig, RuleSet) {
        try load { try PatrolConfig.forRepository(repository) }
    }

    private func load(discover: () throws -> PatrolConfig?) throws -> (PatrolConfig, RuleSet) {
        var config = PatrolConfig()
        if !noConfig {
            if let file = self.config {
                guard FileManager.default.fileExists(atPath: file) else {
                    throw CommandFailure("\(file): no such configuration file")
                }
                config = try PatrolConfig.load(file: file)
            } else if let found = try discover() {
                config = found
            }
        }
        var directories = ruleDirectories
        if let extra = config.extraRules {
            let root = config.root ?? "."
            directories.append(extra.hasPrefix("/") ? extra : PathText.appending(extra, to: root))
        }
        let generic = !noGeneric && config.generic
        let ruleSet = try RuleLoader.load(extraDirectories: directories, disabled: config.disabledRules, disabledProviders: generic ? [] : ["generic"])
        return (config, ruleSet)
    }
}

/// Sizes such as 25M, 3G, 512K or 1000 (bytes); K, M, G, T are powers of 1024.
struct ByteSize: ExpressibleByArgument {
    let bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        var text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where text.hasSuffix(suffix) && text.count > suffix.count {
            text.removeLast(suffix.count)
        }
        var multiplier = 1
        if let last = text.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            multiplier = 1 << (10 * power)
            text.removeLast()
        }
        guard let value = Double(text), value >= 0, value * Double(multiplier) < Double(Int.max) else { return nil }
        bytes = Int(value * Double(multiplier))
    }

    var defaultValueDescription: String { "25M" }
}

/// How `history` and `ci` read blobs: `git cat-file` readers and the size limit.
struct BlobReadingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Worker threads, each with its own git cat-file (default: the number of cores).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Skip blobs larger than this (e.g. 25M, 3G).", valueName: "size"))
    var maxFileSize = ByteSize(bytes: 25 << 20)

    @Flag(help: "Do not scan commit messages, annotated tag messages and git notes.")
    var noMetadata = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func apply(to options: inout HistoryOptions) {
        if let threads { options.threads = threads }
        options.maxFileSize = maxFileSize.bytes
        options.scanMetadata = !noMetadata
    }
}
