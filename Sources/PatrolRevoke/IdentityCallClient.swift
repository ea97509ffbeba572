import Foundation

/// Verifies (and, where `SelfRevocations` has the provider, revokes) the tokens of one
/// provider of the `IdentityCalls` table. Live only on the documented success body; a refusal
/// the entry names (`dead`, `deadBody`) is not live; anything else — another status, an HTML
/// page, JSON without the documented keys, a redirect — is `failed`, with the reason.
struct IdentityCallClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints
    let provider: String

    var calls: [IdentityCall] { IdentityCalls.byProvider[provider] ?? [] }

    func call(for token: LeakedToken) -> IdentityCall? { calls.first { $0.rules.matches(token.rule) } }

    func verify(_ token: LeakedToken) async -> Verification {
        guard let call = call(for: token) else {
            return Verification(outcome: .notSupported, message: "\(token.providerName) has no read-only call for \(token.rule) tokens that patrol knows")
        }
        let request: HTTPRequest
        switch IdentityRequest.make(call, token: token, endpoints: endpoints) {
        case .failure(let reason): return Verification(outcome: .notSupported, message: reason.text)
        case .success(let made): request = made
        }
        switch await http.send(request) {
        case .failure(let failure):
            return .failed(describe(failure, call.name))
        case .success(let response):
            return Self.judge(response, of: call, describe: { describe($0, call.name) })
        }
    }

    /// The answer to a verify call, by the entry's contract.
    static func judge(_ response: HTTPResponse, of call: IdentityCall, describe: (HTTPResponse) -> String) -> Verification {
        let document = response.body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(response.body), options: .fragmentsAllowed)
        if let deadBody = call.deadBody, let document, deadBody.holds(in: document) {
            return Verification(outcome: .notLive, status: response.status, message: "the provider answered \(deadBody.description)")
        }
        if call.dead.contains(response.status) { return Verification(outcome: .notLive, status: response.status) }
        guard (200...299).contains(response.status) else {
            var message = describe(response)
            if [401, 403].contains(response.status), let caveat = call.caveat { message += " (\(caveat))" }
            return .failed(message, status: response.status)
        }
        guard let document, call.live.allSatisfy({ $0.holds(in: document) }) else {
            let expected = call.live.map(\.description).joined(separator: " and ")
            return .failed("\(call.name): HTTP \(response.status), but not the documented answer with \(expected) (\(response.bodyDescription)): is the base URL the provider's API?", status: response.status)
        }
        let owner = call.owner.lazy.compactMap { IdentityCall.Check.value(at: $0, in: document) as? String }.first { !$0.isEmpty }
        var check = Verification(outcome: .live, status: response.status, owner: owner)
        check.subject = call.subject.flatMap { IdentityCall.Check.value(at: $0, in: document) as? String }.flatMap { $0.isEmpty ? nil : $0 }
        return check
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        guard let revocation = SelfRevocations.byProvider[provider], revocation.rules.matches(token.rule) else {
            return .done(Revocation(token: token, outcome: .notSupported, message: "\(token.providerName) has no API with which a leaked \(token.rule) token revokes itself"))
        }
        let check = await verify(token)
        switch check.outcome {
        case .notLive: return .done(Revocation(token: token, outcome: .alreadyInvalid, status: check.status, message: check.message))
        case .notSupported: return .done(Revocation(token: token, outcome: .notSupported, message: check.message))
        case .live, .failed: break
        }
        return await SelfRevocations.plan(revocation, token: token, owner: check.owner, subject: check.subject, client: self)
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        let revocation = SelfRevocations.byProvider[provider]
        let what = "revoke"
        if let revocation, revocation.done.contains(response.status) {
            if let check = revocation.doneBody {
                guard let document = try? JSONSerialization.jsonObject(with: Data(response.body), options: .fragmentsAllowed), check.holds(in: document) else {
                    return .unknown(status: response.status, message: undocumented(response, what, expected: "the documented answer with \(check.description)"))
                }
            } else if !response.isEmptyOrJSON {
                return .unknown(status: response.status, message: undocumented(response, what, expected: "an empty or JSON answer"))
            }
            return .revoked(status: response.status)
        }
        switch response.status {
        case 401: return .alreadyInvalid(status: 401)
        case 200...299: return .unknown(status: response.status, message: undocumented(response, what, expected: "HTTP \(revocation?.done.sorted().map(String.init).joined(separator: " or ") ?? "2xx")"))
        case 500...599: return .unknown(status: response.status, message: describe(response, what))
        default: return .refused(status: response.status, message: describe(response, what))
        }
    }
}

/// Why a request was not made: nothing was sent.
struct NotSent: Error {
    var text: String
}

