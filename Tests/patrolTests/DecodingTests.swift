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

    // MARK: - Legacy 52-character PATs in base64 (no keyword to gate on)

    @Test func legacyTokensInBase64AreFoundWhereverTheyAreEncoded() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.legacy(seed: 11)
        let header = base64(":" + token)
        try folder.write("call.ps1", "$headers = @{ Authorization = \"Basic \(header)\" }\n")
        try folder.write(".npmrc", "//pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/:_password=\(base64(token))\n")
        try folder.write("secret.yaml", "kind: Secret\ndata:\n  pat: \(base64(token + "\n"))\n")
        try folder.write("config.json", "{\"auths\": {\"pkgs.example.com\": {\"auth\": \"\(base64("build-agent:" + token))\"}}}\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 1)
        let findings = try result.findings()
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0["path"] as! String, $0) })
        #expect(Set(byPath.keys) == ["call.ps1", ".npmrc", "secret.yaml", "config.json"], "\(findings.map { "\($0["path"]!) \($0["rule"]!)" })")
        #expect(findings.allSatisfy { $0["rule"] as? String == "azure-devops-pat-legacy" })
        #expect(byPath["call.ps1"]?["decoded"] as? String == "basic-auth")
        #expect(byPath[".npmrc"]?["decoded"] as? String == "base64")
        #expect(byPath["call.ps1"]?["column"] as? Int == 38)
        #expect(Set(findings.compactMap { $0["fingerprint"] as? String }).count == 1)
        #expect(!result.stdout.contains(header))
    }

    @Test func aLegacyLookAlikeInBase64IsNeitherAFindingNorAGenericSecret() throws {
        let folder = try TemporaryFolder()
        let bad = Tokens.badLegacy(seed: 12)
        try folder.write(".npmrc", "//pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/:_password=\(base64(bad))\n")
        try folder.write("call.sh", "curl -H 'Authorization: Basic \(base64(":" + bad))' https://dev.azure.com/contoso/_apis/projects\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)")
    }

    // MARK: - Percent-encoding and JSON string escapes

    @Test func aPercentEncodedTokenInUrlUserInfoIsFoundAtItsEncodedForm() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 13)
        // An encoder that escapes more than it must: the last four characters become %XX.
        let tail = token.suffix(4).utf8.map { String(format: "%%%02X", $0) }.joined()
        let encoded = token.dropLast(4) + tail
        let line = "git clone https://build:\(encoded)@dev.azure.com/contoso/proj/_git/repo"
        try folder.write("clone.sh", "#!/bin/sh\n" + line + "\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        let findings = try result.findings()
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding["rule"] as? String == "azure-devops-pat")
        #expect(finding["decoded"] as? String == "percent")
        #expect(finding["line"] as? Int == 2)
        #expect(finding["column"] as? Int == 25)
        #expect(finding["end_column"] as? Int == 24 + encoded.utf8.count)
        #expect(!result.stdout.contains(String(encoded.suffix(20))), "the encoded form is redacted in the snippet")
        let shown = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings()
        #expect(shown.first?["secret"] as? String == token)
        #expect(shown.first?["fingerprint"] as? String == finding["fingerprint"] as? String)
    }

    @Test func aPemKeyInAServiceAccountJsonIsOneFindingOfTheDecodedKey() throws {
        let folder = try TemporaryFolder()
        var generator = SystemRandomNumberGenerator()
        let lines = (0..<12).map { _ in Data((0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString() }
        let pem = "-----BEGIN PRIVATE KEY-----\n" + lines.joined(separator: "\n") + "\n-----END PRIVATE KEY-----\n"
        let escaped = pem.replacingOccurrences(of: "\n", with: "\\n")
        let json = "{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"0123abcd\",\n  \"private_key\": \"\(escaped)\",\n  \"client_email\": \"ci@example.iam.gserviceaccount.com\"\n}\n"
        try folder.write("sa.json", json)
        try folder.write("key.pem", pem)
        let result = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"])
        let findings = try result.findings()
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0["path"] as! String, $0) })
        #expect(findings.count == 2, "one finding per block: \(findings.map { "\($0["path"]!) \($0["rule"]!)" })")
        let inJSON = try #require(byPath["sa.json"])
        #expect(inJSON["rule"] as? String == "private-key")
        #expect(inJSON["decoded"] as? String == "json-escape")
        #expect((inJSON["line"] as? Int, inJSON["column"] as? Int) == (4, 19))
        #expect(inJSON["end_line"] as? Int == 4)
        #expect(inJSON["secret"] as? String == String(pem.dropLast()))
        #expect(inJSON["fingerprint"] as? String == byPath["key.pem"]?["fingerprint"] as? String, "the same key clear and escaped")
    }

    // MARK: - Three-byte keywords, UTF-16 base64, percent-encoded keywords

    @Test func threeByteKeywordTokensInBase64AreFoundAtEveryByteAlignment() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.example(rule: "huggingface-token", seed: 21)
        #expect(token.hasPrefix("hf_") && token.utf8.count == 37)
        let header = base64(":" + token)   // one byte before the token
        try folder.write("call.sh", "curl -H \"Authorization: Basic \(header)\" https://huggingface.co/api/whoami-v2\n")
        try folder.write("secret.yaml", "kind: Secret\ndata:\n  token: \(base64(token))\n  login: \(base64("u:" + token))\n")
        // base64url without padding, two bytes before the token.
        let url = base64("u:" + token).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try folder.write("state.txt", "cursor=\(url)\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 1)
        let findings = try result.findings()
        // The same secret twice in one file is one finding with two locations.
        func locations(_ finding: [String: Any]) -> [String] {
            (finding["locations"] as? [[String: Any]] ?? []).map { "\($0["path"]!):\($0["line"]!):\($0["column"]!) \(finding["decoded"]!)" }
        }
        #expect(findings.flatMap(locations).sorted() == [
            "call.sh:1:31 basic-auth", "secret.yaml:3:10 base64", "secret.yaml:4:10 base64", "state.txt:1:8 base64",
        ])
        #expect(findings.allSatisfy { $0["rule"] as? String == "huggingface-token" })
        #expect(Set(findings.compactMap { $0["fingerprint"] as? String }).count == 1)
        #expect(!result.stdout.contains(header) && !result.stdout.contains(token))
    }

    @Test func aTokenInAPowerShellEncodedCommandIsFoundAsBase64OfUTF16() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 22)
        let script = "$headers = @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes(':\(token)')) }"
        let encoded = Data(script.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }).base64EncodedString()
        try folder.write("deploy.cmd", "@echo off\r\npowershell.exe -NoProfile -EncodedCommand \(encoded)\r\n")
        try folder.write("clear.ps1", "$pat = '\(token)'\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 1)
        let findings = try result.findings()
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0["path"] as! String, $0) })
        let inCommand = try #require(byPath["deploy.cmd"], "\(findings)")
        #expect(inCommand["rule"] as? String == "azure-devops-pat")
        #expect(inCommand["decoded"] as? String == "base64-utf16")
        #expect((inCommand["line"] as? Int, inCommand["column"] as? Int, inCommand["end_column"] as? Int) == (2, 43, 42 + encoded.utf8.count))
        #expect(inCommand["fingerprint"] as? String == byPath["clear.ps1"]?["fingerprint"] as? String)
        #expect(!result.stdout.contains(String(encoded.prefix(40))), "the encoded command is redacted in the snippet")
        let shown = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings()
        #expect(shown.allSatisfy { $0["secret"] as? String == token })
    }

    @Test func aTokenWhoseKeywordIsPercentEncodedIsFoundAtItsEncodedForm() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 23)
        let upper = token.utf8.map { String(format: "%%%02X", $0) }.joined()
        let lower = token.utf8.map { String(format: "%%%02x", $0) }.joined()
        let prefix = "GET /oauth/callback?access_token="
        try folder.write("access.log", "\(prefix)\(upper)&scope=repo HTTP/1.1\n\(prefix)\(lower) HTTP/1.1\n")
        try folder.write("clear.env", "GITHUB_TOKEN=\(token)\n")
        let result = try patrol(["scan", folder.path, "--format", "json"])
        let findings = try result.findings()
        let inLog = findings.filter { $0["path"] as? String == "access.log" }
        #expect(inLog.map { "\($0["line"]!):\($0["column"]!)-\($0["end_column"]!) \($0["decoded"]!)" } == [
            "1:\(prefix.utf8.count + 1)-\(prefix.utf8.count + upper.utf8.count) percent",
        ])
        // Lower-case hex digits on line 2: the same secret, a second location.
        let lines = (inLog.first?["locations"] as? [[String: Any]] ?? []).map { "\($0["line"]!):\($0["column"]!)" }
        #expect(lines == ["1:\(prefix.utf8.count + 1)", "2:\(prefix.utf8.count + 1)"])
        #expect(inLog.allSatisfy { $0["rule"] as? String == "github-pat" })
        #expect(Set(findings.compactMap { $0["fingerprint"] as? String }).count == 1, "clear and percent-encoded: one secret")
        #expect(!result.stdout.contains(String(upper.suffix(30))) && !result.stdout.contains(String(lower.suffix(30))))
    }
}
