import Crypto
import Foundation
import PatrolKit

/// Azure Storage account keys (rules `azure-storage-key`, `azure-storage-id-key`; the account
/// name is `context.account`, from the connection string's `AccountName=`, a
/// `*.blob.core.windows.net` host or `--account-name`): verified with Get Blob Service
/// Properties, `GET https://{account}.blob.core.windows.net/?restype=service&comp=properties`,
/// a read of the account's settings that touches no data, authorized with Shared Key
/// (`SharedKeySigner`). Live only on 200 with the documented `StorageServiceProperties`
/// XML; 403 `AuthenticationFailed` (the signature does not match any of the account's keys)
/// is not live; anything else — shared-key access turned off, a firewall, an unknown
/// account — is `failed`, with the reason. A key cannot revoke itself: it is regenerated in
/// the account (`az storage account keys renew`).
struct AzureStorageClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints

    /// Any version from 2009-09-19 signs this way; Get Blob Service Properties has it.
    static let version = "2021-08-06"

    /// The account name when it has Azure's documented shape (3–24 lower-case letters and digits).
    static func account(_ token: LeakedToken) -> String? {
        guard let name = token.context["account"], (3...24).contains(name.utf8.count),
              name.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return name
    }

    func request(_ token: LeakedToken, account: String, key: [UInt8], date: Date = Date()) -> HTTPRequest {
        let base = endpoints.azureStorage ?? URL(string: "https://\(account).blob.core.windows.net")!
        let url = base.appending(apiPath: "/", query: [("restype", "service"), ("comp", "properties")])
        let headers: [(name: String, value: String)] = [("x-ms-date", SharedKeySigner.httpDate(date)), ("x-ms-version", Self.version)]
        let signer = SharedKeySigner(account: account, key: key)
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
        let authorization = signer.authorization(method: "GET", path: path, query: [("restype", "service"), ("comp", "properties")], headers: headers)
        return HTTPRequest(method: "GET", url: url, headers: headers + [("Authorization", authorization)])
    }

    func verify(_ token: LeakedToken) async -> Verification {
        guard ProviderAPICoverage.canVerify(rule: token.rule, with: "azure-storage") else {
            return Verification(outcome: .notSupported, message: "only an account key can be checked: a \(token.rule) is not signed with by patrol")
        }
        guard let account = Self.account(token) else {
            return Verification(outcome: .notSupported, message: "no storage account name (AccountName=, ACCOUNT.blob.core.windows.net or --account-name) was found next to the key (context.account): a key is checked only with its account")
        }
        if let suffix = token.context["endpoint_suffix"], suffix.lowercased() != "core.windows.net" {
            return Verification(outcome: .notSupported, message: "the account is in another cloud (EndpointSuffix=\(suffix.prefix(60))): patrol checks only core.windows.net accounts")
        }
        guard let key = Data(base64Encoded: token.secret), key.count >= 32 else {
            return Verification(outcome: .notSupported, message: "the key is not base64: it cannot sign a request")
        }
        let call = "GET /?restype=service&comp=properties"
        switch await http.send(request(token, account: account, key: Array(key))) {
        case .failure(let failure):
            return .failed(describe(failure, call))
        case .success(let response):
            let text = response.text
            let code = response.headers["x-ms-error-code"] ?? AWSClient.element("Code", in: text)
            switch response.status {
            case 200:
                guard text.contains("<StorageServiceProperties") else {
                    return .failed(undocumented(response, call, expected: "the account's StorageServiceProperties"), status: 200)
                }
                return Verification(outcome: .live, status: 200, owner: "storage account \(account)")
            case 403 where code == "AuthenticationFailed":
                // The same code says the request's date is off ("Request date header too
                // old"); only a signature that matches none of the account's keys means the
                // key is dead. (That answer quotes the string signed, x-ms-date included.)
                if text.contains("Request date header") {
                    return .failed(describe(response, call) + " (the clock of this machine is off: the key was not judged)", status: 403)
                }
                return Verification(outcome: .notLive, status: 403, message: "AuthenticationFailed: the signature matches none of the account's keys")
            case 403 where code == "KeyBasedAuthenticationNotPermitted":
                return .failed("the account does not allow Shared Key authorization (allowSharedKeyAccess is false): the key cannot be checked, and works only if that is turned back on", status: 403)
            default:
                return .failed(describe(response, call) + (code.map { " (\($0))" } ?? ""), status: response.status)
            }
        }
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        .done(Revocation(token: token, outcome: .notSupported, message: "an Azure Storage key cannot revoke itself: regenerate it (az storage account keys renew --account-name ACCOUNT --key key1 or key2)"))
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        .refused(status: response.status, message: "Azure Storage keys are not revoked through the storage API")
    }
}

/// Shared Key authorization for the Blob, Queue and File services, version 2009-09-19 and later
/// ("Authorize with Shared Key"): `Authorization: SharedKey {account}:{signature}`, the
/// signature being base64(HMAC-SHA256(base64-decoded key, UTF-8 string to sign)) over
///
///     VERB \n Content-Encoding \n Content-Language \n Content-Length \n Content-MD5 \n
///     Content-Type \n Date \n If-Modified-Since \n If-Match \n If-None-Match \n
///     If-Unmodified-Since \n Range \n CanonicalizedHeaders CanonicalizedResource
///
/// (empty values for the standard headers a GET does not send; `x-ms-date` stands for Date).
/// CanonicalizedHeaders: every `x-ms-` header, lower-cased, sorted, `name:value\n`.
/// CanonicalizedResource: `/` + account + the URI path as sent, then for each query parameter,
/// by lower-cased name in order, `\nname:value` (several values sorted and joined with `,`).
struct SharedKeySigner: Sendable {
    let account: String
    let key: [UInt8]

    func stringToSign(method: String, path: String, query: [(String, String)], headers: [(name: String, value: String)]) -> String {
        let standard = ["content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                        "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range"]
        func value(_ name: String) -> String {
            let found = headers.first { $0.name.lowercased() == name }?.value ?? ""
            // From version 2015-02-21, a zero Content-Length is signed as empty.
            return name == "content-length" && found == "0" ? "" : found
        }
        var text = method.uppercased() + "\n" + standard.map { value($0) + "\n" }.joined()
        let msHeaders = headers.filter { $0.name.lowercased().hasPrefix("x-ms-") }
            .map { (name: $0.name.lowercased(), value: $0.value.trimmingCharacters(in: .whitespaces)) }
            .sorted { $0.name < $1.name }
        text += msHeaders.map { "\($0.name):\($0.value)\n" }.joined()
        text += "/" + account + (path.isEmpty ? "/" : path)
        var parameters: [String: [String]] = [:]
        for (name, value) in query { parameters[name.lowercased(), default: []].append(value) }
        for name in parameters.keys.sorted() {
            text += "\n\(name):" + parameters[name]!.sorted().joined(separator: ",")
        }
        return text
    }

    func signature(_ stringToSign: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
    }

    func authorization(method: String, path: String, query: [(String, String)], headers: [(name: String, value: String)]) -> String {
        "SharedKey \(account):" + signature(stringToSign(method: method, path: path, query: query, headers: headers))
    }

    /// `Sun, 06 Dec 2026 10:00:00 GMT` (RFC 1123), as `x-ms-date` wants it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
