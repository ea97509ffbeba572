import Foundation
import Testing
@testable import PatrolKit
@testable import PatrolRevoke

extension Secrets {
    /// A synthetic AWS pair: `AKIA` + 16 capitals, and a 40-character secret access key.
    static func aws(seed: UInt64) -> (id: String, secret: String) {
        ("AKIA" + example("{{upper:16}}", rule: "aws-access-key", seed: seed), example("{{base64:40}}", rule: "aws-access-key", seed: seed + 1000))
    }
}

extension Leaked {
    static func aws(_ pair: (id: String, secret: String)) -> LeakedToken {
        token(pair.secret, rule: "aws-access-key", provider: "aws", context: ["access_key_id": pair.id])
    }
}

/// The access map of live tokens (`verify`), against the providers' contracts on the local
/// server, and AWS STS with Signature Version 4.
@Suite struct AccessMapTests {
    // MARK: - SigV4

    /// AWS's published Signature Version 4 test suite, `get-vanilla` and `post-vanilla`
    /// (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service `service`).
    @Test func sigV4MatchesAWSsPublishedTestVectors() {
        // AWS's documentation example secret, split so no scanner reads it as one.
        let signer = SigV4(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+" + "bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service")
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        #expect(SigV4.timestamp(date) == "20150830T123600Z")
        let get = signer.sign(method: "GET", path: "/", query: "", headers: [("Host", "example.amazonaws.com")], body: [], date: date)
        #expect(get.map(\.value) == ["20150830T123600Z", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"])
        let post = signer.sign(method: "POST", path: "/", query: "", headers: [("Host", "example.amazonaws.com")], body: [], date: date)
        #expect(post.last?.value == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    // MARK: - AWS

    @Test func awsPairIsLiveOnGetCallerIdentityAndMapsAccountAndArn() async throws {
        let fake = try FakeProviders()
        let pair = Secrets.aws(seed: 1)
        fake.makeLive(pair.secret)
        fake.configure { $0.awsKeys[pair.id] = .init(secret: pair.secret, account: "123456789012", arn: "arn:aws:iam::123456789012:user/deploy", userId: "AIDAEXAMPLEUSERID0001") }
        let check = try #require(await Verifier(access: try fake.access()).verify([Leaked.aws(pair)], mapAccess: true).values.first)
        #expect(check.outcome == .live, "\(check.message ?? "")")
        #expect(check.owner == "arn:aws:iam::123456789012:user/deploy")
        #expect(check.access == TokenAccess(user: "AIDAEXAMPLEUSERID0001", account: "123456789012", arn: "arn:aws:iam::123456789012:user/deploy"))
        #expect(check.access?.lines() == ["account 123456789012, arn:aws:iam::123456789012:user/deploy, user id AIDAEXAMPLEUSERID0001"])
        let request = try #require(fake.requests.first)
        #expect(fake.requests.map(\.line) == ["POST /aws/"])
        #expect(request.bodyText == "Action=GetCallerIdentity&Version=2011-06-15")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=\(pair.id)/") == true)
        #expect(request.header("Authorization")?.contains("/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=") == true)
        #expect(!request.headers.contains { $0.value.contains(pair.secret) })
    }

    @Test func awsWrongSecretIsRefusedWithSignatureDoesNotMatchAndUnknownKeyWithInvalidClientTokenId() async throws {
        let fake = try FakeProviders()
        let pair = Secrets.aws(seed: 2), stranger = Secrets.aws(seed: 3), other = Secrets.aws(seed: 5)
        fake.makeLive(pair.secret)
        fake.configure { $0.awsKeys[pair.id] = .init(secret: pair.secret, account: "123456789012", arn: "arn:aws:iam::123456789012:user/deploy", userId: "AIDA1") }
        let wrongSecret = Leaked.aws((pair.id, other.secret))
        let results = await Verifier(access: try fake.access()).verify([wrongSecret, Leaked.aws(stranger)], mapAccess: true)
        #expect(results[wrongSecret.fingerprint]?.outcome == .notLive)
        #expect(results[wrongSecret.fingerprint]?.status == 403)
        #expect(results[wrongSecret.fingerprint]?.message == "SignatureDoesNotMatch")
        #expect(results[Leaked.aws(stranger).fingerprint]?.message == "InvalidClientTokenId")
        #expect(results.values.allSatisfy { $0.access == nil })
    }

    @Test func awsTemporaryKeysAndPairsWithoutAKeyIdAreNotSent() async throws {
        let fake = try FakeProviders()
        let pair = Secrets.aws(seed: 4)
        let temporary = Leaked.aws(("ASIA" + pair.id.dropFirst(4), pair.secret))
        // Another secret: two tokens with one secret would share a fingerprint.
        var noId = Leaked.aws(Secrets.aws(seed: 6))
        noId.context = [:]
        let results = await Verifier(access: try fake.access()).verify([temporary, noId])
        #expect(results[temporary.fingerprint]?.outcome == .notSupported)
        #expect(results[noId.fingerprint]?.outcome == .failed)
        #expect(results[noId.fingerprint]?.message?.contains("context.access_key_id") == true)
        #expect(fake.requests.isEmpty)
    }

    // MARK: - GitHub

    @Test func gitHubMapsScopesOrgsAndPushableRepositoriesAcrossPages() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 50)
        fake.makeLive(secret)
        fake.configure {
            $0.gitHubScopes = "repo, workflow"
            $0.gitHubOrgs = ["contoso", "fabrikam", "northwind"]
            $0.gitHubRepos = [("contoso/api", true), ("contoso/web", true), ("contoso/wiki", false), ("contoso/docs", true), ("contoso/infra", true)]
        }
        let check = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(secret)], mapAccess: true).values.first)
        #expect(check.outcome == .live)
        let access = try #require(check.access)
        #expect(access.user == "octocat")
        #expect(access.scopes == ["repo", "workflow"])
        #expect(access.lists == [
            AccessList(kind: "orgs", relation: .member, names: ["contoso", "fabrikam", "northwind"], complete: true),
            AccessList(kind: "repositories", relation: .push, names: ["contoso/api", "contoso/web", "contoso/docs", "contoso/infra"], complete: true),
        ])
        #expect(access.unlisted.isEmpty)
        #expect(access.lines(names: 3) == [
            "acts as octocat", "scopes: repo, workflow",
            "is a member of 3 organisations: contoso, fabrikam, northwind",
            "can push to 4 repositories of contoso: api, web, docs, … (1 more)",
        ])
        #expect(fake.requests.map(\.line) == [
            "GET /github/user",
            "GET /github/user/orgs?per_page=100", "GET /github/user/orgs?per_page=100&page=2",
            "GET /github/user/repos?per_page=100", "GET /github/user/repos?per_page=100&page=2", "GET /github/user/repos?per_page=100&page=3",
        ])
        #expect(fake.requests.allSatisfy { $0.header("Authorization") == "Bearer " + secret && $0.method == "GET" })
    }

    @Test func gitHubListingStopsAfterThreePagesAndSaysAtLeast() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 51)
        fake.makeLive(secret)
        fake.configure { $0.gitHubRepos = (1...9).map { ("contoso/r\($0)", true) } }
        let access = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(secret)], mapAccess: true).values.first?.access)
        let repositories = try #require(access.lists.first { $0.kind == "repositories" })
        #expect(repositories.names == (1...6).map { "contoso/r\($0)" })
        #expect(!repositories.complete)
        #expect(repositories.sentence(account: nil, names: 2) == "can push to at least 6 repositories of contoso: r1, r2, … (4 more)")
        #expect(fake.requests.filter { $0.path == "/github/user/repos" }.count == AccessPager.maxPages)
    }

    @Test func aFailingListingLeavesAHoleInTheMapAndTheTokenLive() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 52)
        fake.makeLive(secret)
        fake.configure { $0.gitHubOrgs = ["contoso"]; $0.gitHubRepos = [("contoso/api", true)] }
        fake.fail("GET", "/github/user/repos", with: .json(500, ["message": "Server Error"]), times: 4)
        let check = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitHub(secret)], mapAccess: true).values.first)
        #expect(check.outcome == .live)
        let access = try #require(check.access)
        #expect(access.lists.map(\.kind) == ["orgs"])
        #expect(access.unlisted == [TokenAccess.Unlisted(kind: "repositories", reason: "HTTP 500: Server Error")])
        #expect(access.lines().last == "could not list repositories: HTTP 500: Server Error")
    }

    @Test func withoutTheAccessMapOnlyTheVerifyingCallIsMade() async throws {
        let fake = try FakeProviders()
        let gh = Secrets.gitHub(seed: 53), gl = Secrets.gitLab(seed: 54)
        fake.makeLive(gh, gl)
        let results = await Verifier(access: try fake.access()).verify([Leaked.gitHub(gh), Leaked.gitLab(gl)], mapAccess: false)
        #expect(results.values.allSatisfy { $0.outcome == .live && $0.access == nil })
        #expect(fake.requests.map(\.path).sorted() == ["/github/user", "/gitlab/api/v4/personal_access_tokens/self"])
    }

    // MARK: - GitLab, Azure DevOps, Slack

    @Test func gitLabMapsScopesExpiryUserAndProjectsFollowingXNextPage() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitLab(seed: 55)
        fake.makeLive(secret)
        fake.configure { $0.gitLabProjects = ["group/app", "group/lib", "group/sub/tool"] }
        let access = try #require(await Verifier(access: try fake.access()).verify([Leaked.gitLab(secret)], mapAccess: true).values.first?.access)
        #expect(access == TokenAccess(user: "deploy-bot", scopes: ["api"], expiresAt: "2027-01-31",
                                      lists: [AccessList(kind: "projects", relation: .push, names: ["group/app", "group/lib", "group/sub/tool"], complete: true)]))
        #expect(fake.requests.map(\.line) == [
            "GET /gitlab/api/v4/personal_access_tokens/self", "GET /gitlab/api/v4/user",
            "GET /gitlab/api/v4/projects?min_access_level=30&per_page=100", "GET /gitlab/api/v4/projects?min_access_level=30&per_page=100&page=2",
        ])
        #expect(fake.requests.allSatisfy { $0.header("PRIVATE-TOKEN") == secret })
    }

    @Test func azureDevOpsMapsOwnerOrganisationProjectsRepositoriesAndScopesWithTheOwnersEntraToken() async throws {
        let fake = try FakeProviders()
        let pat = Secrets.azureDevOps(seed: 56)
        fake.addJanesTokens(leaked: pat)
        fake.configure {
            $0.azureProjects = ["Web", "Data", "Ops"]
            $0.azureRepositories = [("Web", "web"), ("Web", "api"), ("Data", "etl")]
        }
        let access = try fake.access(settings: RevokeSettings(entraToken: "entra-jane"))
        let map = try #require(await Verifier(access: access).verify([Leaked.azureDevOps(pat)], mapAccess: true).values.first?.access)
        #expect(map.user == "Jane Doe")
        #expect(map.account == "contoso")
        #expect(map.lists == [
            AccessList(kind: "projects", relation: .list, names: ["Web", "Data", "Ops"], complete: true),
            AccessList(kind: "repositories", relation: .list, names: ["Web/web", "Web/api", "Data/etl"], complete: true),
        ])
        #expect(map.scopes == ["vso.code", "vso.packaging"])
        #expect(map.expiresAt == "2027-03-10T12:30:00.1234567Z")
        #expect(map.lines()[0] == "acts as Jane Doe in contoso")
        #expect(map.lines()[3] == "can list 3 projects of contoso: Web, Data, Ops")
        let paths = fake.requests.map(\.line)
        #expect(paths.contains("GET /ado/contoso/_apis/projects?api-version=7.1&$top=100"))
        #expect(paths.contains("GET /ado/contoso/_apis/projects?api-version=7.1&$top=100&continuationToken=2"))
        #expect(paths.contains("GET /ado/contoso/_apis/git/repositories?api-version=7.1"))
        #expect(fake.revokingRequests.isEmpty)
    }

    @Test func slackMapsTeamUserAndScopesFromAuthTest() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.slack(seed: 57)
        fake.makeLive(secret)
        fake.configure { $0.slackScopes = "chat:write,channels:read" }
        let access = try #require(await Verifier(access: try fake.access()).verify([Leaked.slack(secret)], mapAccess: true).values.first?.access)
        #expect(access == TokenAccess(user: "deploybot", account: "Contoso", scopes: ["chat:write", "channels:read"]))
        #expect(fake.requests.count == 1)
    }

    // MARK: - Redaction (issue 17)

    /// Every listing's failing body, and every listed name, echoing the token in each of its
    /// spellings: nothing of it reaches the map.
    @Test(arguments: Echo.allCases) func accessMapNeverHoldsTheToken(echo: Echo) async throws {
        let fake = try FakeProviders()
        let gh = Secrets.gitHub(seed: 60), gl = Secrets.gitLab(seed: 61), pat = Secrets.azureDevOps(seed: 62)
        let pair = Secrets.aws(seed: 63), wrong = Secrets.aws(seed: 64)
        fake.makeLive(gh, gl, pair.secret)
        fake.addJanesTokens(leaked: pat)
        fake.configure {
            $0.gitHubOrgs = ["org-" + gh]
            $0.gitLabUsername = "user-" + gl
            $0.azureProjects = ["Web"]
            $0.awsKeys[pair.id] = .init(secret: pair.secret, account: "123456789012", arn: "arn:aws:iam::123456789012:user/" + pair.secret, userId: "AIDA1")
        }
        for (path, secret) in [("/github/user/repos", gh), ("/gitlab/api/v4/projects", gl), ("/ado/contoso/_apis/git/repositories", pat)] {
            fake.fail("GET", path, with: .text(500, echo.body(secret), contentType: echo.contentType), times: 8)
        }
        // A 403 that echoes the secret the request was signed with.
        fake.fail("POST", "/aws/", with: .text(403, echo.body(wrong.secret), contentType: echo.contentType), times: 1)
        let awsWrong = Leaked.aws((pair.id, wrong.secret))
        let tokens = [Leaked.gitHub(gh), Leaked.gitLab(gl), Leaked.azureDevOps(pat), awsWrong, Leaked.aws(pair)]
        let results = await Verifier(access: try fake.access(timeout: 2)).verify(tokens, mapAccess: true)
        let secrets = [gh, gl, pat, pair.secret, wrong.secret]
        for token in tokens {
            let result = try #require(results[token.fingerprint])
            let text = ([result.message, result.owner].compactMap { $0 } + (result.access?.lines() ?? [])).joined(separator: "\n")
            #expect(SecretFragments.leak(of: secrets, in: text) == nil, "\(token.rule): \(text)")
        }
        for token in tokens.prefix(3) {
            #expect(results[token.fingerprint]?.outcome == .live)
            #expect(results[token.fingerprint]?.access?.unlisted.count == 1, "\(token.rule)")
        }
    }
}
