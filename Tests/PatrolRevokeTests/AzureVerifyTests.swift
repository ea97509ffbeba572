import Crypto
import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

/// Azure Storage (Shared Key) and Service Bus (SAS) on a local server that checks each
/// signature again, computed here from Microsoft's documentation ("Authorize with Shared Key";
/// "Service Bus access control with Shared Access Signatures") and not with patrol's signers:
/// a request signed over another string than the documented one is refused, and its test fails.
final class AzureProviders: @unchecked Sendable {
    struct Policy {
        var key: String
        var rights: Set<String>
    }

    private let lock = NSLock()
    /// Storage account → its two keys (base64); accounts that refuse Shared Key.
    private var accounts: [String: [String]] = [:]
    private var sharedKeyOff: Set<String> = []
    /// The namespace the server answers for, and its policies by name.
    let namespace = "contoso-bus"
    private var policies: [String: Policy] = [:]
    /// Answer 200 with an HTML page to every request.
    var htmlPage = false
    private(set) var server: TestHTTPServer!

    init() throws {
        server = try TestHTTPServer { [unowned self] request in self.lock.withLock { self.answer(request) } }
    }

    var requests: [TestHTTPServer.Request] { server.requests }
    var environment: [String: String] { ["PATROL_VERIFY_BASE_URL": server.baseURL] }

    func addAccount(_ name: String, keys: [String], sharedKeyAllowed: Bool = true) {
        lock.withLock {
            accounts[name] = keys
            if !sharedKeyAllowed { sharedKeyOff.insert(name) }
        }
    }

    func addPolicy(_ name: String, key: String, rights: Set<String>) { lock.withLock { policies[name] = Policy(key: key, rights: rights) } }

    func access() throws -> ProviderAccess {
        ProviderAccess(endpoints: try ProviderEndpoints.from(environment: environment), timeout: 2,
                       retry: RetryPolicy(maxRetries: 1, initialBackoff: 0.01, maxWait: 1), userAgent: "patrol-test")
    }

