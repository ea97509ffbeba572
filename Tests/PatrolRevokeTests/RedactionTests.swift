import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

/// How a provider's error body may carry a token back.
enum Echo: String, CaseIterable, Sendable {
    case clear, base64, basic, basicOfAnotherUser, urlEncoded, jsonMessage, cutShort

    /// A body that repeats `secret` after some 150 characters of text, so that a message cut
    /// to 200 characters before being redacted would keep most of it.
    func body(_ secret: String) -> String {
        let filler = "upstream failure while checking the credential of request 7f3a; " + String(repeating: "the gateway says: ", count: 5)
        let basic = Data((":" + secret).utf8).base64EncodedString()
        switch self {
        case .clear: return filler + "token=" + secret + " was rejected"
        case .base64: return filler + "token (base64) " + Data(secret.utf8).base64EncodedString() + " was rejected"
        case .basic: return filler + "Authorization: Basic " + basic
        case .basicOfAnotherUser: return filler + "seen " + Data(("jane@contoso.com:" + secret).utf8).base64EncodedString()
        case .urlEncoded: return filler + "see https://example.invalid/help?auth=Basic%20" + basic.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "&t=" + secret
        case .jsonMessage: return #"{"message": ""# + filler + "token " + secret + #""}"#
        case .cutShort: return filler + "token " + String(secret.prefix(secret.count - 4)) + "…"
        }
    }

    var contentType: String { self == .jsonMessage ? "application/json" : "text/plain" }
}

enum SecretFragments {
    /// Every 12-character run of the secret and of its base64 forms (at all three alignments,
    /// without their ends, which depend on what came before and after): none may show.
    static func of(_ secret: String) -> Set<String> {
        var sources = [secret]
        for prefix in ["", ":", "::"] {
            let encoded = Array(Data((prefix + secret).utf8).base64EncodedString())
            sources.append(String(encoded.dropFirst(4).dropLast(4)))
        }
        var fragments: Set<String> = []
        for source in sources.map(Array.init) where source.count >= 12 {
            for start in 0...(source.count - 12) { fragments.insert(String(source[start..<(start + 12)])) }
        }
        return fragments
    }

    /// The first fragment of a secret found in `text`, if any.
    static func leak(of secrets: [String], in text: String) -> String? {
        for secret in secrets {
            if let found = of(secret).first(where: text.contains) { return found }
        }
        return nil
    }
}

/// A provider that echoes the token in an error body, in every spelling, for every client, on
/// verify and on revoke: the token never reaches a message, whole or in part.
@Suite struct RedactionTests {
    enum Provider: String, CaseIterable, Sendable { case azureDevOps, gitHub, gitLab, slack }

    struct Case: Sendable {
        let secret: String
        let token: LeakedToken
        /// The read-only checks' routes, each made to fail with the echo.
        let checks: [(String, String)]
        /// The revoking call's route.
        let revoking: (String, String)
    }

    static func setUp(_ provider: Provider, _ fake: FakeProviders, seed: UInt64) -> Case {
        switch provider {
        case .azureDevOps:
            let pat = Secrets.azureDevOps(seed: seed)
            fake.addJanesTokens(leaked: pat)
            return Case(secret: pat, token: Leaked.azureDevOps(pat), checks: [("GET", "/ado/contoso/_apis/connectionData"), ("GET", "/ado/contoso/_apis/projects")],
                        revoking: ("DELETE", "/vssps/contoso/_apis/tokens/pats"))
        case .gitHub:
            let token = Secrets.gitHub(seed: seed)
            fake.makeLive(token)
            return Case(secret: token, token: Leaked.gitHub(token), checks: [("GET", "/github/user")], revoking: ("POST", "/github/credentials/revoke"))
        case .gitLab:
            let token = Secrets.gitLab(seed: seed)
            fake.makeLive(token)
            return Case(secret: token, token: Leaked.gitLab(token), checks: [("GET", "/gitlab/api/v4/personal_access_tokens/self")],
                        revoking: ("DELETE", "/gitlab/api/v4/personal_access_tokens/self"))
        case .slack:
            let token = Secrets.slack(seed: seed)
            fake.makeLive(token)
            return Case(secret: token, token: Leaked.slack(token), checks: [("POST", "/slack/api/auth.test")], revoking: ("POST", "/slack/api/auth.revoke"))
        }
    }

