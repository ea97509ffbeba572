import Foundation
import Testing
@testable import PatrolKit

/// Provider rules in the situations their one-line examples cannot show: private keys spanning
/// many lines, AWS key pairs in either order and several to a file, unproven GitLab tokens.
/// Token-shaped text is generated here at run time; nothing valid is committed.
@Suite struct ProviderRuleTests {
    static let ruleSet = try! RuleLoader.load()

    private func occurrences(_ ruleID: String, in text: String) throws -> [Occurrence] {
        let index = try #require(Self.ruleSet.index(ofRule: ruleID), "no rule \(ruleID)")
        return RuleExamples.occurrences(ofRule: index, in: text, ruleSet: Self.ruleSet)
    }

    private func random(_ alphabet: String, _ count: Int, _ rng: inout SeededGenerator) -> String {
        RandomText.string(from: Array(alphabet.utf8), count: count, using: &rng)
    }

    private static let base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// A PEM-shaped block: random base64 body lines of 64 characters.
    private func pemBlock(_ label: String, lines: Int = 6, separator: String = "\n", indent: String = "", _ rng: inout SeededGenerator) -> String {
        var body = (0..<lines).map { _ in indent + random(Self.base64, 64, &rng) }
        body.append(indent + random(Self.base64, 22, &rng) + "==")
        return "-----BEGIN \(label)-----" + separator + body.joined(separator: separator) + separator + indent + "-----END \(label)-----"
    }

    // MARK: - Private keys

    @Test(arguments: ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"])
    func aMultiLinePemBlockIsOneFindingWhoseSecretIsTheWholeBlock(label: String) throws {
        var rng = SeededGenerator(seed: 11)
        let block = pemBlock(label, &rng)
        let text = "# deploy key\nkey_file: |\n" + block + "\nafter: true\n"
        let found = try occurrences("private-key", in: text)
        #expect(found.count == 1, "\(found.map(\.secret))")
        let finding = try #require(found.first)
        #expect(finding.secret == block)
        #expect((finding.line, finding.column) == (3, 1))
        #expect(finding.endLine == 3 + 7 + 1, "BEGIN, seven body lines, END")
        #expect(finding.endColumn == "-----END \(label)-----".utf8.count)
    }

    @Test func pemBlocksWithCrlfIndentationEscapesAndHeadersAreFound() throws {
        var rng = SeededGenerator(seed: 12)
        let crlf = pemBlock("RSA PRIVATE KEY", separator: "\r\n", &rng)
        let indented = pemBlock("PRIVATE KEY", indent: "    ", &rng)
        let escaped = pemBlock("PRIVATE KEY", separator: "\\n", &rng)
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
            + random("0123456789ABCDEF", 32, &rng) + "\n\n" + random(Self.base64, 64, &rng) + "\n" + random(Self.base64, 64, &rng)
            + "\n-----END RSA PRIVATE KEY-----"
        for (text, secret) in [
            ("a\r\n" + crlf + "\r\n", crlf),
            ("tls:\n  key: |\n    " + indented + "\n", indented),
            // In a JSON string the block is decoded: the secret is the key itself, with newlines.
            ("{\"private_key\": \"" + escaped + "\\n\", \"client_email\": \"ci@example.iam.gserviceaccount.com\"}", escaped.replacingOccurrences(of: "\\n", with: "\n")),
            // Outside a string the escapes are only text: the block is reported as it is written.
            ("KEY=" + escaped + "\n", escaped),
            (encrypted, encrypted),
        ] {
            let found = try occurrences("private-key", in: text)
            #expect(found.map(\.secret) == [secret], "\(text.prefix(60))…")
        }
    }

    @Test func twoBlocksAreTwoFindingsAndABlockWithoutItsEndIsNone() throws {
        var rng = SeededGenerator(seed: 13)
        let first = pemBlock("RSA PRIVATE KEY", &rng)
        let second = pemBlock("EC PRIVATE KEY", &rng)
        #expect(try occurrences("private-key", in: first + "\n\n" + second + "\n").map(\.secret) == [first, second])
        let cut = String(first.prefix(first.utf8.count - 30))
        #expect(try occurrences("private-key", in: cut + "\n" + "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").isEmpty)
        // A public key or certificate block is not a private key.
        #expect(try occurrences("private-key", in: pemBlock("PUBLIC KEY", &rng)).isEmpty)
        #expect(try occurrences("private-key", in: pemBlock("CERTIFICATE", &rng)).isEmpty)
    }

    @Test func openSSHAndPgpKeysSpanningLinesAreOneFindingEach() throws {
        var rng = SeededGenerator(seed: 14)
        let body = ["b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"]
            + (0..<5).map { _ in random(Self.base64, 70, &rng) }
        let openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body.joined(separator: "\n") + "\n-----END OPENSSH PRIVATE KEY-----"
        #expect(try occurrences("openssh-private-key", in: "id_ed25519:\n" + openssh + "\n").map(\.secret) == [openssh])
        #expect(try occurrences("private-key", in: openssh).isEmpty, "OpenSSH keys have their own rule")

        let pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: release key\n\n"
            + (0..<6).map { _ in random(Self.base64, 64, &rng) }.joined(separator: "\n")
            + "\n=" + random(Self.base64, 4, &rng) + "\n-----END PGP PRIVATE KEY BLOCK-----"
        #expect(try occurrences("pgp-private-key", in: pgp + "\n").map(\.secret) == [pgp])
    }

    // MARK: - AWS

    private func awsPair(_ rng: inout SeededGenerator, prefix: String = "AKIA") -> (id: String, secret: String) {
        var secret = random(Self.base64, 38, &rng)
        secret += "aZ"  // both cases, whatever the random part holds
        return (prefix + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, &rng), secret)
    }

