import Foundation
import Testing
@testable import PatrolKit

/// The generic heuristic from the command line: low-confidence findings for high-entropy values
/// of credential-like names, quiet on placeholders, yielding to specific rules, and off with
/// `--no-generic` or `generic: false`.
@Suite struct GenericSecretCommandTests {
    private func folderWithGenericSecrets() throws -> (TemporaryFolder, [String]) {
        let folder = try TemporaryFolder()
        let values = (1...5).map { Tokens.generic(seed: $0) }
        try folder.write("app/.env", "APP_NAME=billing\nDB_PASSWORD=\(values[0])\n")
        try folder.write("app/settings.json", "{\n  \"clientSecret\": \"\(values[1])\"\n}\n")
        try folder.write("app/Web.config", "<connectionStrings>\n  <add name=\"db\" connectionString=\"Server=sql;Database=app;User Id=svc;Password=\(values[2]);\" />\n</connectionStrings>\n")
        try folder.write("deploy/values.yaml", "env:\n  - name: API_TOKEN\n    value: \"\(values[3])\"\n")
        try folder.write("src/db.py", "BROKER_URL = \"amqp://app:\(values[4])@mq.internal:5672/app\"\n")
        return (folder, values)
    }

    @Test func credentialLikeNamesWithRandomValuesAreLowConfidenceFindings() throws {
        let (folder, values) = try folderWithGenericSecrets()
        let result = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"])
        #expect(result.status == 1)
        let findings = try result.findings()
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0["path"] as! String, $0) })
        #expect(byPath["app/.env"]?["rule"] as? String == "generic-password")
        #expect(byPath["app/settings.json"]?["rule"] as? String == "generic-secret")
        #expect(byPath["app/Web.config"]?["rule"] as? String == "generic-password")
        #expect(byPath["deploy/values.yaml"]?["rule"] as? String == "generic-token")
        #expect(byPath["src/db.py"]?["rule"] as? String == "generic-url-password")
        #expect(Set(findings.compactMap { $0["secret"] as? String }) == Set(values))
        #expect(findings.allSatisfy { $0["confidence"] as? String == "low" && $0["provider"] as? String == "generic" })
        #expect(findings.allSatisfy { $0["validated"] is NSNull }, "a plausibility test proves nothing")
        #expect(byPath["app/.env"]?["line"] as? Int == 2 && byPath["app/.env"]?["column"] as? Int == 13)
    }

    @Test func noGenericAndGenericFalseTurnTheHeuristicOff() throws {
        let (folder, _) = try folderWithGenericSecrets()
        #expect(try patrol(["scan", folder.path, "--no-generic"]).status == 0)
        #expect(try patrol(["scan", folder.path, "--min-confidence", "medium"]).status == 0)
        try folder.write(".patrol.yml", "generic: false\n")
        #expect(try patrol(["scan", folder.path]).status == 0)
        try folder.write(".patrol.yml", "generic: sometimes\n")
        let bad = try patrol(["scan", folder.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("generic"), "\(bad.stderr)")
    }

    @Test func placeholdersReferencesAndWordsAreNotReported() throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yml", """
            password: ${DB_PASSWORD}
            api_key: "{{ vault_api_key }}"
            token: <YOUR_PAT>
            secret: %APP_SECRET%
            AZURE_DEVOPS_PAT: $(System.AccessToken)
            client_secret: changeme-please-now
            password: MySuperSecretPassword
            password: P@ssw0rd123!
            token: xxxxxxxxxxxxxxxxxxxxxxxxxxxx
            token_file: /run/secrets/api_token.txt
            secret: 123e4567-e89b-12d3-a456-426614174000
            auth_token: sha512-\(String(repeating: "Zm9v", count: 22))
            access_key: process.env.ACCESS_KEY
            password = getPassword(config)
            nextPageToken: \(Tokens.generic(seed: 9))
            """)
        let result = try patrol(["scan", folder.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)")
    }

    /// The noise classes measured on real repositories (benchmarks/precision/): none is a finding.
    @Test func digestsScopesPublicTokensConstantsReadableBase64AndVendoredCodeAreNotReported() throws {
        let folder = try TemporaryFolder()
        var rng = SeededGenerator(seed: 41)
        func hex(_ count: Int) -> String { String((0..<count).map { _ in Array("0123456789abcdef").randomElement(using: &rng)! }) }
        let token = Tokens.generic(seed: 42)
        try folder.write(".secrets.baseline", "{\n  \"results\": {\n    \"a.py\": [\n      {\n        \"hashed_secret\": \"\(hex(40))\",\n        \"type\": \"Secret Keyword\"\n      }\n    ]\n  }\n}\n")
        try folder.write("signer_test.go", "expected := \"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host\"\n")
        try folder.write("fixtures/ec2.json", "{\n  \"ClientToken\": \"\(Tokens.generic(seed: 43))\",\n  \"VerificationToken\": \"\(Tokens.generic(seed: 44))\"\n}\n")
        try folder.write("App.config", "<add type=\"System.Data.SqlClient.SqlConnection, System.Data, Version=1.0.3300.0, Culture=neutral, PublicKeyToken=\(hex(16))\" />\n")
        try folder.write("README.md", "[![codecov](https://codecov.io/gh/o/r/branch/main/graph/badge.svg?token=\(Tokens.generic(seed: 45)))](https://codecov.io/gh/o/r)\n")
        try folder.write("k8s/secret.yaml", "data:\n  password: \(Data("not-secret".utf8).base64EncodedString())\n  apiPassword: \(Data("storageos".utf8).base64EncodedString())\n")
        try folder.write("unix/zerrors.go", "\tSIOCGLIFTOKEN = -0x3f879678\n") // patrol:allow (a constant; older patrol reported it)
        try folder.write("models/examples-1.json", "\"SecretId\": \"arn:aws:secretsmanager:us-east-1:012345678901:secret:db/prod-\(String(token.prefix(6)))\"\n")
        try folder.write("static/app.min.js", "var token=\"\(token)\";\n")
        try folder.write("vendor/github.com/x/y/conf.go", "apiKey := \"\(Tokens.generic(seed: 46))\"\n")
        try folder.write("web/node_modules/pkg/index.js", "const api_key = '\(Tokens.generic(seed: 47))';\n")
        try folder.write("tests/gitlab_test.py", "TOKENS = ['glpat-' 'hellOworld380_testin', 'GR1348941' 'PREfix_helloworld380']\n".replacingOccurrences(of: "' '", with: ""))
        let result = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"])
        #expect(result.status == 0, "\(result.stdout)")
    }

    /// Real credentials in credential files, or next to a provider's name, keep their finding even in vendored code.
    @Test func credentialFilesAndProviderNamesKeepGenericFindingsInVendoredCode() throws {
        let folder = try TemporaryFolder()
        let values = (50...53).map { Tokens.generic(seed: $0) }
        try folder.write("node_modules/pkg/.env", "DB_PASSWORD=\(values[0])\n")
        try folder.write("vendor/infra/prod.tfvars", "api_key = \"\(values[1])\"\n")
        try folder.write("third_party/app/appsettings.json", "{ \"ClientSecret\": \"\(values[2])\" }\n")
        try folder.write("vendor/deploy/conf.py", "aws_api_key = \"\(values[3])\"\n")
        let result = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"])
        #expect(result.status == 1)
        let findings = try result.findings()
        #expect(Set(findings.compactMap { $0["secret"] as? String }) == Set(values), "\(result.stdout)")
        #expect(findings.allSatisfy { $0["confidence"] as? String == "low" })
    }

    @Test func aValueASpecificRuleReportsOrRejectsIsNotAlsoGeneric() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.env", "GITHUB_TOKEN=\(Tokens.github(seed: 4))\nADO_PAT=\(Tokens.legacy(seed: 5))\n")
        try folder.write("b.env", "ADO_PAT=\(Tokens.badLegacy(seed: 6))\nAZURE_DEVOPS_PAT=\(Tokens.badCask(seed: 7))\n")
        let findings = try patrol(["scan", folder.path, "--format", "json"]).findings()
        #expect(findings.map { $0["rule"] as! String }.sorted() == ["azure-devops-pat-legacy", "github-pat"])
        #expect(try patrol(["scan", folder.url.appendingPathComponent("b.env").path]).status == 0, "wrong-checksum look-alikes are not generic secrets")
    }

    @Test func historyAndDiffHonourNoGenericToo() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("start", ["README.md": "hello\n"])
        try repo.commit("add settings", ["app.env": "API_TOKEN=\(Tokens.generic(seed: 31))\n"])
        let history = try patrol(["history", repo.path, "--format", "json"])
        #expect(history.status == 1)
        #expect(try history.findings().map { $0["rule"] as? String } == ["generic-token"])
        #expect(try patrol(["history", repo.path, "--no-generic"]).status == 0)
        try repo.write("app.env", "API_TOKEN=\(Tokens.generic(seed: 32))\n")
        #expect(try patrol(["diff"], in: repo.url).status == 1)
        #expect(try patrol(["diff", "--no-generic"], in: repo.url).status == 0)
    }
}
