/// The JSON report (`--format json`): `{version, tool, target, findings, skipped, errors, stats}`
/// with the finding fields of DESIGN.md. Secrets and snippets are redacted unless `showSecrets`.
public enum JSONReport {
    public static let version = 1

    public static func render(_ report: ScanReport, toolVersion: String, showSecrets: Bool) -> String {
        var text: [UInt8] = []
        stream(report, toolVersion: toolVersion, showSecrets: showSecrets) { text.append(contentsOf: $0) }
        return String(decoding: text, as: UTF8.self)
    }

    /// The report `render` gives, handed to `sink` a piece of about `chunkSize` bytes at a
    /// time: a report of many findings is written as it is made, never held whole.
    public static func stream(_ report: ScanReport, toolVersion: String, showSecrets: Bool, chunkSize: Int = 1 << 20, to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var writer = Writer(report, toolVersion: toolVersion, showSecrets: showSecrets)
        try report.findings.withUnsafeBufferPointer { findings in
            guard let base = findings.baseAddress else { return }
            // Each finding moved out of its place, written and moved back, bit for bit: read
            // from the array, it was copied (a retain and a release of each of its dozen
            // references), since the compiler cannot tell that the writer leaves it alone.
            // Nothing else runs meanwhile, and the array holds the same bits after.
            let places = UnsafeMutablePointer(mutating: base)
            for index in findings.indices {
                let finding = (places + index).move()
                writer.add(finding)
                (places + index).initialize(to: consume finding)
                if writer.pendingBytes >= chunkSize { try writer.flush(to: sink) }
            }
        }
        try writer.finish(to: sink)
    }

    /// The report a finding at a time: the findings are added one by one (`report.findings`
    /// is not read), and the text made so far can be taken at any point, so a report of
    /// 200,000 findings read back (`verify`) is never held whole.
    public struct Writer {
        private var json = JSONWriter(pretty: true)
        private let report: ScanReport
        private let showSecrets: Bool

        /// Writes everything up to the findings.
        public init(_ report: ScanReport, toolVersion: String, showSecrets: Bool) {
            self.report = report
            self.showSecrets = showSecrets
            json.beginObject()
            json.field("version", .int(version))
            json.beginObject("tool")
            json.field("name", .string("patrol"))
            json.field("version", .string(toolVersion))
            json.endObject()
            json.beginObject("target")
            json.field("kind", .string(report.target.kind))
            json.field("root", .string(report.target.root))
            if let revs = report.target.revs {
                json.beginArray("revs")
                for rev in revs { json.element(.string(rev)) }
                json.endArray()
            } else {
                json.field("revs", .null)
            }
            json.endObject()
            json.beginArray("findings")
        }

        public mutating func add(_ finding: Finding) {
            JSONReport.write(finding, to: &json, showSecrets: showSecrets)
        }

        /// Bytes written and not yet taken or flushed.
        var pendingBytes: Int { json.bytes.count }

        /// The text written since the last call.
        public mutating func takeOutput() -> String { json.takeOutput() }

        /// Hands what was written so far to `sink`.
        mutating func flush(to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            try json.flush(to: sink)
        }

        /// The rest of the report after the findings, with what was not taken yet.
        public mutating func finish() -> String {
            writeTail()
            return json.takeOutput() + "\n"
        }

        /// The rest of the report after the findings, handed to `sink`.
        mutating func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            writeTail()
            try json.flush(to: sink)
            try withUnsafeBytes(of: UInt8(ascii: "\n"), sink)
        }

