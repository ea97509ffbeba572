/// The finding's `access` object, one shape for the JSON and JSON Lines reports, SARIF's
/// properties and the remediation plan's JSON, and its reading back (`remediate` on a verified
/// report):
///
/// `{"user", "account", "arn", "scopes", "expires_at", "lists": [{"kind", "relation", "count",
/// "complete", "names"}], "unlisted": [{"kind", "reason"}]}` — absent facts are `null`.
enum AccessJSON {
    static func write(_ access: TokenAccess, key: String = "access", to json: inout JSONWriter) {
        json.beginObject(key)
        json.field("user", .optional(access.user))
        json.field("account", .optional(access.account))
        json.field("arn", .optional(access.arn))
        if let scopes = access.scopes {
            json.beginArray("scopes")
            for scope in scopes { json.element(.string(scope)) }
            json.endArray()
        } else {
            json.field("scopes", .null)
        }
        json.field("expires_at", .optional(access.expiresAt))
        json.beginArray("lists")
        for list in access.lists {
            json.beginObject()
            json.field("kind", .string(list.kind))
            json.field("relation", .string(list.relation.rawValue))
            json.field("count", .int(list.count))
            json.field("complete", .bool(list.complete))
            json.beginArray("names")
            for name in list.names { json.element(.string(name)) }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.beginArray("unlisted")
        for hole in access.unlisted {
            json.beginObject()
            json.field("kind", .string(hole.kind))
            json.field("reason", .string(hole.reason))
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    /// The object as `write` wrote it; nil when it is not one.
    static func read(_ value: Any?) -> TokenAccess? {
        guard let object = value as? [String: Any] else { return nil }
        let lists = (object["lists"] as? [[String: Any]] ?? []).compactMap { item -> AccessList? in
            guard let kind = item["kind"] as? String, let relation = (item["relation"] as? String).flatMap(AccessList.Relation.init(rawValue:)) else { return nil }
            return AccessList(kind: kind, relation: relation, names: item["names"] as? [String] ?? [], complete: item["complete"] as? Bool ?? false)
        }
        let unlisted = (object["unlisted"] as? [[String: Any]] ?? []).compactMap { item -> TokenAccess.Unlisted? in
            guard let kind = item["kind"] as? String, let reason = item["reason"] as? String else { return nil }
            return TokenAccess.Unlisted(kind: kind, reason: reason)
        }
        return TokenAccess(user: object["user"] as? String, account: object["account"] as? String, arn: object["arn"] as? String,
                           scopes: object["scopes"] as? [String], expiresAt: object["expires_at"] as? String, lists: lists, unlisted: unlisted)
    }
}
