import Foundation
import Testing

/// Secrets inside base64: reported at the encoded text, with the decoded secret's fingerprint.
@Suite struct DecodingTests {
    private func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test func base64FormsInTheirUsualPlacesAreDecoded() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 1)
        let header = base64(":" + token)
        try folder.write("call.sh", "curl -H \"Authorization: Basic \(header)\" https://dev.azure.com/contoso/_apis/projects\n")
        try folder.write(".npmrc", "; begin auth token\n//pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/:_password=\(base64(token))\n")
        try folder.write("config.json", "{\"auths\": {\"pkgs.example.com\": {\"auth\": \"\(base64("build:" + token))\"}}}\n")
        try folder.write("secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n  pat: \(base64(token))\n")
        try folder.write("gitconfig", "[http \"https://dev.azure.com/contoso\"]\n\textraheader = AUTHORIZATION: Basic \(base64("pat:" + token))\n")
        try folder.write("clear.txt", "pat=\(token)\n")

        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 1)
        let findings = try result.findings()
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0["path"] as! String, $0) })
        #expect(Set(byPath.keys) == ["call.sh", ".npmrc", "config.json", "secret.yaml", "gitconfig", "clear.txt"])
        #expect(Set(findings.compactMap { $0["fingerprint"] as? String }).count == 1, "clear and encoded forms share one fingerprint")
        #expect(byPath["call.sh"]?["decoded"] as? String == "basic-auth")
        #expect(byPath["gitconfig"]?["decoded"] as? String == "basic-auth")
        #expect(byPath[".npmrc"]?["decoded"] as? String == "base64")
        #expect(byPath["clear.txt"]?["decoded"] as? String == "none")
        // Reported at the encoded text, which is redacted in the snippet.
        #expect(byPath["call.sh"]?["column"] as? Int == 31)
        #expect(byPath["call.sh"]?["end_column"] as? Int == 30 + header.utf8.count)
        #expect(!result.stdout.contains(header) && !result.stdout.contains(token))
        let shown = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"])
        #expect(try shown.findings().allSatisfy { $0["secret"] as? String == token })
    }

    @Test func encodedTwiceIsStillFound() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 2)
        let dockerConfig = "{\"auths\":{\"registry.example.com\":{\"auth\":\"\(base64("ci:" + token))\"}}}"
        try folder.write("pull-secret.yaml", "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: \(base64(dockerConfig))\n")
        let findings = try patrol(["scan", folder.path, "--format", "json"]).findings()
        #expect(findings.count == 1)
        #expect(findings.first?["line"] as? Int == 4)
    }

    @Test func aBadChecksumInsideBase64IsNotAFinding() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.txt", "Authorization: Basic \(base64(":" + Tokens.badCask(seed: 3)))\n")
        #expect(try patrol(["scan", folder.path]).status == 0)
    }
}
