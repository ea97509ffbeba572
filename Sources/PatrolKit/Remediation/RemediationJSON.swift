/// The plan as JSON (`patrol remediate --format json`): the same content as the Markdown, as
/// data. Secrets appear only redacted.
public enum RemediationJSON {
    public static let version = 1

    public static func render(_ plan: RemediationPlan, toolVersion: String) -> String {
        var out = ""
        render(plan, toolVersion: toolVersion) { out += $0 }
        return out
    }

    /// The plan a piece at a time: `write` gets the text up to each secret's end (its steps
    /// written just then), so a plan of 200,000 secrets is never held whole.
    public static func render(_ plan: RemediationPlan, toolVersion: String, to write: (String) -> Void) {
        var json = JSONWriter(pretty: true)
        json.beginObject()
        json.field("version", .int(version))
        json.beginObject("tool")
        json.field("name", .string("patrol"))
        json.field("version", .string(toolVersion))
        json.endObject()
        json.field("generated", .string(plan.generatedAt))
        json.field("report", .optional(plan.reportFile))
        json.beginObject("target")
        json.field("kind", .string(plan.target.kind))
        json.field("root", .string(plan.target.root))
        if let revs = plan.target.revs {
            json.beginArray("revs")
            for rev in revs { json.element(.string(rev)) }
            json.endArray()
        } else {
            json.field("revs", .null)
        }
        json.endObject()
        json.beginArray("secrets")
        for secret in plan.secrets {
            Self.write(secret, to: &json)
            write(json.takeOutput())
        }
        json.endArray()
        if let purge = plan.historyPurge {
            json.beginObject("history_purge")
            json.field("replacements_file", .optional(purge.replacementsFile))
            json.field("secret_count", .int(purge.secretCount))
            strings("fingerprints", purge.fingerprints, to: &json)
            strings("commits", purge.commits, to: &json)
            strings("commands", purge.commands, to: &json)
            strings("notes", purge.notes, to: &json)
            json.endObject()
        } else {
            json.field("history_purge", .null)
        }
        strings("warnings", plan.warnings, to: &json)
        json.endObject()
        write(json.takeOutput() + "\n")
    }

    private static func write(_ secret: SecretRemediation, to json: inout JSONWriter) {
        json.beginObject()
        json.field("fingerprint", .string(secret.fingerprint))
        json.field("rule", .string(secret.rule))
        json.field("rule_name", .string(secret.ruleName))
        json.field("provider", .string(secret.provider))
        json.field("provider_name", .string(secret.providerName))
        json.field("secret", .string(secret.redactedSecret))
        json.field("redacted", .bool(true))
        json.field("confidence", .string(secret.confidence.rawValue))
        json.field("validated", .optional(secret.validated))
        json.field("verified", .optional(secret.verified))
        json.beginObject("reach")
        for key in secret.reach.keys.sorted() { json.field(key, .string(secret.reach[key]!)) }
        json.endObject()
        if let access = secret.access { AccessJSON.write(access, to: &json) } else { json.field("access", .null) }
        json.field("summary", .string(secret.summary))
        json.beginArray("locations")
        for location in secret.locations {
            json.beginObject()
            json.field("path", .optional(location.origin == .file ? location.path : nil))
            if location.origin.isMetadata { json.field("location", .string(location.origin.rawValue)) }
            json.field("line", .int(location.line))
            json.field("column", .int(location.column))
            json.field("commit", .optional(location.commit))
            json.field("author_date", .optional(location.authorDate))
            if let branches = location.remoteBranches {
                strings("remote_branches", branches, to: &json)
            } else {
                json.field("remote_branches", .null)
            }
            json.endObject()
        }
        json.endArray()
        if let introduced = secret.introduced {
            json.beginObject("introduced")
            json.field("commit", .string(introduced.oid))
            json.field("author", introduced.author.isEmpty ? .null : .string(introduced.author))
            json.field("author_date", introduced.authorDate.isEmpty ? .null : .string(introduced.authorDate))
            json.endObject()
        } else {
            json.field("introduced", .null)
        }
        json.field("committed", .optional(secret.committed))
        json.field("pushed", .optional(secret.pushed))
        strings("remote_branches", secret.remoteBranches, to: &json)
        if let current = secret.inWorkTree {
            json.beginArray("in_work_tree")
            for location in current {
                json.beginObject()
                json.field("path", .string(location.path))
                json.field("line", .int(location.line))
                json.field("column", .int(location.column))
                json.endObject()
            }
            json.endArray()
        } else {
            json.field("in_work_tree", .null)
        }
        json.beginArray("steps")
        for step in secret.steps {
            json.beginObject()
            json.field("kind", .string(step.kind.rawValue))
            json.field("title", .string(step.title))
            json.field("text", .string(step.text))
            strings("commands", step.commands, to: &json)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    private static func strings(_ key: String, _ values: [String], to json: inout JSONWriter) {
        json.beginArray(key)
        for value in values { json.element(.string(value)) }
        json.endArray()
    }
}
