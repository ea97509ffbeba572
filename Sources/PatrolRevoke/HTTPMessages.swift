import Foundation
import PatrolKit

/// One request to a provider's API. Tokens travel in `headers` and `body`; the few APIs that
/// take one only in the URL (Telegram's path, Mapbox's query) name it in `secretInURL`, so
/// `call` (method, host, path) shows its redacted form and can be logged as it is.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The token, when the URL holds it.
    public var secretInURL: String?
    /// Requests with the same key share one rate limit (`RequestLimits`); nil: by host.
    public var rateKey: String?

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// What a dry run shows and the audit of a call keeps: no header, no body.
    public var call: PlannedCall {
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query, !query.isEmpty { path += "?" + query }
        if let secret = secretInURL, !secret.isEmpty {
            for form in Set([secret, URL.queryEncoded(secret)]) { path = path.replacingOccurrences(of: form, with: Redaction.redact(secret)) }
        }
        return PlannedCall(method: method, host: url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? "", path: path)
    }
}

/// A call as a person reads it: `DELETE vssps.dev.azure.com /contoso/_apis/tokens/pats?…`.
public struct PlannedCall: Sendable, Equatable {
    public var method: String
    public var host: String
    public var path: String

    public var description: String { "\(method) \(host) \(path)" }
}

/// A provider's answer.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, when it is one.
    public var jsonObject: [String: Any]? {
        guard !body.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(body)) else { return nil }
        return object as? [String: Any]
    }

    /// An empty body, or a JSON one: what a documented "done" answer (204, GitHub's 202) has.
    /// An HTML page or other text with a 2xx is a proxy, a portal or a wrong base URL.
    var isEmptyOrJSON: Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } || (try? JSONSerialization.jsonObject(with: Data(body))) != nil
    }

    /// What the body is, for a message about an answer that was not the documented one.
    var bodyDescription: String {
        if body.isEmpty { return "an empty body" }
        if headers["content-type"]?.contains("html") == true || text.prefix(64).lowercased().contains("<html") || text.prefix(64).lowercased().contains("<!doctype") {
            return "an HTML page"
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) {
            if let object = object as? [String: Any] {
                let keys = object.keys.sorted().prefix(5).joined(separator: ", ")
                return keys.isEmpty ? "an empty JSON object" : "JSON with \(keys)"
            }
            return "JSON that is not an object"
        }
        return "\(body.count) bytes that are not JSON"
    }

    /// The provider's own words about a failure: `message`, `error` or `error_description` of a
    /// JSON body, else the text. Redacted whole, then cut to 200 characters: cutting first once
    /// left most of an echoed token in the part kept.
    func providerMessage(redactedBy redactor: Redactor) -> String? {
        if let object = jsonObject {
            for key in ["message", "error_description", "error", "errorMessage"] {
                if let text = object[key] as? String, !text.isEmpty { return redactor.clean(text, limit: 200) }
            }
        }
        if headers["content-type"]?.contains("html") == true, !body.isEmpty { return "an HTML page" }
        // A hostile body can be megabytes: its first 16 KiB are plenty for 200 characters, and a
        // secret cut at that edge is caught by the redactor's fragment pass.
        let start = String(decoding: body.prefix(16 << 10), as: UTF8.self)
        let text = redactor.clean(start).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        return text.count <= 200 ? text : String(text.prefix(200)) + "…"
    }
}

/// Builds a JSON body from Foundation values.
enum JSONBody {
    static func encode(_ value: Any) -> [UInt8] {
        // Sorted keys: the same request is the same bytes, which the tests compare exactly.
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])).map { Array($0) } ?? []
    }
}