        private mutating func writeTail() {
            json.endArray()
            json.beginArray("skipped")
            for item in report.skipped {
                json.beginObject()
                json.field("path", .string(item.path))
                json.field("reason", .string(item.reason.rawValue))
                json.endObject()
            }
            json.endArray()
            json.beginArray("errors")
            for failure in report.errors {
                json.beginObject()
                json.field("path", .string(failure.path))
                json.field("message", .string(failure.message))
                json.endObject()
            }
            json.endArray()
            json.beginObject("stats")
            json.field("files", .int(report.stats.files))
            json.field("blobs", .int(report.stats.blobs))
            json.field("bytes", .int(report.stats.bytes))
            json.field("seconds", .double((report.stats.seconds * 1000).rounded() / 1000))
            json.field("rejected_by_validator", .int(report.stats.rejectedByValidator))
            json.field("allowed", .int(report.stats.allowed))
            json.endObject()
            json.endObject()
        }
    }

    /// One finding as a JSON object (also one line of `--format jsonl`): written whole through
    /// a cursor (`writeObject`), or field by field (`writeFields`) for a finding that holds
    /// what `patrol verify` found it reaches. Both write the same bytes.
    @inline(__always)
    static func write(_ finding: borrowing Finding, to json: inout JSONWriter, showSecrets: Bool) {
        guard !finding.hasAccessMap else { return writeFields(finding, to: &json, showSecrets: showSecrets) }
        let level = json.level
        var cursor = json.beginElement(room: room(finding, level: level))
        writeObject(finding, level: level, showSecrets: showSecrets, to: &cursor)
        json.endElement(cursor)
    }

    /// The most `writeObject` writes for `finding` at `level`: every string escaped at worst
    /// (six bytes a byte), every key with its comma and indentation, every number at 20 digits.
    @inline(__always)
    static func room(_ finding: borrowing Finding, level: Int) -> Int {
        let key = ByteCursor.keyRoom(level: level + 3)
        var strings = finding.rule.utf8.count + finding.provider.utf8.count + finding.secret.utf8.count + 25
        strings += finding.fingerprintValue.utf8Count + finding.path.utf8.count + (finding.tag?.utf8.count ?? 0)
        strings += finding.decoded.utf8.count + (finding.commit?.utf8.count ?? 0) + (finding.author?.utf8.count ?? 0)
        strings += (finding.authorDate?.utf8.count ?? 0) + (finding.commitDate?.utf8.count ?? 0) + 32
        var room = 30 * (key + 24) + 6 * strings + finding.snippet.jsonRoom
        room += finding.contextValues.sum { name, value in key + 6 * (name.utf8.count + value.utf8.count) + 16 }
        // A location: eight keys, and its path, commit and date escaped at worst.
        func locationRoom(_ path: String, _ commit: String?, _ authorDate: String?) -> Int {
            8 * (key + 24) + 6 * (path.utf8.count + (commit?.utf8.count ?? 0) + (authorDate?.utf8.count ?? 0) + 16)
        }
        guard let others = finding.otherLocations else {
            return room + locationRoom(finding.path, finding.commit, finding.authorDate)
        }
        others.withUnsafeBufferPointer { locations in
            for index in locations.indices {
                room += locationRoom(locations[index].path, locations[index].commit, locations[index].authorDate)
            }
        }
        return room
    }

    /// `writeFields` through a cursor: the finding object at `level`, its fields one deeper.
    static func writeObject(_ finding: borrowing Finding, level: Int, showSecrets: Bool, to out: inout ByteCursor) {
        let fields = level + 1
        out.byte(UInt8(ascii: "{"))
        out.key("rule", level: fields, first: true)
        out.string(finding.rule)
        out.key("provider", level: fields)
        out.string(finding.provider)
        out.key("confidence", level: fields)
        out.string(finding.confidence.rawValue)
        out.key("secret", level: fields)
        if showSecrets { out.string(finding.secret) } else { Redaction.writeRedactedJSON(finding.secret, to: &out) }
        out.key("redacted", level: fields)
        out.bool(!showSecrets)
        out.key("fingerprint", level: fields)
        out.fingerprint(finding.fingerprintValue)
        out.key("path", level: fields)
        out.string(finding.origin == .file ? finding.path : nil)
        if finding.origin.isMetadata {
            out.key("location", level: fields)
            out.string(finding.origin.rawValue)
        }
        if let tag = finding.tag {
            out.key("tag", level: fields)
            out.string(tag)
        }
        out.key("line", level: fields)
        out.decimal(finding.line)
        out.key("column", level: fields)
        out.decimal(finding.column)
        out.key("end_line", level: fields)
        out.decimal(finding.endLine)
        out.key("end_column", level: fields)
        out.decimal(finding.endColumn)
        out.key("snippet", level: fields)
        finding.snippet.writeJSON(showSecrets: showSecrets, to: &out)
        out.key("decoded", level: fields)
        out.string(finding.decoded)
        out.key("validated", level: fields)
        out.bool(finding.validated)
        out.key("verified", level: fields)
        out.bool(finding.verified)
        out.key("context", level: fields)
        out.byte(UInt8(ascii: "{"))
        var first = true
        finding.contextValues.forEachSorted { name, value in
            out.dynamicKey(name, level: fields + 1, first: first)
            out.string(value)
            first = false
        }
        if !first { out.newline(level: fields) }
        out.byte(UInt8(ascii: "}"))
        out.key("commit", level: fields)
        out.string(finding.commit)
        out.key("author", level: fields)
        out.string(finding.author)
        out.key("author_date", level: fields)
        out.string(finding.authorDate)
        out.key("commit_date", level: fields)
        out.string(finding.commitDate)
        out.key("locations", level: fields)
        out.byte(UInt8(ascii: "["))
        if let others = finding.otherLocations {
            // Through a buffer pointer: each location's fields read in place, not copied.
            others.withUnsafeBufferPointer { locations in
                for index in locations.indices {
                    if index > 0 { out.byte(UInt8(ascii: ",")) }
                    writeLocation(path: locations[index].path, origin: locations[index].origin, line: locations[index].line, column: locations[index].column, commit: locations[index].commit, authorDate: locations[index].authorDate, level: fields + 1, to: &out)
                }
                if !locations.isEmpty { out.newline(level: fields) }
            }
        } else {
            writeLocation(path: finding.path, origin: finding.origin, line: finding.line, column: finding.column, commit: finding.commit, authorDate: finding.authorDate, level: fields + 1, to: &out)
            out.newline(level: fields)
        }
        out.byte(UInt8(ascii: "]"))
        out.newline(level: level)
        out.byte(UInt8(ascii: "}"))
    }

    /// One location object at `level`, on a line of its own.
    @inline(__always)
    private static func writeLocation(path: borrowing String, origin: FindingOrigin, line: Int, column: Int, commit: borrowing String?, authorDate: borrowing String?, level: Int, to out: inout ByteCursor) {
        out.newline(level: level)
        out.byte(UInt8(ascii: "{"))
        out.key("path", level: level + 1, first: true)
        if origin == .file { out.string(path) } else { out.raw("null") }
        if origin.isMetadata {
            out.key("location", level: level + 1)
            out.string(origin.rawValue)
        }
        out.key("line", level: level + 1)
        out.decimal(line)
        out.key("column", level: level + 1)
        out.decimal(column)
        out.key("commit", level: level + 1)
        out.string(commit)
        out.key("author_date", level: level + 1)
        out.string(authorDate)
        out.newline(level: level)
        out.byte(UInt8(ascii: "}"))
    }

    /// One finding as a JSON object, a field at a time through the writer.
    static func writeFields(_ finding: Finding, to json: inout JSONWriter, showSecrets: Bool) {
        json.beginObject()
        json.field("rule", .string(finding.rule))
        json.field("provider", .string(finding.provider))
        json.field("confidence", .string(finding.confidence.rawValue))
        if showSecrets {
            json.field("secret", .string(finding.secret))
        } else {
            // The closures take the one field they need: capturing `finding` copies all of it.
            let secret = finding.secret
            json.field("secret") { Redaction.appendRedacted(secret, to: &$0) }
        }
        json.field("redacted", .bool(!showSecrets))
        json.field("fingerprint", .string(finding.fingerprint))
        json.field("path", .optional(finding.reportedPath))
        // Left out for a file; `commit-message`, `tag-message` or `note` otherwise.
        if finding.origin.isMetadata { json.field("location", .string(finding.origin.rawValue)) }
        if let tag = finding.tag { json.field("tag", .string(tag)) }
        json.field("line", .int(finding.line))
        json.field("column", .int(finding.column))
        json.field("end_line", .int(finding.endLine))
        json.field("end_column", .int(finding.endColumn))
        let snippet = finding.snippet
        json.field("snippet") { snippet.appendRendered(showSecrets: showSecrets, to: &$0) }
        json.field("decoded", .string(finding.decoded))
        json.field("validated", .optional(finding.validated))
        json.field("verified", .optional(finding.verified))
        // Only after `patrol verify` found the token live and mapped what it reaches.
        if let access = finding.access { AccessJSON.write(access, to: &json) }
        json.beginObject("context")
        finding.contextValues.forEachSorted { name, value in json.field(name, .string(value)) }
        json.endObject()
        json.field("commit", .optional(finding.commit))
        json.field("author", .optional(finding.author))
        json.field("author_date", .optional(finding.authorDate))
        json.field("commit_date", .optional(finding.commitDate))
        json.beginArray("locations")
        for location in finding.locations {
            json.beginObject()
            json.field("path", .optional(location.reportedPath))
            if location.origin.isMetadata { json.field("location", .string(location.origin.rawValue)) }
            json.field("line", .int(location.line))
            json.field("column", .int(location.column))
            json.field("commit", .optional(location.commit))
            json.field("author_date", .optional(location.authorDate))
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}