/// Builds the request of an `IdentityCall` (or of a self-revocation, which has the same parts).
enum IdentityRequest {
    /// The base URL for `call`'s provider and `token`, after checking any host that comes from
    /// the finding: a host not of the provider's domain gets no request.
    static func base(_ host: IdentityCall.Host, provider: String, token: LeakedToken, endpoints: ProviderEndpoints) -> Result<URL, NotSent> {
        var chosen: URL?
        switch host {
        case .fixed(let text):
            chosen = URL(string: text)
        case .named(let source, let labelDomain, let domains, let variable):
            if let variable, let configured = endpoints.hostVariables[variable] {
                chosen = configured
                break
            }
            let value: String?
            switch source {
            case .context(let keys): value = keys.lazy.compactMap { token.context[$0] }.first { !$0.isEmpty }
            case .tokenSuffix: value = token.secret.split(separator: "-").last.map(String.init).flatMap { token.secret.contains("-") ? $0 : nil }
            }
            guard let value else {
                let hint = variable.map { " (or set \($0))" } ?? ""
                return .failure(NotSent(text: "no \(token.providerName) host named next to the token\(hint): nothing was sent"))
            }
            guard let hostName = HostName.validated(value, labelDomain: labelDomain, domains: domains) else {
                return .failure(NotSent(text: "the host next to the token ('\(value.prefix(80))') is not a host of \(domains.joined(separator: " or ")): the token was not sent there"))
            }
            chosen = URL(string: "https://" + hostName)
        }
        // One variable moves every table provider, for tests and proxies: BASE/<provider>/<path>.
        if let base = endpoints.verifyBase { return .success(base.appending(apiPath: "/" + provider)) }
        guard let chosen else { return .failure(NotSent(text: "no base URL")) }
        return .success(chosen)
    }

    static func make(_ call: IdentityCall, token: LeakedToken, endpoints: ProviderEndpoints) -> Result<HTTPRequest, NotSent> {
        let base: URL
        switch Self.base(call.host, provider: call.provider, token: token, endpoints: endpoints) {
        case .failure(let reason): return .failure(reason)
        case .success(let url): base = url
        }
        var made = request(method: call.method, base: base, path: call.path, credential: call.credential, headers: call.headers,
                           body: call.body.map { Array($0.utf8) }, token: token.secret)
        made.rateKey = call.provider
        return .success(made)
    }

    static func request(method: String, base: URL, path: String, credential: IdentityCall.Credential, headers extra: [(name: String, value: String)], body: [UInt8]?, token: String) -> HTTPRequest {
        var path = path
        var query: [(String, String)] = []
        if let mark = path.firstIndex(of: "?") {
            for pair in path[path.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                query.append((parts[0], parts.count > 1 ? parts[1] : ""))
            }
            path = String(path[..<mark])
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        var body = body
        // A body that names the token (Dynatrace's lookup): as a JSON string's content.
        if let text = body.map({ String(decoding: $0, as: UTF8.self) }), text.contains("{token}") {
            let escaped = token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            body = Array(text.replacingOccurrences(of: "{token}", with: escaped).utf8)
        }
        var secretInURL: String?
        switch credential {
        case .authorization(let prefix): headers.append(("Authorization", prefix + token))
        case .basicPassword(let user): headers.append(("Authorization", "Basic " + Data("\(user):\(token)".utf8).base64EncodedString()))
        case .basicUsername: headers.append(("Authorization", "Basic " + Data("\(token):".utf8).base64EncodedString()))
        case .header(let name): headers.append((name, token))
        case .query(let name):
            query.append((name, token))
            secretInURL = token
        case .path:
            // `:` may stand in a path segment (RFC 3986 pchar), and Telegram's tokens have one.
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~:")
            path = path.replacingOccurrences(of: "{token}", with: token.addingPercentEncoding(withAllowedCharacters: allowed) ?? token)
            secretInURL = token
        case .form(let name):
            let fields = (body.map { String(decoding: $0, as: UTF8.self) }.map { [$0] } ?? []) + ["\(name)=\(URL.queryEncoded(token))"]
            body = Array(fields.joined(separator: "&").utf8)
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        }
        if body != nil, !headers.contains(where: { $0.name == "Content-Type" }) { headers.append(("Content-Type", "application/json")) }
        for header in extra {
            headers.removeAll { $0.name.lowercased() == header.name.lowercased() }
            headers.append(header)
        }
        var request = HTTPRequest(method: method, url: base.appending(apiPath: path, query: query), headers: headers, body: body)
        request.secretInURL = secretInURL
        return request
    }
}

/// A host name taken from a finding, before any token goes there.
enum HostName {
    /// The lower-cased host when it is a plain DNS name under one of `domains` (a label is put
    /// in front of `labelDomain` first); nil for anything else: a port, a path, user info, an
    /// IP address, another domain, or a look-alike (`databricks.com.evil.example`).
    static func validated(_ value: String, labelDomain: String?, domains: [String]) -> String? {
        // A URL (Vault's `https://host:8200`): https only, no user, no path; its port is kept.
        if value.contains("://") {
            guard let url = URLComponents(string: value), url.scheme?.lowercased() == "https", url.user == nil, url.password == nil,
                  url.path.isEmpty || url.path == "/", url.query == nil, let host = url.host,
                  let checked = validated(host, labelDomain: nil, domains: domains) else { return nil }
            return url.port.map { "\(checked):\($0)" } ?? checked
        }
        var host = value.lowercased()
        if !host.contains("."), let labelDomain { host += "." + labelDomain }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard host.count <= 253, labels.count >= 2, labels.allSatisfy({ label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }) else { return nil }
        guard domains.contains(where: { host.hasSuffix("." + $0) }) else { return nil }
        return host
    }
}
