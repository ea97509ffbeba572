import PatrolKit

/// `patrol diff …` read without ArgumentParser, for the pre-commit hook's sake.
///
/// ArgumentParser finds a command's options by reflection, and the Swift runtime answers the
/// first protocol-conformance questions of each type by scanning every conformance record in the
/// binary — which SwiftNIO, AsyncHTTPClient and GRDB made large: a third of the instructions of
/// `patrol diff --staged`, paid on every commit. This reads the plain spellings of `diff`'s
/// options (`--name value`, `--name=value`, the flags, one revision) and gives up — nil, and
/// ArgumentParser parses as usual, with its own messages — on anything else: help, unknown or
/// repeated options, combined short flags, `--`, values that look like options or do not parse,
/// and arguments that cannot go together. A test holds it to ArgumentParser's results.
enum DiffFastPath {
    /// The request for `arguments` (without the program name), or nil when ArgumentParser must
    /// parse them.
    static func request(from arguments: [String]) -> DiffRequest? {
        guard arguments.first == DiffCommand.configuration.commandName else { return nil }
        var request = DiffRequest()
        var seen = Set<String>()
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") && argument != "-" else {
                guard request.revision == nil else { return nil }
                request.revision = argument
                continue
            }
            var name = argument
            var attached: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                attached = String(argument[argument.index(after: equals)...])
            }
            name = shortNames[name] ?? name
            // Only --rules repeats; a second use of anything else is ArgumentParser's to judge.
            guard name == "--rules" || seen.insert(name).inserted else { return nil }
            if let apply = flags[name] {
                guard attached == nil else { return nil }
                apply(&request)
                continue
            }
            guard let apply = options[name] else { return nil }
            let value: String
            if let attached {
                guard !attached.isEmpty else { return nil }
                value = attached
            } else {
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            guard apply(&request, value) else { return nil }
        }
        return request.problem == nil ? request : nil
    }

    private static let shortNames = ["-o": "--output", "-q": "--quiet", "-v": "--verbose"]

    private static let flags: [String: @Sendable (inout DiffRequest) -> Void] = [
        "--staged": { $0.staged = true },
        "--show-secrets": { $0.report.showSecrets = true },
        "--strict": { $0.report.strict = true },
        "--no-color": { $0.report.noColor = true },
        "--quiet": { $0.report.quiet = true },
        "--verbose": { $0.report.verbose = true },
        "--no-config": { $0.selection.noConfig = true },
        "--no-generic": { $0.selection.noGeneric = true },
        "--no-baseline": { $0.baseline.noBaseline = true },
    ]

    /// Each option's setter; false when the value does not parse.
    private static let options: [String: @Sendable (inout DiffRequest, String) -> Bool] = [
        "--repository": { $0.repository = $1; return true },
        "--output": { $0.report.output = $1; return true },
        "--config": { $0.selection.config = $1; return true },
        "--baseline": { $0.baseline.baseline = $1; return true },
        "--rules": { $0.selection.ruleDirectories.append($1); return true },
        "--format": { request, value in
            guard let format = ReportFormat(rawValue: value) else { return false }
            request.report.format = format
            return true
        },
        "--min-confidence": { request, value in
            guard let level = Confidence(rawValue: value) else { return false }
            request.report.minConfidence = level
            return true
        },
        "--exit-code": { request, value in
            guard let code = Int32(value) else { return false }
            request.report.exitCode = code
            return true
        },
    ]
}