    static func base64HMAC(key: [UInt8], _ text: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key))).base64EncodedString()
    }

    /// Called with the lock held.
    private func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        if htmlPage { return .text(200, "<!doctype html><html><body>Sign in</body></html>", contentType: "text/html") }
        if request.path.hasPrefix("/azure-storage/") { return storage(request) }
        if request.path.hasPrefix("/azure-servicebus/") { return serviceBus(request) }
        return .text(404, "no such route")
    }

    // MARK: Blob service: Get Blob Service Properties

    /// The documented string to sign of a Blob service request, from the request as received.
    static func storageStringToSign(_ request: TestHTTPServer.Request, account: String) -> String {
        var lines = [request.method]
        for name in ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
                     "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"] {
            let value = request.header(name) ?? ""
            lines.append(name == "Content-Length" && value == "0" ? "" : value)
        }
        let msHeaders = request.headers.filter { $0.name.lowercased().hasPrefix("x-ms-") }
            .map { "\($0.name.lowercased()):\($0.value)" }.sorted()
        var resource = "/\(account)\(request.path)"
        for (name, value) in request.query.sorted(by: { $0.key < $1.key }) { resource += "\n\(name.lowercased()):\(value)" }
        return lines.joined(separator: "\n") + "\n" + msHeaders.map { $0 + "\n" }.joined() + resource
    }

    private static func storageError(_ code: String, _ message: String) -> TestHTTPServer.Response {
        .text(403, #"<?xml version="1.0" encoding="utf-8"?><Error><Code>\#(code)</Code><Message>\#(message)</Message></Error>"#,
              contentType: "application/xml", headers: [("x-ms-error-code", code)])
    }

    private func storage(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        guard request.method == "GET", request.path == "/azure-storage/", request.query == ["restype": "service", "comp": "properties"] else {
            return .text(400, "<Error><Code>UnsupportedQueryParameter</Code></Error>", contentType: "application/xml")
        }
        guard let version = request.header("x-ms-version"), version >= "2009-09-19", request.header("x-ms-date") != nil else {
            return .text(400, "<Error><Code>MissingRequiredHeader</Code></Error>", contentType: "application/xml")
        }
        guard let authorization = request.header("Authorization"), authorization.hasPrefix("SharedKey "),
              let colon = authorization.lastIndex(of: ":") else {
            return Self.storageError("NoAuthenticationInformation", "Server failed to authenticate the request.")
        }
        let account = String(authorization[authorization.index(authorization.startIndex, offsetBy: 10)..<colon])
        let signature = String(authorization[authorization.index(after: colon)...])
        guard let keys = accounts[account] else { return .text(404, "no such account") }
        if sharedKeyOff.contains(account) {
            return Self.storageError("KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted on this storage account.")
        }
        let stringToSign = Self.storageStringToSign(request, account: account)
        guard keys.contains(where: { Self.base64HMAC(key: Array(Data(base64Encoded: $0)!), stringToSign) == signature }) else {
            // Azure names the string it signed, which holds x-ms-date: a dead key must still read as one.
            return Self.storageError("AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nThe MAC signature found in the HTTP request '\(signature)' is not the same as any computed signature. Server used following string to sign: '\(stringToSign)'.")
        }
        return .text(200, #"<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Logging><Version>1.0</Version><Read>false</Read></Logging><DefaultServiceVersion>2021-08-06</DefaultServiceVersion></StorageServiceProperties>"#,
                     contentType: "application/xml")
    }

    // MARK: Service Bus: GET /$namespaceinfo with a SAS

    private static func serviceBusError(_ detail: String) -> TestHTTPServer.Response {
        .text(401, "<Error><Code>401</Code><Detail>\(detail) TrackingId:7c4e0b1f-0000-4000-8000-000000000001_G1, SystemTracker:contoso-bus.servicebus.windows.net:$namespaceinfo, Timestamp:2026-12-07T12:00:00</Detail></Error>",
              contentType: "application/xml; charset=utf-8")
    }

    private func serviceBus(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        guard request.method == "GET", request.path == "/azure-servicebus/$namespaceinfo", request.query["api-version"] != nil else {
            return .text(404, "<Error><Code>404</Code><Detail>No service is hosted at the specified address.</Detail></Error>", contentType: "application/xml")
        }
        guard let authorization = request.header("Authorization"), authorization.hasPrefix("SharedAccessSignature ") else {
            return Self.serviceBusError("MissingToken: The request contains no authorization header.")
        }
        var fields: [String: String] = [:]
        for pair in authorization.dropFirst("SharedAccessSignature ".count).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let sr = fields["sr"], let sig = fields["sig"]?.removingPercentEncoding, let se = fields["se"], let expiry = Int(se),
              let skn = fields["skn"]?.removingPercentEncoding else {
            return Self.serviceBusError("MalformedToken: The credentials contained in the authorization header are not in the WRAP format.")
        }
        guard Double(expiry) > Date().timeIntervalSince1970, Double(expiry) < Date().timeIntervalSince1970 + 3600 else {
            return Self.serviceBusError("ExpiredToken: The token is expired or not valid yet.")
        }
        guard sr.removingPercentEncoding?.lowercased() == "https://\(namespace).servicebus.windows.net/" else {
            return Self.serviceBusError("InvalidAudience: The authorization header contains a token with a wrong audience.")
        }
        guard let policy = policies[skn], Self.base64HMAC(key: Array(policy.key.utf8), sr + "\n" + se) == sig else {
            return Self.serviceBusError("InvalidSignature: The token has an invalid signature.")
        }
        guard policy.rights.contains("Manage") else { return Self.serviceBusError("Manage,EntityRead claims required for this operation.") }
        return .text(200, """
            <entry xmlns="http://www.w3.org/2005/Atom"><id>https://\(namespace).servicebus.windows.net/$namespaceinfo?api-version=2021-05</id>\
            <title type="text">\(namespace)</title><content type="application/xml"><NamespaceInfo xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect">\
            <CreatedTime>2024-01-01T00:00:00Z</CreatedTime><MessagingSKU>Standard</MessagingSKU><Name>\(namespace)</Name><NamespaceType>Messaging</NamespaceType></NamespaceInfo></content></entry>
            """, contentType: "application/atom+xml;type=entry;charset=utf-8")
    }
}

