import Foundation

/// SARIF 2.1.0 (`--format sarif`) for code-scanning dashboards (GitHub code scanning, Azure
/// DevOps' SARIF viewer, IDEs): one rule per rule that matched, with its provider's
/// remediation as help; one result per finding, at its path relative to `target.root`
/// (`%SRCROOT%`), with the fingerprint under `partialFingerprints` so dashboards track a
/// secret across edits. Secrets and snippets are redacted unless `showSecrets`.
public enum SARIFReport {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    /// The `partialFingerprints` key: versioned, as SARIF asks, in case the fingerprint changes.
    public static let fingerprintKey = "patrolSecret/v1"
    static let rootBase = "%SRCROOT%"

    /// `ruleSet` supplies rule names and remediation for the rule help; a rule it does not know
    /// gets its name from the finding.
    public static func render(_ report: ScanReport, toolVersion: String, showSecrets: Bool, ruleSet: RuleSet?) -> String {
        var ruleOrder: [String] = []
        var firstFinding: [String: Finding] = [:]
        for finding in report.findings where firstFinding[finding.rule] == nil {
            ruleOrder.append(finding.rule)
            firstFinding[finding.rule] = finding
        }
        let ruleIndex = Dictionary(uniqueKeysWithValues: ruleOrder.enumerated().map { ($1, $0) })

        var json = JSONWriter(pretty: true)
        json.beginObject()
        json.field("$schema", .string(schema))
        json.field("version", .string("2.1.0"))
        json.beginArray("runs")
        json.beginObject()
        json.beginObject("tool")
        json.beginObject("driver")
        json.field("name", .string("patrol"))
        json.field("version", .string(toolVersion))
        json.field("semanticVersion", .string(toolVersion))
        json.field("informationUri", .string(ProjectLinks.homepage))
        json.beginArray("rules")
        for id in ruleOrder { writeRule(firstFinding[id]!, ruleSet: ruleSet, to: &json) }
        json.endArray()
        json.endObject()
        json.endObject()

        json.beginArray("invocations")
        json.beginObject()
        json.field("executionSuccessful", .bool(report.errors.isEmpty))
        json.beginArray("toolExecutionNotifications")
        for failure in report.errors {
            json.beginObject()
            json.field("level", .string("warning"))
            json.beginObject("message")
            json.field("text", .string("cannot read \(failure.path): \(failure.message)"))
            json.endObject()
            json.beginArray("locations")
            json.beginObject()
            json.beginObject("physicalLocation")
            writeArtifact(failure.path, to: &json)
            json.endObject()
            json.endObject()
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endArray()

        if !report.target.root.isEmpty {
            json.beginObject("originalUriBaseIds")
            json.beginObject(rootBase)
            json.field("uri", .string(directoryURI(report.target.root)))
            json.endObject()
            json.endObject()
        }
        json.field("columnKind", .string("utf16CodeUnits"))
        json.beginArray("results")
        for finding in report.findings { writeResult(finding, ruleIndex: ruleIndex[finding.rule]!, showSecrets: showSecrets, to: &json) }
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        return json.output + "\n"
    }

    private static func writeRule(_ finding: Finding, ruleSet: RuleSet?, to json: inout JSONWriter) {
        let rule = ruleSet?.rule(id: finding.rule)
        let provider = ruleSet?.provider(id: finding.provider)
        let name = rule?.name ?? finding.ruleName
        let remediation = provider?.remediation ?? ""
        let generic = ProviderRemediation.generic(remediation, contextNames: provider?.context.map(\.name) ?? [])
        let parsed = ProviderRemediation(markdown: generic)
        var helpText = parsed.summary.isEmpty ? "A committed \(name) is compromised: revoke it first, then clean up." : parsed.summary
        if !parsed.steps.isEmpty { helpText += " Steps: " + parsed.steps.map(\.title).joined(separator: "; ") + "." }
        helpText += " 'patrol remediate' on a JSON report writes a plan for each secret; 'patrol rules show \(finding.rule)' shows the full text."
        json.beginObject()
        json.field("id", .string(finding.rule))
        json.field("name", .string(pascalCase(finding.rule)))
        json.beginObject("shortDescription")
        json.field("text", .string(name))
        json.endObject()
        json.beginObject("fullDescription")
        json.field("text", .string("\(name) (\(provider?.name ?? finding.provider))" + (rule?.validate.map { ", proven by the \($0) checksum" } ?? "")))
        json.endObject()
        json.field("helpUri", .string(ProjectLinks.rulesPage(provider: finding.provider)))
        json.beginObject("help")
        json.field("text", .string(helpText))
        json.field("markdown", .string(remediation.isEmpty ? helpText : generic.trimmingWhitespace()))
        json.endObject()
        json.beginObject("defaultConfiguration")
        json.field("level", .string(level(rule?.confidence ?? finding.confidence)))
        json.endObject()
        json.beginObject("properties")
        json.field("provider", .string(finding.provider))
        json.field("confidence", .string((rule?.confidence ?? finding.confidence).rawValue))
        json.field("precision", .string(precision(rule?.confidence ?? finding.confidence)))
        json.field("security-severity", .string(securitySeverity(rule?.confidence ?? finding.confidence)))
        json.beginArray("tags")
        json.element(.string("security"))
        json.element(.string("secret"))
        json.endArray()
        json.endObject()
        json.endObject()
    }

    private static func writeResult(_ finding: Finding, ruleIndex: Int, showSecrets: Bool, to json: inout JSONWriter) {
        json.beginObject()
        json.field("ruleId", .string(finding.rule))
        json.field("ruleIndex", .int(ruleIndex))
        json.field("level", .string(level(finding.confidence)))
        json.beginObject("message")
        json.field("text", .string(finding.headline(showSecrets: showSecrets) + "."))
        json.endObject()
        json.beginArray("locations")
        json.beginObject()
        if finding.origin.isMetadata {
            // No file to point at: a logical location names the commit, tag or note.
            writeLogicalLocation(finding, to: &json)
            json.endObject()
            json.endArray()
            writeFingerprintAndProperties(finding, showSecrets: showSecrets, to: &json)
            return
        }
        json.beginObject("physicalLocation")
        writeArtifact(finding.path, to: &json)
        let region = SourceRegion(finding)
        json.beginObject("region")
        json.field("startLine", .int(finding.line))
        json.field("startColumn", .int(region.startColumn))
        json.field("endLine", .int(finding.endLine))
        json.field("endColumn", .int(region.endColumn))
        json.beginObject("snippet")
        json.field("text", .string(regionText(finding, showSecrets: showSecrets)))
        json.endObject()
        json.endObject()
        // The whole line around the region, as code scanning shows it.
        json.beginObject("contextRegion")
        json.field("startLine", .int(finding.line))
        json.field("endLine", .int(finding.endLine))
        json.beginObject("snippet")
        json.field("text", .string(finding.snippet.render(showSecrets: showSecrets)))
        json.endObject()
        json.endObject()
        json.endObject()
        json.endObject()
        json.endArray()
        let others = finding.locations.filter { !($0.line == finding.line && $0.column == finding.column && $0.commit == finding.commit) }
        if !others.isEmpty {
            json.beginArray("relatedLocations")
            for (index, location) in others.enumerated() {
                json.beginObject()
                json.field("id", .int(index + 1))
                json.beginObject("physicalLocation")
                writeArtifact(location.path, to: &json)
                json.beginObject("region")
                json.field("startLine", .int(location.line))
                json.endObject()
                json.endObject()
                json.beginObject("message")
                json.field("text", .string("the same secret" + (location.commit.map { ", introduced in commit \($0.prefix(12))" } ?? "")))
                json.endObject()
                json.endObject()
            }
            json.endArray()
        }
        writeFingerprintAndProperties(finding, showSecrets: showSecrets, to: &json)
    }

    /// A commit message, tag message or note as a SARIF logical location: its kind is the
    /// finding's `location`, its fully qualified name `<kind>:<commit or tag object>`, and the
    /// line and column within the message are in the result's properties.
    private static func writeLogicalLocation(_ finding: Finding, to json: inout JSONWriter) {
        let object = finding.commit ?? ""
        json.beginArray("logicalLocations")
        json.beginObject()
        json.field("name", .string(finding.path))
        json.field("fullyQualifiedName", .string(finding.origin.rawValue + ":" + (finding.tag.map { "refs/tags/" + $0 + "@" } ?? "") + object))
        json.field("kind", .string(finding.origin.rawValue))
        json.endObject()
        json.endArray()
        json.beginObject("message")
        json.field("text", .string("line \(finding.line), column \(finding.column) of the \(finding.origin.rawValue.replacingOccurrences(of: "-", with: " ")) of \(finding.tag.map { "tag " + $0 } ?? "commit " + String(object.prefix(12)))"))
        json.endObject()
    }

    private static func writeFingerprintAndProperties(_ finding: Finding, showSecrets: Bool, to json: inout JSONWriter) {
        json.beginObject("partialFingerprints")
        json.field(fingerprintKey, .string(finding.fingerprint))
        json.endObject()
        json.beginObject("properties")
        json.field("provider", .string(finding.provider))
        json.field("confidence", .string(finding.confidence.rawValue))
        json.field("validated", .optional(finding.validated))
        json.field("verified", .optional(finding.verified))
        if let access = finding.access { AccessJSON.write(access, to: &json) }
        json.field("secret", .string(finding.displayedSecret(showSecrets: showSecrets)))
        json.field("redacted", .bool(!showSecrets))
        json.field("decoded", .string(finding.decoded))
        json.beginObject("context")
        finding.contextValues.forEachSorted { name, value in json.field(name, .string(value)) }
        json.endObject()
        json.field("commit", .optional(finding.commit))
        json.field("author", .optional(finding.author))
        json.field("author_date", .optional(finding.authorDate))
        if finding.origin.isMetadata {
            json.field("location", .string(finding.origin.rawValue))
            if let tag = finding.tag { json.field("tag", .string(tag)) }
            json.field("line", .int(finding.line))
            json.field("column", .int(finding.column))
        }
        json.endObject()
        json.endObject()
    }

    private static func writeArtifact(_ path: String, to json: inout JSONWriter) {
        json.beginObject("artifactLocation")
        if path.hasPrefix("/") {
            json.field("uri", .string("file://" + percentEncoded(path)))
        } else {
            json.field("uri", .string(relativeURI(path)))
            json.field("uriBaseId", .string(rootBase))
        }
        json.endObject()
    }

    /// A path as a relative URI reference: percent-encoded, and with `./` before a first segment
    /// holding `:`, which would otherwise read as a scheme.
    static func relativeURI(_ path: String) -> String {
        let encoded = percentEncoded(path)
        let firstSegment = encoded.prefix { $0 != "/" }
        return firstSegment.contains(":") ? "./" + encoded : encoded
    }

    static func directoryURI(_ root: String) -> String {
        let path = root.hasSuffix("/") ? root : root + "/"
        return "file://" + percentEncoded(path)
    }

    /// The path's exact bytes (`ReportPath.bytes(of:)`: a quoted non-UTF-8 path is unquoted
    /// first) with every byte outside RFC 3986's unreserved and sub-delimiter set as `%XX`, so
    /// the URI names the same file, byte for byte.
    static func percentEncoded(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in ReportPath.bytes(of: path) {
            if uriPathBytes[Int(byte)] {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let uriPathBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/!$&'()*+,;=:@".utf8 { table[Int(byte)] = true }
        return table
    }()

    static func pascalCase(_ id: String) -> String {
        id.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func level(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    /// The region's own text: the secret as it stands in the line (its encoded form for a
    /// decoded secret), redacted unless `showSecrets`; a secret over several lines (a private
    /// key), which the one-line snippet cannot hold, as the finding shows it.
    static func regionText(_ finding: Finding, showSecrets: Bool) -> String {
        let snippet = finding.snippet
        if finding.endLine == finding.line, let span = snippet.spans.first, span.upperBound <= snippet.bytes.count {
            let text = String(decoding: snippet.bytes[span], as: UTF8.self)
            return showSecrets ? text : Redaction.redact(text)
        }
        return finding.displayedSecret(showSecrets: showSecrets)
    }

    /// GitHub code scanning's `security-severity` (0.0–10.0; 9.0 and up is "critical", 7.0 up
    /// "high", 4.0 up "medium"). A high-confidence match is a credential proven by its checksum
    /// or structure: whoever reads the repository can use it, so critical. Medium is the exact
    /// shape and prefix of a provider's token, very likely real but unproven: high. Low is the
    /// generic heuristic (a credential-like name with a high-entropy value): medium.
    static func securitySeverity(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "9.0"
        case .medium: "7.0"
        case .low: "4.0"
        }
    }

    static func precision(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "very-high"
        case .medium: "high"
        case .low: "medium"
        }
    }
}

/// A finding's columns in UTF-16 code units, SARIF's default: patrol counts bytes. The snippet
/// holds the text before the secret on its line (unless the line was clipped), which is
/// enough to convert; SARIF's end column is the one after the last character.
struct SourceRegion {
    let startColumn: Int
    let endColumn: Int

    init(_ finding: Finding) {
        let bytes = finding.snippet.bytes
        let spanStart = finding.snippet.spans.first?.lowerBound ?? 0
        var start = finding.column
        if spanStart <= bytes.count, finding.column - 1 >= spanStart {
            // Bytes before the snippet (a clipped line) count one unit each: a best effort.
            let clipped = finding.column - 1 - spanStart
            start = clipped + String(decoding: bytes[0..<spanStart], as: UTF8.self).utf16.count + 1
        }
        startColumn = max(1, start)
        if finding.endLine == finding.line && finding.decoded == "none" && !finding.secret.isEmpty {
            endColumn = startColumn + finding.secret.utf16.count
        } else {
            endColumn = max(1, finding.endColumn + 1)
        }
    }
}
