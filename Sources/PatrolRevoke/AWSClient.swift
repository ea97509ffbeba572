import Foundation
import PatrolKit

/// AWS access key pairs (rule `aws-access-key`: the secret access key is the finding, its
/// access key id `context.access_key_id`): verified with STS `GetCallerIdentity`, which any
/// valid key may call whatever its policies, signed with Signature Version 4 (`SigV4`). Live
/// only on the documented XML answer with a `GetCallerIdentityResult`; its `Account`, `Arn`
/// and `UserId` are the access map. STS cannot revoke: deactivating a key needs IAM rights.
struct AWSClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints

    /// Error codes meaning the pair does not work: an unknown or deactivated key id, a secret
    /// that is not the key's, an expired key.
    static let deadCodes: Set<String> = ["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException", "AuthFailure"]
    static let body = Array("Action=GetCallerIdentity&Version=2011-06-15".utf8)

    /// The access key id of the pair, when it has the documented shape (a value from a scanned
    /// file goes into a header).
    static func accessKeyId(_ token: LeakedToken) -> String? {
        guard let id = token.context["access_key_id"], id.utf8.count == 20 else { return nil }
        let bytes = Array(id.utf8)
        guard ["AKIA", "ASIA", "ABIA", "ACCA"].contains(String(decoding: bytes[0..<4], as: UTF8.self)),
              bytes[4...].allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains($0) }) else { return nil }
        return id
    }

    /// `POST /` with the form body, signed for STS in `us-east-1` (the global endpoint).
    func request(_ token: LeakedToken, accessKeyId: String, date: Date = Date()) -> HTTPRequest {
        let url = endpoints.awsSTS.appending(apiPath: "/")
        let host = url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? ""
        let headers: [(name: String, value: String)] = [("Host", host), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        let signer = SigV4(accessKeyId: accessKeyId, secretAccessKey: token.secret, region: "us-east-1", service: "sts")
        // The path as sent (Foundation's `URL.path` drops a trailing slash).
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
        let signature = signer.sign(method: "POST", path: path, query: "", headers: headers, body: Self.body, date: date)
        return HTTPRequest(method: "POST", url: url, headers: headers + signature + [("Accept", "text/xml")], body: Self.body)
    }

    func verify(_ token: LeakedToken) async -> Verification {
        guard ProviderAPICoverage.canVerify(rule: token.rule, with: "aws") else {
            return Verification(outcome: .notSupported, message: "only a key pair (aws-access-key) can be checked: \(token.rule) has no secret access key to sign with")
        }
        guard let keyId = Self.accessKeyId(token) else {
            return .failed("no access key id (AKIA…) was found next to the secret access key (context.access_key_id)")
        }
        if keyId.hasPrefix("ASIA") {
            return Verification(outcome: .notSupported, message: "a temporary key (ASIA…) works only with its session token, which patrol does not collect")
        }
        switch await http.send(request(token, accessKeyId: keyId)) {
        case .failure(let failure):
            return .failed(describe(failure, "GetCallerIdentity"))
        case .success(let response):
            let text = response.text
            switch response.status {
            case 200:
                guard let result = Self.element("GetCallerIdentityResult", in: text), let account = Self.element("Account", in: result),
                      let arn = Self.element("Arn", in: result) else {
                    return .failed(undocumented(response, "GetCallerIdentity", expected: "a GetCallerIdentityResult with Account and Arn"), status: 200)
                }
                var check = Verification(outcome: .live, status: 200, owner: arn)
                check.access = TokenAccess(user: Self.element("UserId", in: result), account: account, arn: arn)
                return check
            case 400...403:
                if let code = Self.element("Code", in: text), Self.deadCodes.contains(code) {
                    return Verification(outcome: .notLive, status: response.status, message: code)
                }
                return .failed(describe(response, "GetCallerIdentity") + (Self.element("Code", in: text).map { " (\($0))" } ?? ""), status: response.status)
            default:
                return .failed(describe(response, "GetCallerIdentity"), status: response.status)
            }
        }
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        .done(Revocation(token: token, outcome: .notSupported, message: "an AWS key cannot revoke itself: deactivate it in IAM (aws iam update-access-key --status Inactive)"))
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        .refused(status: response.status, message: "AWS keys are not revoked through STS")
    }

    /// The text of the first `<name>…</name>` (XML entities decoded); nil when absent. STS's
    /// answers are small, flat and documented: no general XML parser is needed (and
    /// FoundationXML would add libxml2 to every start of patrol).
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        let value = String(text[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return nil }
        return value.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
