/// The JSON Lines records of `patrol sweep`: findings (the `--format json` finding object with
/// a `repository` field first, and `source`, `org`, `project` for an entry an organisation
/// source listed), one `{"error": …}` record per repository that failed or had unreadable
/// blobs, one `{"coverage": …}` record per repository, and a final `{"summary": …}` record.
public enum SweepReport {
    /// The lines for one repository, each ending in a newline.
    public static func render(_ result: RepositorySweepResult, showSecrets: Bool) -> String {
        let repository = showSecrets ? result.entry.text : result.entry.redacted
        var prefix = ""
        JSONWriter.appendString(repository, to: &prefix)
        prefix = "{\"repository\":" + prefix + ","
        let origin = result.entry.origin
        if let origin {
            var fields = JSONWriter(pretty: false)
            fields.beginObject()
            fields.field("source", .string(origin.source))
            fields.field("org", origin.org.map { .string($0) } ?? .null)
            fields.field("project", origin.project.map { .string($0) } ?? .null)
            fields.endObject()
            prefix += fields.output.dropFirst().dropLast() + ","
        }
        var output = ""
        for var finding in result.findings {
            // An Azure DevOps organisation named by the source is the token's organisation
            // unless the text around the token named one.
            if let origin, origin.source == "azure-devops", finding.context["org"] == nil, let org = origin.org {
                finding.context["org"] = org
            }
            var json = JSONWriter(pretty: false)
            JSONReport.write(finding, to: &json, showSecrets: showSecrets)
            // The finding object is `{"rule":…}`: put the repository in front of its first field.
            output += prefix + json.output.dropFirst() + "\n"
        }
        if let message = errorMessage(result) {
            var json = JSONWriter(pretty: false)
            json.beginObject()
            json.beginObject("error")
            json.field("repository", .string(repository))
            json.field("message", .string(message))
            json.endObject()
            json.endObject()
            output += json.output + "\n"
        }
        output += coverage(result, repository: repository) + "\n"
        return output
    }

    /// `{"coverage": {"repository", "tip", "blobs", "status"}}`: what was and was not scanned of
    /// one repository. `status` is `full`, `incremental` or `unchanged` (how it was swept),
    /// `partial` (some blobs could not be read) or `failed` (nothing was swept).
    static func coverage(_ result: RepositorySweepResult, repository: String) -> String {
        let status = result.failure != nil ? "failed" : !result.problems.isEmpty ? "partial" : result.mode.rawValue
        var json = JSONWriter(pretty: false)
        json.beginObject()
        json.beginObject("coverage")
        json.field("repository", .string(repository))
        json.field("tip", result.tip.map { .string($0) } ?? .null)
        json.field("blobs", .int(result.failure == nil ? result.blobsScanned + result.blobsSkipped : 0))
        json.field("status", .string(status))
        json.endObject()
        json.endObject()
        return json.output
    }

    /// `{"removed": {"repository", "source", "org"}}`: a repository an organisation source listed
    /// at the previous sweep and no longer lists (deleted, renamed, or access lost).
    public static func removed(_ entry: String, origin: SweepOrigin) -> String {
        repositoryRecord("removed", entry, [("source", .string(origin.source)), ("org", origin.org.map { .string($0) } ?? .null)])
    }

    /// `{"skipped": {"repository", "reason"}}`: a repository a source listed but that is not
    /// swept (an Azure DevOps repository that is disabled, an archived one with `--no-archived`).
    public static func skipped(_ entry: String, reason: String) -> String {
        repositoryRecord("skipped", entry, [("reason", .string(reason))])
    }

    /// `{"<kind>": {"repository", fields…}}` with the entry's credentials redacted, one line.
    private static func repositoryRecord(_ kind: String, _ entry: String, _ fields: [(String, JSONWriter.Value)]) -> String {
        var json = JSONWriter(pretty: false)
        json.beginObject()
        json.beginObject(kind)
        json.field("repository", .string(SweepEntry(entry).redacted))
        for (key, value) in fields { json.field(key, value) }
        json.endObject()
        json.endObject()
        return json.output + "\n"
    }

    /// What went wrong with a repository, if anything: why it could not be swept, or which
    /// blobs could not be read (the rest of it was swept and its findings are reported).
    public static func errorMessage(_ result: RepositorySweepResult) -> String? {
        if let failure = result.failure { return failure }
        guard let first = result.problems.first else { return nil }
        let count = result.problems.count
        guard count > 1 else { return first }
        // Every unreadable object by its id (the first 50): each is one that was not scanned.
        let listed = result.problems.prefix(50).joined(separator: "; ")
        return "\(count) problems (objects that could not be read were not scanned; the rest was): \(listed)\(count > 50 ? "; …" : "")"
    }

    public static func render(_ summary: SweepSummary) -> String {
        var json = JSONWriter(pretty: false)
        json.beginObject()
        json.beginObject("summary")
        json.field("repositories", .int(summary.repositories))
        json.field("blobs_scanned", .int(summary.blobsScanned))
        json.field("blobs_skipped", .int(summary.blobsSkipped))
        json.field("bytes_scanned", .int(summary.bytesScanned))
        json.field("findings", .int(summary.findings))
        json.field("errors", .int(summary.errors))
        json.field("seconds", .double((summary.seconds * 1000).rounded() / 1000))
        json.endObject()
        json.endObject()
        return json.output + "\n"
    }
}
