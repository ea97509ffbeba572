import Foundation
import Testing
@testable import PatrolRevoke

/// `--timeout` bounds each whole request, and a host that cannot be reached costs one attempt
/// per run, not two timeouts per token.
@Suite struct DeadlineTests {
    private func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = Date()
        try await body()
        return Date().timeIntervalSince(start)
    }

    private func access(_ environment: [String: String], timeout: Double) throws -> ProviderAccess {
        ProviderAccess(endpoints: try ProviderEndpoints.from(environment: environment), timeout: timeout,
                       retry: RetryPolicy(maxRetries: 3, initialBackoff: 0.01, maxWait: 5), userAgent: "patrol-test")
    }

    /// A byte every half second, 400 bytes: a timeout per read would wait over three minutes.
    @Test(arguments: [DripServer.Part.head, .body])
    func aDrippingServerIsCutOffAtTheDeadline(part: DripServer.Part) async throws {
        let drip = try DripServer(dripping: part, interval: 0.5)
        defer { drip.stop() }
        let token = Secrets.gitHub(seed: 1)
        var result: Verification?
        let elapsed = try await seconds {
            result = await Verifier(access: try access(["PATROL_GITHUB_API_URL": drip.baseURL], timeout: 2)).verify([Leaked.gitHub(token)]).values.first
        }
        // In-process times measure the other tests too (they share two cooperative threads):
        // the bound is checked on the command line below.
        _ = elapsed
        #expect(result?.outcome == .failed)
        #expect(result?.message == "GET /user: no answer within 2 s")
    }

    @Test func verifyOnTheCommandLineEndsNearItsTimeoutAgainstADrippingServer() throws {
        let drip = try DripServer(dripping: .body, interval: 0.5)
        defer { drip.stop() }
        let folder = try ScratchFolder()
        let token = Secrets.gitHub(seed: 2)
        try folder.write("repo/app.env", "GITHUB_TOKEN=\(token)\n")
        let scan = try PatrolProcess.run(["scan", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let start = Date()
        let result = try PatrolProcess.run(["verify", "report.json", "--timeout", "2", "--audit-log", "audit.jsonl"], in: folder.url,
                                           environment: ["PATROL_GITHUB_API_URL": drip.baseURL])
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(elapsed < 15, "took \(elapsed) s")
        #expect(result.stderr.contains("GET /user: no answer within 2 s"))
    }

    @Test func aRefusedConnectionFailsAtOnceAndTheHostIsNotTriedAgain() async throws {
        let port = try closedLocalPort()
        let tokens = (1...5).map { Leaked.azureDevOps(Secrets.azureDevOps(seed: 10 + UInt64($0))) }
        var results: [String: Verification] = [:]
        let elapsed = try await seconds {
            results = await Verifier(access: try access(["PATROL_AZURE_DEVOPS_URL": "http://127.0.0.1:\(port)"], timeout: 3)).verify(tokens)
        }
        _ = elapsed
        let messages = tokens.map { results[$0.fingerprint]?.message ?? "" }
        #expect(messages[0] == "connectionData: 127.0.0.1 refused the connection")
        #expect(messages.dropFirst().allSatisfy { $0 == "connectionData: 127.0.0.1 refused the connection (not tried again in this run)" }, "\(messages)")
        #expect(tokens.allSatisfy { results[$0.fingerprint]?.outcome == .failed })
    }

    /// RFC 6761: `.invalid` never resolves.
    @Test func anUnresolvableHostFailsFastForEveryToken() async throws {
        let tokens = (1...5).map { Leaked.gitHub(Secrets.gitHub(seed: 20 + UInt64($0))) }
        var results: [String: Verification] = [:]
        let elapsed = try await seconds {
            results = await Verifier(access: try access(["PATROL_GITHUB_API_URL": "http://patrol-test.invalid"], timeout: 3)).verify(tokens)
        }
        _ = elapsed
        let messages = tokens.map { results[$0.fingerprint]?.message ?? "" }
        #expect(messages[0] == "GET /user: cannot resolve patrol-test.invalid", "\(messages)")
        #expect(messages.dropFirst().allSatisfy { $0.hasSuffix("(not tried again in this run)") }, "\(messages)")
    }

    /// https spoken to a plain-HTTP server: the TLS failure is said without NIOSSL's source paths.
    @Test func aTLSFailureIsSaidCleanlyAndTheHostIsNotTriedAgain() async throws {
        let fake = try FakeProviders()
        let tokens = (1...5).map { Leaked.gitLab(Secrets.gitLab(seed: 30 + UInt64($0))) }
        var results: [String: Verification] = [:]
        let elapsed = try await seconds {
            results = await Verifier(access: try access(["PATROL_GITLAB_URL": "https://127.0.0.1:\(fake.server.port)"], timeout: 3)).verify(tokens)
        }
        _ = elapsed
        let messages = tokens.map { results[$0.fingerprint]?.message ?? "" }
        #expect(messages[0].hasPrefix("GET /api/v4/personal_access_tokens/self: the TLS handshake with 127.0.0.1 failed"), "\(messages[0])")
        for message in messages {
            for path in [".swift", ".c:", ".cc", "checkouts", "Sources/", "/usr/", "/work/", "/home/"] {
                #expect(!message.contains(path), "a build path in: \(message)")
            }
        }
        #expect(messages.dropFirst().allSatisfy { $0.hasSuffix("(not tried again in this run)") }, "\(messages)")
        #expect(fake.requests.isEmpty)
    }

    /// Five tokens of one unreachable host, through the built binary (its own process, so the
    /// time is its own): each case took 27 s or more before (two timeouts per Azure DevOps token).
    @Test(arguments: ["refused", "unresolvable", "tls"])
    func fiveTokensOfAnUnreachableHostFinishFastOnTheCommandLine(failure: String) throws {
        let folder = try ScratchFolder()
        let fake = try FakeProviders()
        var lines = ["FEED=https://pkgs.dev.azure.com/contoso/_packaging/feed/npm/registry/"]
        let environment: [String: String]
        let expected: String
        switch failure {
        case "refused":
            for seed in UInt64(51)...55 { lines.append("PAT_\(seed)=\(Secrets.azureDevOps(seed: seed))") }
            environment = ["PATROL_AZURE_DEVOPS_URL": "http://127.0.0.1:\(try closedLocalPort())"]
            expected = "connectionData: 127.0.0.1 refused the connection"
        case "unresolvable":
            for seed in UInt64(56)...60 { lines.append("GITHUB_TOKEN_\(seed)=\(Secrets.gitHub(seed: seed))") }
            environment = ["PATROL_GITHUB_API_URL": "http://patrol-test.invalid"]
            expected = "GET /user: cannot resolve patrol-test.invalid"
        default:
            for seed in UInt64(61)...65 { lines.append("GITLAB_TOKEN_\(seed)=\(Secrets.gitLab(seed: seed))") }
            environment = ["PATROL_GITLAB_URL": "https://127.0.0.1:\(fake.server.port)"]
            expected = "GET /api/v4/personal_access_tokens/self: the TLS handshake with 127.0.0.1 failed"
        }
        try folder.write("repo/app.env", lines.joined(separator: "\n") + "\n")
        let scan = try PatrolProcess.run(["scan", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let start = Date()
        let result = try PatrolProcess.run(["verify", "report.json", "--timeout", "3", "--audit-log", "audit.jsonl"], in: folder.url, environment: environment)
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(elapsed < 8, "\(failure): five tokens took \(elapsed) s")
        #expect(result.stderr.components(separatedBy: expected).count == 6, "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "(not tried again in this run)").count == 5, "\(result.stderr)")
        #expect(!result.stderr.contains(".swift") && !result.stderr.contains(".cc") && !result.stderr.contains("checkouts"), "\(result.stderr)")
    }
}