    @Test func anAwsKeyIdAndSecretAreOneFindingWhoseSecretIsTheSecretKey() throws {
        var rng = SeededGenerator(seed: 21)
        let pair = awsPair(&rng)
        let text = "[default]\naws_access_key_id = \(pair.id)\naws_secret_access_key = \(pair.secret)\n"
        let found = try occurrences("aws-access-key", in: text)
        #expect(found.map(\.secret) == [pair.secret])
        #expect(found.first?.line == 3 && found.first?.column == 25)
        #expect(found.first?.context["access_key_id"] == pair.id)
    }

    @Test func everyPairOfAMultiProfileFileIsFoundInEitherOrder() throws {
        var rng = SeededGenerator(seed: 22)
        let pairs = (0..<3).map { _ in awsPair(&rng) }
        let idFirst = pairs.enumerated().map { "[profile-\($0.offset)]\naws_access_key_id = \($0.element.id)\naws_secret_access_key = \($0.element.secret)\n" }.joined()
        #expect(Set(try occurrences("aws-access-key", in: idFirst).map(\.secret)) == Set(pairs.map(\.secret)))
        let secretFirst = pairs.map { "AWS_SECRET_ACCESS_KEY=\($0.secret)\nAWS_ACCESS_KEY_ID=\($0.id)\n" }.joined()
        #expect(Set(try occurrences("aws-access-key", in: secretFirst).map(\.secret)) == Set(pairs.map(\.secret)))
    }

    @Test func aSecretWithoutAnIdOrTooFarFromItIsNotAFinding() throws {
        var rng = SeededGenerator(seed: 23)
        let pair = awsPair(&rng)
        #expect(try occurrences("aws-access-key", in: "aws_secret_access_key = \(pair.secret)\n").isEmpty)
        #expect(try occurrences("aws-access-key", in: "aws_access_key_id = \(pair.id)\n").isEmpty)
        let far = "aws_access_key_id = \(pair.id)\n" + String(repeating: "# padding line\n", count: 25) + "aws_secret_access_key = \(pair.secret)\n"
        #expect(try occurrences("aws-access-key", in: far).isEmpty)
    }

