import Foundation
import Testing
@testable import PatrolKit

/// The access map end to end: a scan's report, `patrol verify` writing `access` on the live
/// findings, `--no-access-map`, and `patrol remediate` saying what each token reaches.
@Suite struct AccessCommandLineTests {
    struct Setup {
        let folder: ScratchFolder
        let fake: FakeProviders
        let gitHub: String
        let aws: (id: String, secret: String)

        init(seed: UInt64) throws {
            folder = try ScratchFolder()
            fake = try FakeProviders()
            gitHub = Secrets.gitHub(seed: seed)
            aws = Secrets.aws(seed: seed + 1)
            try folder.write("repo/deploy/app.env", """
                GITHUB_TOKEN=\(gitHub)
                aws_access_key_id = \(aws.id)
                aws_secret_access_key = \(aws.secret)

                """)
            let scan = try PatrolProcess.run(["scan", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
            #expect(scan.status == 1, "scan: \(scan.stderr)")
            fake.makeLive(gitHub, aws.secret)
            let aws = self.aws
            fake.configure {
                $0.gitHubScopes = "repo"
                $0.gitHubOrgs = ["contoso"]
                $0.gitHubRepos = [("contoso/a", true), ("contoso/b", true), ("contoso/readonly", false), ("contoso/c", true), ("contoso/d", true)]
                $0.awsKeys[aws.id] = .init(secret: aws.secret, account: "123456789012", arn: "arn:aws:iam::123456789012:user/deploy", userId: "AIDAUSERID")
            }
        }

        func verify(_ extra: [String]) throws -> PatrolProcess.Result {
            try PatrolProcess.run(["verify", "report.json", "--audit-log", "audit.jsonl"] + extra, in: folder.url, environment: fake.environment)
        }

        func expectNoSecret(in texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            for text in texts {
                #expect(SecretFragments.leak(of: [gitHub, aws.secret], in: text) == nil, "a secret leaked into: \(text)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func verifyWritesTheAccessMapInJSONAndTextAndRemediateSaysItFirst() throws {
        let setup = try Setup(seed: 700)
        let json = try setup.verify(["--format", "json", "-o", "verified.json"])
        #expect(json.status == 1, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(setup.folder.read("verified.json").utf8)) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        let byRule = Dictionary(findings.map { ($0["rule"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let gitHubAccess = try #require(byRule["github-pat"]?["access"] as? [String: Any])
        #expect(gitHubAccess["user"] as? String == "octocat")
        #expect(gitHubAccess["scopes"] as? [String] == ["repo"])
        let lists = try #require(gitHubAccess["lists"] as? [[String: Any]])
        #expect(lists.map { $0["kind"] as? String } == ["orgs", "repositories"])
        #expect(lists.last?["relation"] as? String == "push")
        #expect(lists.last?["count"] as? Int == 4)
        #expect(lists.last?["complete"] as? Bool == true)
        #expect(lists.last?["names"] as? [String] == ["contoso/a", "contoso/b", "contoso/c", "contoso/d"])
        let awsAccess = try #require(byRule["aws-access-key"]?["access"] as? [String: Any])
        #expect(byRule["aws-access-key"]?["verified"] as? Bool == true)
        #expect(awsAccess["account"] as? String == "123456789012")
        #expect(awsAccess["arn"] as? String == "arn:aws:iam::123456789012:user/deploy")
        #expect(json.stderr.contains("patrol:   can push to 4 repositories of contoso: a, b, c, d"), "\(json.stderr)")

        let text = try setup.verify([])
        #expect(text.status == 1)
        #expect(text.stdout.contains("      access: can push to 4 repositories of contoso: a, b, c, d\n"), "\(text.stdout)")
        #expect(text.stdout.contains("      access: account 123456789012, arn:aws:iam::123456789012:user/deploy, user id AIDAUSERID\n"))

        for format in ["sarif", "csv", "markdown", "jsonl", "junit"] {
            let other = try setup.verify(["--format", format])
            #expect(other.status == 1, "\(format): \(other.stderr)")
            #expect(other.stdout.contains("contoso/a") || other.stdout.contains("of contoso: a, b, c, d"), "\(format): \(other.stdout)")
            #expect(other.stdout.contains("arn:aws:iam::123456789012:user/deploy"), "\(format)")
            setup.expectNoSecret(in: [other.stdout, other.stderr])
        }

        let plan = try PatrolProcess.run(["remediate", "verified.json", "--no-replace-file"], in: setup.folder.url)
        #expect(plan.status == 0 || plan.status == 1, "\(plan.stderr)")
        let markdown = plan.stdout
        let gitHubSection = try #require(markdown.range(of: "`ghp_").map { String(markdown[$0.lowerBound...]) })
        let access = try #require(gitHubSection.range(of: "### Access\n\nThis token can push to 4 repositories of contoso: a, b, c, d; it is a member of 1 organisation: contoso.\n"), "\(markdown)")
        let steps = try #require(gitHubSection.range(of: "### Steps"))
        #expect(access.lowerBound < steps.lowerBound)
        #expect(markdown.contains("- account 123456789012, arn:aws:iam::123456789012:user/deploy, user id AIDAUSERID"), "\(markdown)")
        let planJSON = try PatrolProcess.run(["remediate", "verified.json", "--no-replace-file", "--format", "json"], in: setup.folder.url)
        let secrets = (planJSON.json?["secrets"] as? [[String: Any]]) ?? []
        #expect(secrets.contains { ($0["access"] as? [String: Any])?["arn"] as? String == "arn:aws:iam::123456789012:user/deploy" }, "\(planJSON.stdout)")
        setup.expectNoSecret(in: [json.stderr, text.stdout, text.stderr, setup.folder.read("verified.json"), markdown, planJSON.stdout, setup.folder.read("audit.jsonl")])
    }

    @Test func noAccessMapMakesOnlyTheVerifyingCalls() throws {
        let setup = try Setup(seed: 710)
        let result = try setup.verify(["--format", "json", "--no-access-map"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(setup.fake.requests.map(\.line).sorted() == ["GET /github/user", "POST /aws/"])
        let findings = try #require(result.json?["findings"] as? [[String: Any]])
        #expect(findings.allSatisfy { $0["access"] == nil })
        #expect(findings.filter { $0["verified"] as? Bool == true }.count == 2)
    }
}