    @Test(arguments: Provider.allCases)
    func anEchoedTokenInAnErrorOfVerifyLeavesNoPartOfIt(provider: Provider) async throws {
        for (index, echo) in Echo.allCases.enumerated() {
            let fake = try FakeProviders()
            let setup = Self.setUp(provider, fake, seed: 40 + UInt64(index))
            for (method, path) in setup.checks {
                fake.fail(method, path, with: .text(500, echo.body(setup.secret), contentType: echo.contentType), times: 20)
            }
            let result = try #require(await Verifier(access: try fake.access()).verify([setup.token]).values.first)
            #expect(result.outcome == .failed, "\(provider) \(echo)")
            let message = result.message ?? ""
            #expect(message.contains("HTTP 500"), "\(provider) \(echo): \(message)")
            #expect(SecretFragments.leak(of: [setup.secret], in: message) == nil, "\(provider) \(echo) leaked into: \(message)")
        }
    }

    @Test(arguments: Provider.allCases)
    func anEchoedTokenInAnErrorOfRevokeLeavesNoPartOfIt(provider: Provider) async throws {
        for (index, echo) in Echo.allCases.enumerated() {
            let fake = try FakeProviders()
            let setup = Self.setUp(provider, fake, seed: 60 + UInt64(index))
            fake.fail(setup.revoking.0, setup.revoking.1, with: .text(403, echo.body(setup.secret), contentType: echo.contentType), times: 20)
            let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
            let result = try #require(await Revoker(access: access).revoke([setup.token], mode: .revoke).first)
            #expect(result.outcome == .failed, "\(provider) \(echo): \(result.outcome) \(result.message ?? "")")
            let text = [result.message, result.owner].compactMap { $0 }.joined(separator: "\n")
            #expect(text.contains("HTTP 403"), "\(provider) \(echo): \(text)")
            #expect(SecretFragments.leak(of: [setup.secret], in: text) == nil, "\(provider) \(echo) leaked into: \(text)")
        }
    }

    @Test func anOwnerNameThatEchoesTheTokenIsRedacted() async throws {
        let fake = try FakeProviders()
        let token = Secrets.gitHub(seed: 90)
        fake.fail("GET", "/github/user", with: .json(200, ["login": "owner-of-" + token, "id": 1]))
        let result = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(token)]).values.first)
        #expect(result.outcome == .live)
        #expect(result.owner == "owner-of-" + Redaction.redact(token))
    }

    @Test func theRedactorKeepsOrdinaryWordsAndRemovesEveryCredentialValue() {
        let secret = Secrets.azureDevOps(seed: 91)
        let redactor = Redactor(secrets: [secret])
        #expect(redactor.clean("Basic authentication failed for Bearer realm") == "Basic authentication failed for Bearer realm")
        let bearer = String(repeating: "Zm9v", count: 3) + "." + String(repeating: "YmFy", count: 3) + "-9"
        #expect(redactor.clean("Authorization: Bearer " + bearer + " (expired)") == "Authorization: Bearer … (expired)")
        #expect(redactor.clean("Basic " + Data("someone:hunter2".utf8).base64EncodedString()) == "Basic …")
        #expect(redactor.clean("token " + secret + ".") == "token " + Redaction.redact(secret) + ".")
        #expect(redactor.clean(String(secret.dropFirst(10))) == "…")
        // Cut after redacting: at most the redacted form is shortened.
        let long = String(repeating: "a", count: 195) + secret
        #expect(redactor.clean(long, limit: 200) == String(repeating: "a", count: 195) + String(Redaction.redact(secret).prefix(5)) + "…")
    }
}