    @Test func aGitShaNextToAnIdIsSkippedForTheRealSecretAfterIt() throws {
        var rng = SeededGenerator(seed: 24)
        let pair = awsPair(&rng, prefix: "ASIA")
        let text = "id=\(pair.id)\nrevision=\(random("0123456789abcdef", 40, &rng))\nsecret=\(pair.secret)\n"
        #expect(try occurrences("aws-access-key", in: text).map(\.secret) == [pair.secret])
    }

    // MARK: - Proof

    @Test func checksumRulesReportValidatedTokensAndShapeRulesReportNone() throws {
        var rng = SeededGenerator(seed: 31)
        let github = try #require(Validator.builtIn["github-ghp-crc32"]).generate(&rng)
        #expect(try occurrences("github-pat", in: "t=\(github)").map(\.validated) == [true])
        #expect(try occurrences("huggingface-token", in: "t=hf_" + random("abcdefghijKLMNOPQRST0123456789", 34, &rng)).map(\.validated) == [nil])
    }

    @Test func aVersionedGitLabTokenWithAFailedCheckIsDroppedWhenItsPayloadConfirmsTheLayout() throws {
        var rng = SeededGenerator(seed: 32)
        let token = try #require(Validator.builtIn["gitlab-routable-v1"]).generate(&rng)
        let broken = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
        #expect(try occurrences("gitlab-pat-routable-v1", in: "GITLAB_TOKEN=\(token)").map(\.validated) == [true])
        #expect(try occurrences("gitlab-pat-routable-v1", in: "GITLAB_TOKEN=\(broken)").isEmpty)
        // The unversioned layout is verified, so there a failed check drops the candidate.
        let unversioned = try #require(Validator.builtIn["gitlab-routable"]).generate(&rng)
        let brokenUnversioned = String(unversioned.dropLast()) + (unversioned.hasSuffix("0") ? "1" : "0")
        #expect(try occurrences("gitlab-pat-routable", in: brokenUnversioned).isEmpty)
        // A routable token is not also reported by the 20-character rule.
        #expect(try occurrences("gitlab-pat-legacy", in: token + " " + unversioned).isEmpty)
    }

    @Test func telegramTokensAreFoundInsideBotApiUrls() throws {
        var rng = SeededGenerator(seed: 33)
        let token = random("0123456789", 10, &rng) + ":AA" + random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789", 33, &rng)
        let found = try occurrences("telegram-bot-token", in: "GET https://api.telegram.org/bot\(token)/getMe")
        #expect(found.map(\.secret) == [token])
        #expect(found.first?.column == 33)
    }

    // MARK: - Rule files

    @Test func thereAreAtLeastSixtyRulesEachWithRemediationThatLinksToTheProvider() {
        #expect(Self.ruleSet.rules.count >= 60)
        for provider in Self.ruleSet.providers {
            #expect(provider.remediation.contains("https://"), "\(provider.id) remediation names no URL")
            #expect(provider.remediation.lowercased().contains("revoke") || provider.remediation.lowercased().contains("delete")
                        || provider.remediation.lowercased().contains("reset") || provider.remediation.lowercased().contains("roll")
                        || provider.remediation.lowercased().contains("deactivate"), "\(provider.id)")
        }
    }

    @Test func keywordsAreConfirmedAtAFixedOffsetExceptWhereTheMatchStartVaries() {
        // A keyword at a fixed distance from the match start costs one anchored match per hit;
        // the others search up to 1 KiB before each hit. Only these rules need that.
        let searching: Set = ["aws-access-key", "telegram-bot-token", "discord-bot-token", "discord-webhook-url", "twilio-api-key",
                              "twilio-auth-token", "teams-webhook-url", "teams-workflow-url"]
        var found: Set<String> = []
        for targets in Self.ruleSet.keywordTargets {
            for target in targets where target.fixedOffset == nil {
                found.insert(Self.ruleSet.rules[target.rule].id)
            }
        }
        #expect(found == searching)
    }

    @Test func ruleIdsFitTheRulesListColumn() {
        // `patrol rules list` pads ids to the longest; its tests expect the column of 23.
        #expect(Self.ruleSet.rules.map(\.id.count).max() ?? 0 <= 23)
    }
}
