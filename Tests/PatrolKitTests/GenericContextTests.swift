import Testing
@testable import PatrolKit

/// The surroundings of a generic match: names that say "digest", "public" or "idempotency",
/// ARN segments, vendored and minified code are not secrets; credential files and provider
/// names keep a match.
@Suite struct GenericContextTests {
    private static let context = GenericContext(providerIDs: ["aws", "github", "azure-devops", "generic", "private-keys"])

    private func value(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return GenericSecret.generate(using: &rng)
    }

    private func hex(_ count: Int, seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return String((0..<count).map { _ in Array("0123456789abcdef").randomElement(using: &rng)! })
    }

    /// The snippet of `line` with `secret` marked, as the scanner makes it.
    private func keeps(_ line: String, _ secret: String, path: String = "src/app.py") -> Bool {
        let bytes = Array(line.utf8)
        let range = line.range(of: secret)!
        let lower = line.utf8.distance(from: line.utf8.startIndex, to: range.lowerBound)
        let snippet = Snippet(bytes: bytes, secretSpans: [lower..<(lower + secret.utf8.count)])
        return Self.context.keeps(path: path, snippet: snippet, secret: secret)
    }

    @Test func digestsUnderADigestsNameAreNotSecrets() {
        let digest = hex(40, seed: 1)
        #expect(!keeps("        \"hashed_secret\": \"\(digest)\",", digest, path: ".secrets.baseline"))
        #expect(!keeps("secret_sha256 = '\(digest)'", digest))
        #expect(!keeps("<tokenChecksum>\(digest)</tokenChecksum>", digest, path: "a.xml"))
        #expect(!keeps("apiKeyDigest: \(digest)", digest, path: "a.yml"))
        // "shared" is not "sha": a shared secret is a secret.
        #expect(keeps("shared_secret = '\(digest)'", digest))
        #expect(keeps("secret = '\(digest)'", digest))
    }

    @Test func publicVerificationAndIdempotencyTokensAreNotSecrets() {
        let token = value(seed: 2)
        let publicKeyToken = hex(16, seed: 3)
        #expect(!keeps("<add assembly=\"System.Data, Version=1.0.3300.0, Culture=neutral, PublicKeyToken=\(publicKeyToken)\" />", publicKeyToken, path: "App.config"))
        #expect(!keeps("\"VerificationToken\": \"\(token)\",", token, path: "fixtures/ses.json"))
        #expect(!keeps("\"ClientToken\": \"\(token)\",", token, path: "fixtures/ec2.json"))
        #expect(!keeps("<clientToken>\(token)</clientToken>", token, path: "fixtures/ec2.xml"))
        #expect(!keeps("\"IdempotencyToken\": \"\(token)\"", token, path: "fixtures/x.json"))
        #expect(!keeps("[![codecov](https://codecov.io/gh/o/r/branch/main/graph/badge.svg?token=\(token))](https://codecov.io/gh/o/r)", token, path: "README.md"))
        // An SDP offer's ICE password (openai-python's API reference); a `pwd` elsewhere stays.
        #expect(!keeps("            a=ice-pwd:\(token)", token, path: "api_reference/openapi.yml"))
        #expect(keeps("db_pwd: \(token)", token, path: "deploy/values.yml"))
        // Vault's client_token is a real token.
        #expect(keeps("\"client_token\": \"\(token)\",", token, path: "fixtures/vault.json"))
    }

    @Test func theTailOfAnARNIsNotASecret() {
        let tail = "mygroup/myalias/ALL.SOURCE.ORACLE_12-" + String(value(seed: 4).prefix(6))
        #expect(!keeps("\"SecretsManagerSecretId\": \"arn:aws:secretsmanager:us-east-1:012345678901:secret:\(tail)\"", tail, path: "examples-1.json"))
    }

    @Test func vendoredAndMinifiedCodeIsSkippedUnlessAProviderIsNamed() {
        let token = value(seed: 5)
        #expect(!keeps("api_key = \"\(token)\"", token, path: "vendor/github.com/x/y/conf.go"))
        #expect(!keeps("api_key = \"\(token)\"", token, path: "web/node_modules/pkg/index.js"))
        #expect(!keeps("api_key = \"\(token)\"", token, path: "third_party/lib/settings.py"))
        #expect(!keeps("var token=\"\(token)\";", token, path: "static/app.min.js"))
        let padding = String(repeating: "a=1;b=function(c){return c};", count: 8)
        #expect(!keeps(padding + "var token=\"\(token)\";" + padding, token, path: "static/app.js"))
        // A short line of ordinary JavaScript is not minified.
        #expect(keeps("const token = \"\(token)\";", token, path: "static/app.js"))
        // A provider's name on the line keeps it.
        #expect(keeps("aws_secret_access_key = \"\(token)\"", token, path: "vendor/deploy/conf.py"))
        #expect(GenericContext.isVendored("a/vendor/b.go") && !GenericContext.isVendored("vendor.go") && !GenericContext.isVendored("src/vendors.py"))
    }

    @Test func credentialFilesKeepTheirMatchesEverywhere() {
        let token = value(seed: 6)
        for path in ["node_modules/pkg/.env", "vendor/app/.env.production", "third_party/prod.tfvars", "vendor/x/settings.json", "vendor/api/appsettings.Development.json", "node_modules/f/local.settings.json"] {
            #expect(keeps("DB_PASSWORD=\(token)", token, path: path), "\(path)")
            #expect(GenericContext.isCredentialFile(path), "\(path)")
        }
        #expect(!GenericContext.isCredentialFile("src/environment.py"))
    }

    @Test func namesAreSplitIntoLowercaseWords() {
        #expect(GenericContext.words(of: Array("hashed_secret".utf8)) == ["hashed", "secret"])
        #expect(GenericContext.words(of: Array("PublicKeyToken".utf8)) == ["public", "key", "token"])
        #expect(GenericContext.words(of: Array("x-amz-security-token".utf8)) == ["x", "amz", "security", "token"])
        let line = Array("  \"hashed_secret\": \"abc\"".utf8)
        #expect(GenericContext.name(before: 20, in: line).name == Array("hashed_secret".utf8))
    }

    @Test func readableFakesWithAVendorPrefixAreNotTokens() {
        for fake in ["glpat-" + "hellOworld380_testin", "GR1348941" + "PREfix_helloworld380", "glimt-" + "my-tokens_are-correctAB38",
                     "glagent-" + "Need5_T00-bee-longer-than-50_chars-or-else-failING", "gloas-" + "checking_Length-Is-_exactly_64--checking_Length-Is-_exactly_64--"] {
            #expect(ReadableFake.isReadable(fake), "\(fake)")
        }
        // Random base62 and base64url bodies of real formats are not readable.
        var rng = SeededGenerator(seed: 7)
        let base62 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let base64url = base62 + ["-", "_"]
        var readable = 0
        for _ in 0..<5000 {
            let body = String((0..<20).map { _ in base64url.randomElement(using: &rng)! })
            if ReadableFake.isReadable("glpat-" + body) { readable += 1 }
            let live = String((0..<24).map { _ in base62.randomElement(using: &rng)! })
            if ReadableFake.isReadable("sk_live_" + live) { readable += 1 }
        }
        #expect(readable == 0, "\(readable) of 10000 random tokens judged readable")
    }
}
