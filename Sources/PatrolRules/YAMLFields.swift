import Yams

/// Typed, strict access to one YAML mapping of a rule or configuration file: every read names
/// the file, line and key when the value is of the wrong kind, and `rejectUnknownKeys` catches
/// typos such as `keyword:` for `keywords:` instead of silently ignoring them.
package struct YAMLFields {
    package let file: String
    package let rule: String?
    package let line: Int?
    private let entries: [(key: String, value: Node)]

    package init(_ node: Node, file: String, rule: String? = nil, what: String) throws(RuleError) {
        self.file = file
        self.rule = rule
        self.line = node.mark.map { $0.line }
        guard case .mapping(let mapping) = node else {
            throw RuleError(file: file, rule: rule, line: node.mark?.line, reason: "\(what) must be a mapping of keys to values")
        }
        var entries: [(key: String, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw RuleError(file: file, rule: rule, line: key.mark?.line, reason: "keys must be strings")
            }
            entries.append((name, value))
        }
        self.entries = entries
    }

    package var keys: [String] { entries.map(\.key) }

    package subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }

    package func rejectUnknownKeys(_ allowed: Set<String>) throws(RuleError) {
        for entry in entries where !allowed.contains(entry.key) {
            throw RuleError(
                file: file, rule: rule, line: entry.value.mark?.line,
                reason: "unknown key '\(entry.key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))"
            )
        }
    }

    package func error(_ key: String, _ reason: String) -> RuleError {
        RuleError(file: file, rule: rule, line: self[key]?.mark?.line ?? line, reason: "'\(key)' \(reason)")
    }

    package func requiredString(_ key: String) throws(RuleError) -> String {
        guard let value = try string(key) else { throw error(key, "is required") }
        return value
    }

    package func string(_ key: String) throws(RuleError) -> String? {
        guard let node = self[key] else { return nil }
        if case .scalar(let scalar) = node {
            if scalar.style == .plain, scalar.string == "null" || scalar.string == "~" || scalar.string.isEmpty {
                return nil
            }
            return scalar.string
        }
        throw error(key, "must be a string")
    }

    package func stringList(_ key: String) throws(RuleError) -> [String] {
        guard let node = self[key] else { return [] }
        if case .scalar(let scalar) = node, scalar.style == .plain, scalar.string == "null" || scalar.string.isEmpty {
            return []
        }
        guard case .sequence(let sequence) = node else { throw error(key, "must be a list of strings") }
        var values: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else { throw error(key, "must be a list of strings") }
            values.append(scalar.string)
        }
        return values
    }

    package func bool(_ key: String) throws(RuleError) -> Bool? {
        guard let node = self[key] else { return nil }
        switch node.string?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, "must be true or false")
        }
    }

    package func double(_ key: String) throws(RuleError) -> Double? {
        guard let node = self[key] else { return nil }
        guard let text = node.string, let value = Double(text) else { throw error(key, "must be a number") }
        return value
    }

    package func mapping(_ key: String, what: String) throws(RuleError) -> YAMLFields? {
        guard let node = self[key] else { return nil }
        return try YAMLFields(node, file: file, rule: rule, what: what)
    }

    package func sequence(_ key: String) throws(RuleError) -> [Node] {
        guard let node = self[key] else { return [] }
        guard case .sequence(let sequence) = node else { throw error(key, "must be a list") }
        return Array(sequence)
    }
}

extension YAMLFields {
    /// Parses a whole YAML document into its top-level mapping.
    package static func document(_ text: String, file: String, what: String) throws(RuleError) -> YAMLFields {
        guard let fields = try optionalDocument(text, file: file, what: what) else { throw RuleError(file: file, reason: "the file is empty") }
        return fields
    }

    /// Like `document`, but nil for an empty document: no node at all (only comments, or
    /// nothing) or a null (`~`, `null`, a bare `---`). A configuration file that says nothing
    /// means the defaults.
    package static func optionalDocument(_ text: String, file: String, what: String) throws(RuleError) -> YAMLFields? {
        let node: Node?
        do {
            // The basic resolver: values are read as strings and typed here; the default one compiles
            // a set of NSRegularExpressions on first use, a few milliseconds of every start. The
            // encoding is given because its default reads `YAMS_DEFAULT_ENCODING` through
            // `ProcessInfo.environment`, which copies the whole environment on every call: ~10 %
            // of start-up instructions with 30-odd rule files.
            node = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            throw RuleError(file: file, reason: "not valid YAML: \(Self.describe(error))")
        } catch {
            throw RuleError(file: file, reason: "not valid YAML: \(error)")
        }
        guard let node else { return nil }
        if case .scalar(let scalar) = node, ["", "~", "null", "Null", "NULL"].contains(scalar.string), scalar.style == .plain { return nil }
        return try YAMLFields(node, file: file, what: what)
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let where_ = "line \(mark.line), column \(mark.column)"
            if let context { return "\(problem) \(context.text) (\(where_))" }
            return "\(problem) (\(where_))"
        default:
            return "\(error)"
        }
    }
}
