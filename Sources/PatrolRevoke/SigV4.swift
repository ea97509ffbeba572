import Crypto
import Foundation

/// AWS Signature Version 4, as AWS documents it ("Create a signed AWS API request"): a
/// canonical request (method, URI, sorted query, sorted lower-case headers, signed header
/// names, SHA-256 of the payload), a string to sign over its hash and the credential scope,
/// and an HMAC-SHA256 chain from `"AWS4" + secret` through date, region, service and
/// `aws4_request`. Checked against AWS's published test suite (`get-vanilla`, `post-vanilla`).
struct SigV4: Sendable {
    let accessKeyId: String
    let secretAccessKey: String
    let region: String
    let service: String

    static let algorithm = "AWS4-HMAC-SHA256"

    /// The headers to add to a request: `X-Amz-Date` and `Authorization`. `headers` are those
    /// the request will carry (at least `Host`); all of them are signed.
    func sign(method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8], date: Date) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        let signed = headers + [("X-Amz-Date", stamp)]
        let (canonical, signedHeaders) = Self.canonicalRequest(method: method, path: path, query: query, headers: signed, body: body)
        let signature = self.signature(canonicalRequest: canonical, timestamp: stamp)
        let authorization = "\(Self.algorithm) Credential=\(accessKeyId)/\(day)/\(region)/\(service)/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return [("X-Amz-Date", stamp), ("Authorization", authorization)]
    }

    /// The hex signature of a canonical request made at `timestamp` (`20150830T123600Z`).
    func signature(canonicalRequest: String, timestamp: String) -> String {
        let day = String(timestamp.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [Self.algorithm, timestamp, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Array(("AWS4" + secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The canonical request and its `SignedHeaders` list. `query` is the raw query (percent-
    /// encoded as sent); its pairs are sorted by name, then value.
    static func canonicalRequest(method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8]) -> (String, String) {
        let pairs = query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var byName: [String: [String]] = [:]
        for header in headers {
            // Values trimmed, inner runs of spaces made one.
            let value = header.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            byName[header.name.lowercased(), default: []].append(value)
        }
        let names = byName.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let request = [
            method,
            path.isEmpty ? "/" : path,
            pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&"),
            canonicalHeaders,
            signedHeaders,
            hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        return (request, signedHeaders)
    }

    /// `20150830T123600Z`, UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
