import Foundation
@testable import PatrolRevoke

/// Each identity-call provider's documented contract, written again here from the provider's
/// documentation (not derived from `IdentityCalls`): a test server built from these answers
/// only a request with the right method and path, the required headers, and the token in the
/// documented place — so an entry that sends the token elsewhere is refused and its test fails.
struct IdentityContract: Sendable, CustomStringConvertible {
    /// Where the provider reads the token.
    enum Place: Sendable {
        case authorization(String)
        case basicUser
        case basicPassword(String)
        case header(String)
        case query(String)
        /// In the path, between these two parts.
        case path(String, String)
        case form(String)
        case jsonField(String)
    }

    var provider: String
    var rule: String
    var method: String = "GET"
    var path: String
    var place: Place
    var headers: [String: String] = [:]
    var bodyContains: String?
    var context: [String: String] = [:]
    var tokenSuffix = ""
    /// The documented success body.
    var live: String
    /// How the provider refuses a bad token.
    var deadStatus = 401
    var deadBody = #"{"message":"invalid credentials"}"#
    /// What patrol must make of that refusal.
    var deadOutcome: Verification.Outcome = .notLive

    var description: String { "\(provider) (\(rule))" }

    /// The token the request carries, read from the documented place; nil when it is not there.
    func credential(of request: TestHTTPServer.Request) -> String? {
        func decodedBasic() -> String? {
            guard let value = request.header("Authorization"), value.hasPrefix("Basic "),
                  let data = Data(base64Encoded: String(value.dropFirst(6))) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
        switch place {
        case .authorization(let prefix):
            guard let value = request.header("Authorization"), value.hasPrefix(prefix) else { return nil }
            return String(value.dropFirst(prefix.count))
        case .basicUser:
            guard let pair = decodedBasic(), pair.hasSuffix(":") else { return nil }
            return String(pair.dropLast())
        case .basicPassword(let user):
            guard let pair = decodedBasic(), user.isEmpty || pair.hasPrefix(user + ":") else { return nil }
            return pair.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
        case .header(let name): return request.header(name)
        case .query(let name): return request.query[name]
        case .path(let before, let after):
            let path = request.path.removingPercentEncoding ?? request.path
            let full = "/\(provider)" + before
            guard path.hasPrefix(full), path.hasSuffix(after) else { return nil }
            return String(path.dropFirst(full.count).dropLast(after.count))
        case .form(let name):
            guard request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
            for pair in request.bodyText.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.first == name, parts.count == 2 { return parts[1].removingPercentEncoding }
            }
            return nil
        case .jsonField(let name): return (request.json as? [String: Any])?[name] as? String
        }
    }

    func matches(_ request: TestHTTPServer.Request) -> Bool {
        guard request.method == method else { return false }
        if case .path = place { return credential(of: request) != nil }
        let wanted = path.split(separator: "?", maxSplits: 1)
        guard request.path == "/\(provider)" + wanted[0] else { return false }
        if wanted.count > 1 {
            for pair in wanted[1].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if request.query[parts[0]] != (parts.count > 1 ? parts[1] : "") { return false }
            }
        }
        return true
    }
}

/// The server side: the tokens that work, and those that get a 200 that is not the documented
/// answer (an HTML page, JSON without the documented keys).
final class IdentityProviders: @unchecked Sendable {
    let contracts: [IdentityContract]
    private let lock = NSLock()
    private var live: Set<String> = []
    private var html: Set<String> = []
    private var unexpectedJSON: Set<String> = []
    private(set) var server: TestHTTPServer!

    init(_ contracts: [IdentityContract] = IdentityContracts.all) throws {
        self.contracts = contracts
        server = try TestHTTPServer { [unowned self] request in self.answer(request) }
    }

    var environment: [String: String] { ["PATROL_VERIFY_BASE_URL": server.baseURL] }

    func makeLive(_ secret: String) { lock.withLock { _ = live.insert(secret) } }
    func answerHTML(_ secret: String) { lock.withLock { _ = html.insert(secret) } }
    func answerUnexpectedJSON(_ secret: String) { lock.withLock { _ = unexpectedJSON.insert(secret) } }

    func access(timeout: Double = 2, limits: RequestLimits = RequestLimits(), extra: [String: String] = [:]) throws -> ProviderAccess {
        ProviderAccess(endpoints: try ProviderEndpoints.from(environment: environment.merging(extra) { $1 }), timeout: timeout,
                       retry: RetryPolicy(maxRetries: 3, initialBackoff: 0.01, maxWait: 5), userAgent: "patrol-test", limits: limits)
    }

    private func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        guard let contract = contracts.first(where: { $0.matches(request) }) else { return .text(404, "no such route: \(request.method) \(request.path)") }
        for (name, value) in contract.headers where request.header(name)?.contains(value) != true {
            return .json(400, ["message": "missing header \(name)"])
        }
        if let needle = contract.bodyContains, !request.bodyText.contains(needle) { return .json(400, ["message": "bad body"]) }
        let secret = contract.credential(of: request)
        let (isLive, isHTML, isOdd) = lock.withLock { (secret.map(live.contains) ?? false, secret.map(html.contains) ?? false, secret.map(unexpectedJSON.contains) ?? false) }
        if isHTML { return .text(200, "<!doctype html><html><body>Sign in</body></html>", contentType: "text/html") }
        if isOdd { return .json(200, ["unexpected": true]) }
        if isLive { return TestHTTPServer.Response(status: 200, headers: [("Content-Type", "application/json")], body: Array(contract.live.utf8)) }
        return TestHTTPServer.Response(status: contract.deadStatus, headers: [("Content-Type", "application/json")], body: Array(contract.deadBody.utf8))
    }
}

/// Synthetic tokens for the table's providers: random, made in the test, never committed.
enum SyntheticToken {
    static func make(_ contract: IdentityContract, _ label: String) -> String {
        let random = (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
        return "tst\(label)" + random.prefix(36) + contract.tokenSuffix
    }

    static func leaked(_ secret: String, _ contract: IdentityContract) -> LeakedToken {
        Leaked.token(secret, rule: contract.rule, provider: contract.provider, context: contract.context)
    }
}
