/// The JSON Lines records of `patrol sweep`: findings (the `--format json` finding object with
/// a `repository` field first), one `{"error": …}` record per repository that failed or had
/// unreadable blobs, and a final `{"summary": …}` record.
public enum SweepReport {
    /// The lines for one repository, each ending in a newline.
    public static func render(_ result: RepositorySweepResult, showSecrets: Bool) -> String {
        let repository = showSecrets ? result.entry.text : result.entry.redacted
        var quoted = ""
        JSONWriter.appendString(repository, to: &quoted)
        var output = ""
        for finding in result.findings {
            var json = JSONWriter(pretty: false)
            JSONReport.write(finding, to: &json, showSecrets: showSecrets)
            // The finding object is `{"rule":…}`: put the repository in front of its first field.
            output += "{\"repository\":" + quoted + "," + json.output.dropFirst() + "\n"
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
        return output
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
