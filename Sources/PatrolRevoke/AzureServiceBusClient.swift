import Crypto
import Foundation
import PatrolKit

/// Azure Service Bus, Event Hubs and Relay shared access keys (the namespace is
/// `context.namespace`, from `Endpoint=sb://NS.servicebus.windows.net/`, the policy
/// `context.key_name`, from `SharedAccessKeyName=`): verified with the namespace's management
/// read `GET https://NS.servicebus.windows.net/$namespaceinfo?api-version=2021-05`, authorized
/// with a Shared Access Signature the key signs for the namespace, valid five minutes
/// (`ServiceBusSAS`). Live on 200 with the documented `NamespaceInfo` entry; also live on
/// 401 "… claim(s) required": the signature was accepted, but the policy has only Send or
/// Listen rights. 401 `InvalidSignature` — the key is not the policy's — is not live;
/// anything else (another audience, an entity-level policy, an unknown namespace) is `failed`.
/// `$namespaceinfo` is the Service Bus administration API's (the SDKs' GetNamespaceProperties);
/// Event Hubs and Relay namespaces live on the same host and take the same SAS, but an answer of
/// theirs other than 200 or 401 stays `failed`, never a verdict on the key.
struct AzureServiceBusClient: ProviderClient {
    let http: HTTPClient
    let redactor: Redactor
    let endpoints: ProviderEndpoints

    static let apiVersion = "2021-05"
    /// How long the signature is valid.
    static let lifetime: TimeInterval = 300

    /// A namespace name of Azure's documented shape: letters, digits and hyphens, 1–50.
    static func namespace(_ token: LeakedToken) -> String? {
        guard let name = token.context["namespace"]?.lowercased(), (1...50).contains(name.utf8.count), name.first != "-", name.last != "-",
              name.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }) else { return nil }
        return name
    }

    /// A policy name: letters, digits, `.`, `_` and `-`, up to 256.
    static func keyName(_ token: LeakedToken) -> String? {
        guard let name = token.context["key_name"], (1...256).contains(name.utf8.count),
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_".unicodeScalars.contains($0)) }) else { return nil }
        return name
    }

    func request(_ token: LeakedToken, namespace: String, keyName: String, now: Date = Date()) -> HTTPRequest {
        let base = endpoints.azureServiceBus ?? URL(string: "https://\(namespace).servicebus.windows.net")!
        let url = base.appending(apiPath: "/$namespaceinfo", query: [("api-version", Self.apiVersion)])
        let sas = ServiceBusSAS(resource: "https://\(namespace).servicebus.windows.net/", keyName: keyName, key: token.secret)
        let expiry = Int(now.timeIntervalSince1970 + Self.lifetime)
        return HTTPRequest(method: "GET", url: url, headers: [("Authorization", sas.token(expiry: expiry)), ("Accept", "application/atom+xml")])
    }

    func verify(_ token: LeakedToken) async -> Verification {
        guard let namespace = Self.namespace(token) else {
            return Verification(outcome: .notSupported, message: "no namespace (Endpoint=sb://NAMESPACE.servicebus.windows.net/) was found next to the key (context.namespace): a key is checked only with its namespace")
        }
        guard let keyName = Self.keyName(token) else {
            return Verification(outcome: .notSupported, message: "no policy name (SharedAccessKeyName=) was found next to the key (context.key_name): a key signs only with its policy's name")
        }
        let call = "GET /$namespaceinfo"
        switch await http.send(request(token, namespace: namespace, keyName: keyName)) {
        case .failure(let failure):
            return .failed(describe(failure, call))
        case .success(let response):
            let text = response.text
            let detail = AWSClient.element("Detail", in: text) ?? ""
            switch response.status {
            case 200:
                guard text.contains("<NamespaceInfo") else {
                    return .failed(undocumented(response, call, expected: "the namespace's NamespaceInfo entry"), status: 200)
                }
                return Verification(outcome: .live, status: 200, owner: "policy \(keyName) of namespace \(AWSClient.element("Name", in: text) ?? namespace) (Manage)")
            case 401 where detail.hasPrefix("InvalidSignature"):
                return Verification(outcome: .notLive, status: 401, message: "InvalidSignature: the key is not the policy's")
            case 401 where detail.range(of: #"claims? (?:\(s\) )?(?:is |are )?required"#, options: [.regularExpression, .caseInsensitive]) != nil:
                // Authorization comes after the signature is checked: the key works.
                return Verification(outcome: .live, status: 401, owner: "policy \(keyName) of namespace \(namespace) (without Manage: it can send or listen)")
            default:
                return .failed(describe(response, call) + (detail.isEmpty ? "" : " (\(detail.prefix(160)))"), status: response.status)
            }
        }
    }

    func prepare(_ token: LeakedToken) async -> Preparation {
        .done(Revocation(token: token, outcome: .notSupported, message: "a shared access key cannot revoke itself: regenerate it (az servicebus namespace authorization-rule keys renew)"))
    }

    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer {
        .refused(status: response.status, message: "shared access keys are not revoked through the namespace")
    }
}

/// A Service Bus / Event Hubs Shared Access Signature ("Service Bus access control with Shared
/// Access Signatures"): `SharedAccessSignature sr={URL-encoded resource}&sig={URL-encoded
/// signature}&se={expiry}&skn={policy}`, the signature being base64(HMAC-SHA256(the key as
/// it is written, UTF-8 of URL-encoded resource + "\n" + expiry)). The key is not
/// base64-decoded first.
struct ServiceBusSAS: Sendable {
    let resource: String
    let keyName: String
    let key: String

    func signature(encodedResource: String, expiry: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(encodedResource)\n\(expiry)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    func token(expiry: Int) -> String {
        let encoded = URL.queryEncoded(resource)
        return "SharedAccessSignature sr=\(encoded)&sig=\(URL.queryEncoded(signature(encodedResource: encoded, expiry: expiry)))&se=\(expiry)&skn=\(URL.queryEncoded(keyName))"
    }
}
