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
        guard arguments.first == "diff" else { return nil }
        var request = DiffRequest()
        var seen: [String] = []
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
            switch name {
            case "-o": name = "--output"
            case "-q": name = "--quiet"
            case "-v": name = "--verbose"
            default: break
            }
            // Only --rules repeats; a second use of anything else is ArgumentParser's to judge.
            guard name == "--rules" || !seen.contains(name) else { return nil }
            seen.append(name)
            if setFlag(name, in: &request) {
                guard attached == nil else { return nil }
                continue
            }
            guard let setOption = optionSetter(name) else { return nil }
            let value: String
            if let attached {
                guard !attached.isEmpty else { return nil }
                value = attached
            } else {
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            guard setOption(&request, value) else { return nil }
        }
        return request.problem == nil ? request : nil
    }

    // Switches, not dictionaries of closures: the first dictionary of a new type costs the
    // runtime's conformance lookups again, half a million instructions.

    /// Sets the flag `name`; false when `name` is not a flag.
    private static func setFlag(_ name: String, in request: inout DiffRequest) -> Bool {
        switch name {
        case "--staged": request.staged = true
        case "--show-secrets": request.report.showSecrets = true
        case "--strict": request.report.strict = true
        case "--no-color": request.report.noColor = true
        case "--quiet": request.report.quiet = true
        case "--verbose": request.report.verbose = true
        case "--no-config": request.selection.noConfig = true
        case "--no-generic": request.selection.noGeneric = true
        case "--no-baseline": request.baseline.noBaseline = true
        default: return false
        }
        return true
    }

    /// The setter of the option `name`, which returns false when its value does not parse; nil
    /// when `name` is not an option.
    private static func optionSetter(_ name: String) -> ((inout DiffRequest, String) -> Bool)? {
        switch name {
        case "--repository": { $0.repository = $1; return true }
        case "--output": { $0.report.output = $1; return true }
        case "--config": { $0.selection.config = $1; return true }
        case "--baseline": { $0.baseline.baseline = $1; return true }
        case "--rules": { $0.selection.ruleDirectories.append($1); return true }
        case "--format": { request, value in
            guard let format = ReportFormat(rawValue: value) else { return false }
            request.report.format = format
            return true
        }
        case "--min-confidence": { request, value in
            guard let level = Confidence(rawValue: value) else { return false }
            request.report.minConfidence = level
            return true
        }
        case "--exit-code": { request, value in
            guard let code = Int32(value) else { return false }
            request.report.exitCode = code
            return true
        }
        default: nil
        }
    }
}
