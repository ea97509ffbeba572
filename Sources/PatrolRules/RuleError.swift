/// A rule file that cannot be used: it names the file, the rule (when known) and the reason, so
/// the author can go straight to the line to fix.
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let rule: String?
    public let line: Int?
    public let reason: String

    public init(file: String, rule: String? = nil, line: Int? = nil, reason: String) {
        self.file = file
        self.rule = rule
        self.line = line
        self.reason = reason
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let rule { text += ": rule '\(rule)'" }
        return text + ": " + reason
    }
}