/// The same end to end: the built binary's standard output and error, the report it writes and
/// the audit log hold no part of any token, whatever the providers echo.
@Suite struct RedactionCommandLineTests {
    @Test func verifyAndRevokeWriteNoPartOfAnEchoedTokenAnywhere() throws {
        let folder = try ScratchFolder()
        let fake = try FakeProviders()
        let ado = Secrets.azureDevOps(seed: 700), gitHub = Secrets.gitHub(seed: 701), gitLab = Secrets.gitLab(seed: 702), slack = Secrets.slack(seed: 703)
        let secrets = [ado, gitHub, gitLab, slack]
        fake.addJanesTokens(leaked: ado)
        fake.makeLive(gitHub, gitLab, slack)
        try folder.write("repo/app.env", """
            FEED=https://pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/
            AZURE_DEVOPS_PAT=\(ado)
            GITHUB_TOKEN=\(gitHub)
            GITLAB_TOKEN=\(gitLab)
            SLACK_BOT_TOKEN=\(slack)

            """)
        let scan = try PatrolProcess.run(["scan", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")

        let checks: [(String, String, String, Echo)] = [
            ("GET", "/ado/contoso/_apis/connectionData", ado, .basic), ("GET", "/ado/contoso/_apis/projects", ado, .cutShort),
            ("GET", "/github/user", gitHub, .clear), ("GET", "/gitlab/api/v4/personal_access_tokens/self", gitLab, .urlEncoded),
            ("POST", "/slack/api/auth.test", slack, .jsonMessage),
        ]
        for (method, path, secret, echo) in checks {
            fake.fail(method, path, with: .text(500, echo.body(secret), contentType: echo.contentType), times: 8)
        }
        let verifyToFile = try PatrolProcess.run(["verify", "report.json", "--format", "json", "-o", "verified.json", "--audit-log", "audit.jsonl", "--backoff", "0"], in: folder.url, environment: fake.environment)
        #expect(verifyToFile.status == 2, "\(verifyToFile.stderr)")
        #expect(verifyToFile.stderr.contains("HTTP 500"))
        fake.clearFaults()
        for (method, path, secret, echo) in checks {
            fake.fail(method, path, with: .text(500, echo.body(secret), contentType: echo.contentType), times: 8)
        }
        let verifyText = try PatrolProcess.run(["verify", "report.json", "--audit-log", "audit.jsonl", "--backoff", "0", "--verbose"], in: folder.url, environment: fake.environment)
        #expect(verifyText.status == 2, "\(verifyText.stderr)")

        fake.clearFaults()
        let revoking: [(String, String, String, Echo)] = [
            ("DELETE", "/vssps/contoso/_apis/tokens/pats", ado, .basicOfAnotherUser), ("POST", "/github/credentials/revoke", gitHub, .base64),
            ("DELETE", "/gitlab/api/v4/personal_access_tokens/self", gitLab, .clear), ("POST", "/slack/api/auth.revoke", slack, .cutShort),
        ]
        for (method, path, secret, echo) in revoking {
            fake.fail(method, path, with: .text(403, echo.body(secret), contentType: echo.contentType), times: 8)
        }
        var environment = fake.environment
        environment["AZURE_DEVOPS_ENTRA_TOKEN"] = "entra-jane"
        let revokeToFile = try PatrolProcess.run(["revoke", "report.json", "--yes", "--format", "json", "-o", "revoked.json", "--audit-log", "audit.jsonl"], in: folder.url, environment: environment)
        #expect(revokeToFile.status == 1, "\(revokeToFile.stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(folder.read("revoked.json").utf8)) as? [String: Any])
        let messages = (results["results"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.count == 4 && messages.allSatisfy { $0.contains("HTTP 403") }, "\(messages)")
        fake.clearFaults()
        for (method, path, secret, echo) in revoking {
            fake.fail(method, path, with: .text(403, echo.body(secret), contentType: echo.contentType), times: 8)
        }
        let revokeText = try PatrolProcess.run(["revoke", "report.json", "--yes", "--audit-log", "audit.jsonl"], in: folder.url, environment: environment)
        #expect(revokeText.status == 1, "\(revokeText.stderr)")

        let outputs = [
            "verify stdout": verifyText.stdout, "verify stderr": verifyToFile.stderr + verifyText.stderr, "verified report": folder.read("verified.json"),
            "revoke stdout": revokeText.stdout, "revoke stderr": revokeToFile.stderr + revokeText.stderr, "revoke results": folder.read("revoked.json"),
            "audit log": folder.read("audit.jsonl"),
        ]
        for (name, text) in outputs {
            #expect(!text.isEmpty || name == "verify stdout", "\(name) is empty")
            #expect(SecretFragments.leak(of: secrets, in: text) == nil, "a part of a token in the \(name): \(text)")
        }
    }
}
