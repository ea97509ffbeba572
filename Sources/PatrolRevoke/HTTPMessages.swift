import Foundation

/// One request to a provider's API. Tokens travel only in `headers` and `body`, never in the
/// URL, so `call` (method, host, path) can be shown and logged as it is.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

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

    /// The provider's own words about a failure: `message`, `error` or `error_description` of a
    /// JSON body, else the start of the text. The caller redacts it.
    public var providerMessage: String? {
        if let object = jsonObject {
            for key in ["message", "error_description", "error", "errorMessage"] {
                if let text = object[key] as? String, !text.isEmpty { return text }
            }
        }
        let text = self.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        if headers["content-type"]?.contains("html") == true { return "an HTML page" }
        return String(text.prefix(200))
    }
}

/// A request that got no HTTP answer.
public struct TransportFailure: Error, Sendable {
    public enum Kind: Sendable { case timeout, connection, other }
    public var kind: Kind
    public var message: String
}

/// Builds a JSON body from Foundation values.
enum JSONBody {
    static func encode(_ value: Any) -> [UInt8] {
        // Sorted keys: the same request is the same bytes, which the tests compare exactly.
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])).map { Array($0) } ?? []
    }
}
