/// A provider's `remediation` Markdown (from its `patterns/` file) split into its opening
/// paragraph and its numbered steps (`1. **Revoke** it: …`), so a plan can keep the provider's
/// wording while adapting each step to the situation: a `patrol revoke` command before the
/// revoke step, every file and line in the replace step, the history purge only when pushed.
public struct ProviderRemediation: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// The bold title, e.g. `Revoke`, `Update its consumers`.
        public var title: String
        /// The whole item as one paragraph of Markdown, without its number.
        public var text: String
        public var kind: RemediationStep.Kind
    }

    /// The opening paragraph: what the secret is and why it is compromised.
    public var summary: String
    public var steps: [Step]
    /// Paragraphs after the numbered list, if any.
    public var notes: [String]

    public init(markdown: String) {
        var summaryLines: [String] = []
        var items: [[String]] = []
        var notes: [[String]] = []
        var sawBlank = false
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty {
                sawBlank = true
                continue
            }
            defer { sawBlank = false }
            if let itemText = Self.numberedItem(line) {
                items.append([itemText])
            } else if items.isEmpty {
                summaryLines.append(line)
            } else if notes.isEmpty && (!sawBlank || Self.isIndentedContinuation(rawLine)) {
                items[items.count - 1].append(line)
            } else {
                if sawBlank || notes.isEmpty { notes.append([]) }
                notes[notes.count - 1].append(line)
            }
        }
        summary = summaryLines.joined(separator: " ")
        self.notes = notes.filter { !$0.isEmpty }.map { $0.joined(separator: " ") }
        var steps = items.map { lines in
            let text = lines.joined(separator: " ")
            let title = Self.boldTitle(text) ?? String(text.prefix { $0 != ":" && $0 != "." })
            return Step(title: title, text: text, kind: Self.kind(of: title))
        }
        // A list that names no revoking step ("Disable", "Roll", …) starts with it.
        if !steps.contains(where: { $0.kind == .revoke }), let first = steps.indices.first, steps[first].kind == .other {
            steps[first].kind = .revoke
        }
        self.steps = steps
    }

    /// `N. text` → `text`.
    private static func numberedItem(_ line: String) -> String? {
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 2 else { return nil }
        let rest = line.dropFirst(digits.count)
        guard rest.hasPrefix(". ") else { return nil }
        return String(rest.dropFirst(2)).trimmingWhitespace()
    }

    private static func isIndentedContinuation(_ line: Substring) -> Bool {
        line.prefix { $0 == " " }.count >= 2
    }

    private static func boldTitle(_ text: String) -> String? {
        guard text.hasPrefix("**") else { return nil }
        let rest = text.dropFirst(2)
        guard let end = rest.firstRange(of: "**") else { return nil }
        return String(rest[..<end.lowerBound])
    }

    private static let revokeWords = ["revoke", "delete", "disable", "deactivate", "roll", "reset", "invalidate", "regenerate"]

    static func kind(of title: String) -> RemediationStep.Kind {
        let lowered = title.lowercased()
        if lowered.contains("purge") { return .purgeHistory }
        if lowered.hasPrefix("replace the") { return .replaceLiteral }
        if lowered.contains("consumers") { return .updateConsumers }
        if lowered.hasPrefix("check") { return .audit }
        if revokeWords.contains(where: { lowered.contains($0) }) { return .revoke }
        if lowered.hasPrefix("rotate") || lowered.hasPrefix("restrict") { return .rotate }
        return .other
    }

    /// `text` with each `{name}` whose name is in `values` replaced; other braces (API paths such
    /// as `{client_id}`, JSON bodies) are left as they are.
    public static func fill(_ text: String, _ values: [String: String]) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let value = values[String(rest[afterOpen..<close])] {
                output += value
                rest = rest[rest.index(after: close)...]
            } else {
                output += "{"
                rest = rest[afterOpen...]
            }
        }
        return output + rest
    }

    /// The remediation with its placeholders made generic (`YOUR-ORG`, "the file"), for help
    /// text that is not about one finding (SARIF rule help).
    public static func generic(_ markdown: String, contextNames: [String]) -> String {
        var values: [String: String] = ["path": "FILE", "commit": "COMMIT"]
        for name in contextNames { values[name] = "YOUR-" + String(name.uppercased().map { $0 == "_" ? "-" : $0 }) }
        return fill(markdown, values)
    }
}