@Suite struct AzureVerifyTests {
    static func randomBase64(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    static func storageKey(_ secret: String, account: String?) -> LeakedToken {
        Leaked.token(secret, rule: "azure-storage-key", provider: "azure-storage", context: account.map { ["account": $0] } ?? [:])
    }

    static func serviceBusKey(_ secret: String, namespace: String? = "contoso-bus", keyName: String? = "RootManageSharedAccessKey", rule: String = "azure-servicebus-conn") -> LeakedToken {
        var context: [String: String] = [:]
        context["namespace"] = namespace
        context["key_name"] = keyName
        return Leaked.token(secret, rule: rule, provider: "azure-servicebus", context: context)
    }

    // MARK: Storage

    /// Microsoft's own example of the Blob service string to sign (Get Container Metadata).
    @Test func theSharedKeyStringToSignIsMicrosoftsExample() {
        let signer = SharedKeySigner(account: "myaccount", key: [])
        let text = signer.stringToSign(method: "GET", path: "/mycontainer", query: [("restype", "container"), ("comp", "metadata"), ("timeout", "20")],
                                       headers: [("x-ms-version", "2015-02-21"), ("x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT")])
        #expect(text == "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20")
        #expect(SharedKeySigner.httpDate(Date(timeIntervalSince1970: 1_435_361_952)) == "Fri, 26 Jun 2015 23:39:12 GMT")
    }

    @Test func aStorageAccountKeyIsLiveOnlyWhenTheServerAcceptsItsSharedKeySignature() async throws {
        let fake = try AzureProviders()
        let key1 = Self.randomBase64(bytes: 64), key2 = Self.randomBase64(bytes: 64), dead = Self.randomBase64(bytes: 64)
        fake.addAccount("contosodata", keys: [key1, key2])
        let tokens = [key1, key2, dead].map { Self.storageKey($0, account: "contosodata") }
        let results = await Verifier(access: try fake.access()).verify(tokens)

        #expect(results[tokens[0].fingerprint]?.outcome == .live, "\(String(describing: results[tokens[0].fingerprint]))")
        #expect(results[tokens[0].fingerprint]?.owner == "storage account contosodata")
        #expect(results[tokens[1].fingerprint]?.outcome == .live, "key2 works as well")
        let refused = try #require(results[tokens[2].fingerprint])
        #expect(refused.outcome == .notLive, "\(refused)")
        #expect(refused.status == 403)
        #expect(fake.requests.count == 3)
        for request in fake.requests {
            #expect(request.line == "GET /azure-storage/?restype=service&comp=properties")
            #expect(request.header("x-ms-version") == AzureStorageClient.version)
            #expect(request.header("Authorization")?.hasPrefix("SharedKey contosodata:") == true)
            for secret in [key1, key2, dead] {
                #expect(!request.target.contains(secret) && !request.headers.contains { $0.value.contains(secret) })
            }
        }
    }

    @Test func aStorageKeyWithoutAnAccountOrWithSharedKeyOffIsNotJudged() async throws {
        let fake = try AzureProviders()
        let key = Self.randomBase64(bytes: 64), other = Self.randomBase64(bytes: 64)
        fake.addAccount("lockeddown", keys: [other], sharedKeyAllowed: false)
        let alone = Self.storageKey(key, account: nil)
        let locked = Self.storageKey(other, account: "lockeddown")
        let badName = Self.storageKey(key, account: "Contoso_Data")
        var china = Self.storageKey(Self.randomBase64(bytes: 64), account: "contosodata")
        china.context["endpoint_suffix"] = "core.chinacloudapi.cn"
        let results = await Verifier(access: try fake.access()).verify([alone, locked, badName, china])
        #expect(results[china.fingerprint]?.outcome == .notSupported)
        #expect(results[china.fingerprint]?.message?.contains("another cloud") == true)
        #expect(results[alone.fingerprint]?.outcome == .notSupported)
        #expect(results[alone.fingerprint]?.message?.contains("no storage account name") == true)
        #expect(results[badName.fingerprint]?.outcome == .notSupported)
        #expect(results[locked.fingerprint]?.outcome == .failed)
        #expect(results[locked.fingerprint]?.message?.contains("does not allow Shared Key") == true)
        #expect(fake.requests.count == 1, "only the key with a valid account name is sent")
    }

    @Test func aStorageSASTokenIsNotSignedWith() async throws {
        let fake = try AzureProviders()
        let token = Leaked.token(Self.randomBase64(bytes: 32), rule: "azure-storage-sas-token", provider: "azure-storage", context: ["account": "contosodata"])
        let result = try #require(await Verifier(access: try fake.access()).verify([token]).values.first)
        #expect(result.outcome == .notSupported)
        #expect(fake.requests.isEmpty)
    }

    @Test func aStoragePageThatIsNotTheDocumentedXMLIsNotLive() async throws {
        let fake = try AzureProviders()
        fake.htmlPage = true
        let result = try #require(await Verifier(access: try fake.access()).verify([Self.storageKey(Self.randomBase64(bytes: 64), account: "contosodata")]).values.first)
        #expect(result.outcome == .failed)
    }

    // MARK: Service Bus

    @Test func aServiceBusKeyIsCheckedWithASASTheServerRecomputes() async throws {
        let fake = try AzureProviders()
        // Distinct keys: verify asks once per secret.
        let manage = Self.randomBase64(bytes: 32), send = Self.randomBase64(bytes: 32), dead = Self.randomBase64(bytes: 32)
        let listen = Self.randomBase64(bytes: 32), elsewhere = Self.randomBase64(bytes: 32)
        fake.addPolicy("RootManageSharedAccessKey", key: manage, rights: ["Manage", "Send", "Listen"])
        fake.addPolicy("send", key: send, rights: ["Send"])
        fake.addPolicy("listen", key: listen, rights: ["Listen"])
        let tokens = [Self.serviceBusKey(manage), Self.serviceBusKey(send, keyName: "send"), Self.serviceBusKey(dead),
                      Self.serviceBusKey(listen, keyName: "RootManageSharedAccessKey"), Self.serviceBusKey(elsewhere, namespace: "other-bus")]
        let results = await Verifier(access: try fake.access()).verify(tokens)
        func result(_ index: Int) -> Verification? { results[tokens[index].fingerprint] }

        #expect(result(0)?.outcome == .live, "\(String(describing: result(0)))")
        #expect(result(0)?.owner == "policy RootManageSharedAccessKey of namespace contoso-bus (Manage)")
        #expect(result(1)?.outcome == .live, "a Send-only key is accepted, then refused the Manage read: \(String(describing: result(1)))")
        #expect(result(1)?.owner?.contains("without Manage") == true)
        #expect(result(2)?.outcome == .notLive, "\(String(describing: result(2)))")
        #expect(result(3)?.outcome == .notLive, "a key under another policy's name")
        #expect(result(4)?.outcome == .failed, "another namespace's audience is not a verdict on the key: \(String(describing: result(4)))")
        #expect(fake.requests.count == 5)
        for request in fake.requests {
            #expect(request.line == "GET /azure-servicebus/$namespaceinfo?api-version=2021-05")
            let authorization = request.header("Authorization") ?? ""
            #expect(authorization.hasPrefix("SharedAccessSignature sr="))
            #expect([manage, send, dead, listen, elsewhere].allSatisfy { !authorization.contains($0) && !authorization.contains(URL.queryEncoded($0)) && !request.target.contains($0) })
        }
    }

    @Test func aServiceBusKeyWithoutItsNamespaceOrPolicyNameIsNotSent() async throws {
        let fake = try AzureProviders()
        let keys = (0..<3).map { _ in Self.randomBase64(bytes: 32) }
        let tokens = [Self.serviceBusKey(keys[0], namespace: nil), Self.serviceBusKey(keys[1], keyName: nil), Self.serviceBusKey(keys[2], namespace: "evil.example/x")]
        let results = await Verifier(access: try fake.access()).verify(tokens)
        #expect(tokens.allSatisfy { results[$0.fingerprint]?.outcome == .notSupported })
        #expect(results[tokens[1].fingerprint]?.message?.contains("SharedAccessKeyName") == true)
        #expect(fake.requests.isEmpty)
    }

    @Test func theSASSignsTheEncodedResourceAndExpiryWithTheKeyAsWritten() {
        let sas = ServiceBusSAS(resource: "https://contoso-bus.servicebus.windows.net/", keyName: "Root Manage", key: "a2V5")
        let token = sas.token(expiry: 1_900_000_000)
        let encoded = "https%3A%2F%2Fcontoso-bus.servicebus.windows.net%2F"
        let signature = AzureProviders.base64HMAC(key: Array("a2V5".utf8), encoded + "\n1900000000")
        #expect(token == "SharedAccessSignature sr=\(encoded)&sig=\(URL.queryEncoded(signature))&se=1900000000&skn=Root%20Manage")
    }

    // MARK: End to end: a scan's findings carry what the checks need

    @Test func verifyChecksTheAzureKeysOfAScannedConfigurationFile() throws {
        let folder = try ScratchFolder()
        let fake = try AzureProviders()
        let storage = Self.randomBase64(bytes: 64), bus = Self.randomBase64(bytes: 32)
        fake.addAccount("contosodata", keys: [storage])
        fake.addPolicy("RootManageSharedAccessKey", key: bus, rights: ["Manage"])
        try folder.write("repo/appsettings.json", """
            {
              "Storage": "DefaultEndpointsProtocol=https;AccountName=contosodata;AccountKey=\(storage);EndpointSuffix=core.windows.net",
              "Bus": "Endpoint=sb://contoso-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=\(bus)"
            }

            """)
        let scan = try PatrolProcess.run(["scan", "repo", "--format", "json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let scanned = try #require(scan.json?["findings"] as? [[String: Any]])
        let contexts = Dictionary(scanned.map { ($0["rule"] as! String, $0["context"] as? [String: String] ?? [:]) }, uniquingKeysWith: { first, _ in first })
        #expect(contexts["azure-storage-key"]?["account"] == "contosodata", "\(contexts)")
        #expect(contexts["azure-storage-key"]?["endpoint_suffix"] == "core.windows.net", "\(contexts)")
        #expect(contexts["azure-servicebus-conn"]?["namespace"] == "contoso-bus", "\(contexts)")
        #expect(contexts["azure-servicebus-conn"]?["key_name"] == "RootManageSharedAccessKey", "\(contexts)")
        try folder.write("report.json", scan.stdout)

        let result = try PatrolProcess.run(["verify", "report.json", "--format", "json"], in: folder.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(result.json?["findings"] as? [[String: Any]])
        var verified: [String: Bool] = [:]
        for finding in findings { verified[finding["rule"] as! String] = finding["verified"] as? Bool }
        #expect(verified == ["azure-storage-key": true, "azure-servicebus-conn": true], "\(result.stdout)")
        #expect(![storage, bus].contains { result.stdout.contains($0) || result.stderr.contains($0) })
    }
}
