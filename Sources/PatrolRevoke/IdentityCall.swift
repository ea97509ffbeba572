import Foundation

/// One provider's read-only "who am I" call, as data: where it goes, where the token travels,
/// and the documented answer that alone counts as live. `IdentityCalls.all` holds them;
/// `IdentityCallClient` sends them. A provider whose token kinds need different calls (OpenAI's
/// admin keys, Linear's OAuth tokens) has one entry per kind, told apart by `rules`.
struct IdentityCall: Sendable {
    /// Which of a provider's rules an entry serves.
    enum Rules: Sendable {
        /// Every rule of the provider.
        case all
        /// These rule ids.
        case ids(Set<String>)
        /// Rule ids that contain one of these words (for providers whose rule files another
        /// branch is adding: `datadog-api-key`, not `datadog-app-key`).
        case containing([String])

        func matches(_ rule: String) -> Bool {
            switch self {
            case .all: true
            case .ids(let ids): ids.contains(rule)
            case .containing(let words): words.contains { rule.contains($0) }
            }
        }
    }

    /// Where the token travels.
    enum Credential: Sendable {
        /// `Authorization: <prefix><token>` (`"Bearer "`, `"token "`, `"Bot "`, `"SSWS "`, or `""`).
        case authorization(String)
        /// `Authorization: Basic base64(user:token)` (Mailgun's `api:key`).
        case basicPassword(user: String)
        /// `Authorization: Basic base64(token:)`.
        case basicUsername
        /// A header of its own (`x-api-key`, `X-Vault-Token`, `Fastly-Key`).
        case header(String)
        /// A query parameter (Mapbox): the token is in the URL, which `HTTPRequest.call` redacts.
        case query(String)
        /// In the path, where `{token}` stands (Telegram's `/bot{token}/getMe`).
        case path
        /// A form-encoded body field (IBM Cloud's IAM token exchange).
        case form(String)
    }

    /// Where the API is.
    enum Host: Sendable {
        /// The provider's one public API.
        case fixed(String)
        /// A host of the provider's domain named next to the token (`context.workspace`,
        /// `context.shop`), or derived from the token (Mailchimp's `-us6`). A value with a dot is
        /// a host name; one without is a label put in front of `labelDomain`. The host must end
        /// in one of `domains` before the token is sent there. `variable`: an environment
        /// variable of the user's naming the host instead (`VAULT_ADDR`), trusted as it is.
        case named(source: HostSource, labelDomain: String?, domains: [String], variable: String? = nil)
    }

    enum HostSource: Sendable {
        /// The first of these context keys that the finding has.
        case context([String])
        /// What follows the last `-` of the token (Mailchimp's data centre).
        case tokenSuffix
    }

    /// A condition on the JSON body, by a dotted key path (`result.status`; empty: the root).
    enum Check: Sendable {
        /// There, and not null, an empty string or an empty object.
        case present(String)
        /// A string or a boolean equal to this.
        case equals(String, String)
        /// An array (possibly empty).
        case array(String)
        /// A string equal to one of these.
        case oneOf(String, [String])
    }

    var provider: String
    var rules: Rules = .all
    var method: String = "GET"
    var host: Host
    /// The path (and fixed query) on the host; `{token}` only with `.path`.
    var path: String
    var credential: Credential
    var headers: [(name: String, value: String)] = []
    /// A fixed JSON body (a GraphQL query).
    var body: String?
    /// The documented success answer: a 2xx whose body meets every check.
    var live: [Check]
    /// Key paths whose first string value names the owner.
    var owner: [String] = []
    /// Key path of the caller's id, for a self-revocation's lookup (`{user}` in its path).
    var subject: String?
    /// Statuses meaning the provider refused the token itself (revoked, expired, never valid).
    /// Left out where a refusal can mean something else (a key of another region, a key
    /// without a permission): those answers are `failed`, with the reason.
    var dead: Set<Int> = [401]
    /// A documented body of a refused token (Sonar's `{"valid": false}`), with any status.
    var deadBody: Check?
    /// Why a `dead` status is not proof, shown with such an answer when `dead` is empty.
    var caveat: String?
    /// The provider's documentation of the call and its answer.
    var documentation: String

    var name: String { "\(method) \(path.replacingOccurrences(of: "{token}", with: "…"))" }
}

extension IdentityCall.Check {
    /// The value at `path` in a parsed JSON document.
    static func value(at path: String, in document: Any) -> Any? {
        var current: Any? = document
        for key in path.split(separator: ".") where !key.isEmpty {
            if let object = current as? [String: Any] {
                current = object[String(key)]
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    func holds(in document: Any) -> Bool {
        switch self {
        case .present(let path):
            switch Self.value(at: path, in: document) {
            case nil, is NSNull: return false
            case let text as String: return !text.isEmpty
            case let object as [String: Any]: return !object.isEmpty
            default: return true
            }
        case .equals(let path, let expected):
            let found = Self.value(at: path, in: document)
            if let text = found as? String { return text == expected }
            if let flag = found as? Bool { return (flag ? "true" : "false") == expected }
            return false
        case .array(let path):
            return Self.value(at: path, in: document) is [Any]
        case .oneOf(let path, let values):
            return (Self.value(at: path, in: document) as? String).map(values.contains) ?? false
        }
    }

    var description: String {
        switch self {
        case .present(let path): path.isEmpty ? "a JSON answer" : "'\(path)'"
        case .equals(let path, let value): "'\(path)' = \(value)"
        case .array(let path): path.isEmpty ? "a JSON array" : "an array '\(path)'"
        case .oneOf(let path, let values): "'\(path)' = \(values.joined(separator: " or "))"
        }
    }
}
