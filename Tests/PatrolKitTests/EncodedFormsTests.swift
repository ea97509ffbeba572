import Foundation
import Testing
@testable import PatrolKit

/// Tokens inside encodings whose gate is an encoded form of the keyword: base64 at every byte
/// alignment (three-byte keywords included), base64 of UTF-16LE text, and percent-encoding of
/// the keyword itself. Tokens are expanded from the rules' own examples at run time.
@Suite struct EncodedFormsTests {
    static let ruleSet = try! RuleLoader.load()

    /// Rules with a case-sensitive keyword of three bytes: their base64 forms are three characters
    /// at two alignments of three. (Not Discord's, whose 100 keywords enumerate starts and are not
    /// looked for encoded: `discordBotTokensAreFoundInClearButNotLookedForEncoded`.)
    static let threeByteKeywordRules: [String] = ruleSet.rules
        .filter { $0.providerID != BufferMatcher.genericProvider && !$0.keywordsCaseInsensitive && $0.keywords.contains { $0.utf8.count == 3 } }
        .filter { !RuleSet.enumeratesStarts($0) }
        .map(\.id)

    /// The rule's clear examples, expanded, with the secrets the rule reports in each.
    private func examples(of ruleID: String, seed: UInt64) throws -> [(text: String, secrets: [String])] {
        let rule = try #require(Self.ruleSet.rule(id: ruleID))
        var seeds = SeedSequence(seed: seed)
        return rule.examples.compactMap { template in
            guard let text = RuleExamples.expand(template, rule: ruleID, in: Self.ruleSet, seed: seeds.next())?.text else { return nil }
            let secrets = RuleExamples.findings(of: ruleID, in: text, ruleSet: Self.ruleSet).map(\.secret)
            return secrets.isEmpty ? nil : (text, secrets)
        }
    }

    private func occurrences(_ ruleID: String, in text: String) throws -> [Occurrence] {
        let index = try #require(Self.ruleSet.index(ofRule: ruleID))
        return RuleExamples.occurrences(ofRule: index, in: text, ruleSet: Self.ruleSet)
    }

    private func base64(_ bytes: [UInt8], url: Bool = false) -> String {
        let standard = Data(bytes).base64EncodedString()
        guard url else { return standard }
        return String(standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").prefix { $0 != "=" })
    }

    private func utf16LE(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    // MARK: - base64 at every alignment

    @Test func theNamedThreeByteKeywordRulesAreAllCovered() {
        let named: Set = ["huggingface-token", "sendgrid-api-key", "jwt", "twilio-api-key", "telegram-bot-token", "aws-access-key"]
        #expect(named.isSubset(of: Set(Self.threeByteKeywordRules)), "\(Self.threeByteKeywordRules)")
    }

    /// Discord's keywords are the 100 three-character starts a bot token can have: their encoded
    /// forms made the prefilter stop all over source code (a tenth of a scan's instructions), so
    /// the rule is looked for in clear only — and decoding reaches it through its container.
    @Test func discordBotTokensAreFoundInClearButNotLookedForEncoded() throws {
        let rule = try #require(Self.ruleSet.rule(id: "discord-bot-token"))
        #expect(RuleSet.enumeratesStarts(rule))
        #expect(Self.ruleSet.rules.filter(RuleSet.enumeratesStarts).map(\.id) == ["discord-bot-token"])
        let scanner = InputScanner(ruleSet: Self.ruleSet)
        let clearExamples = try examples(of: "discord-bot-token", seed: 7)
        #expect(clearExamples.count == rule.examples.count, "every clear example has its token found")
        for (text, secrets) in clearExamples {
            guard case .scanned(_, let clear) = scanner.scan(bytes: Array(text.utf8)) else { Issue.record("not scanned"); continue }
            #expect(clear.map(\.secret) == secrets, "\(text)")
        }
    }

    @Test func aThreeByteKeywordHasABase64FormAtEachAlignmentWithItsNeighboursBits() {
        // "hf_" = 0x68 0x66 0x5F. Aligned: "aGZf". One byte in, "AGhmXw": "hmX", the character
        // before ends in 0110 (0x68 >> 4), the one after starts with 11 (0x5F & 3). Two bytes in,
        // "AABoZl8": "oZl", before ends in 01 (0x68 >> 6), after starts with 1111 (0x5F & 15).
        let forms = EncodedForms.base64(of: Array("hf_".utf8))
        #expect(forms == [
            .init(characters: Array("aGZf".utf8), neighbours: nil),
            .init(characters: Array("hmX".utf8), neighbours: NeighbourBits(beforeMask: 0b1111, beforeValue: 0b0110, afterMask: 0b110000, afterValue: 0b110000)),
            .init(characters: Array("oZl".utf8), neighbours: NeighbourBits(beforeMask: 0b11, beforeValue: 0b01, afterMask: 0b111100, afterValue: 0b111100)),
        ])
    }

    @Test func aFormWithPlusOrSlashComesInBase64urlToo() {
        // 0xFB 0xFF 0xBF encodes to "+/+/".
        let forms = EncodedForms.base64(of: [0xFB, 0xFF, 0xBF]).map { String(decoding: $0.characters, as: UTF8.self) }
        #expect(forms.prefix(2) == ["+/+/", "-_-_"])
    }

    @Test func aThreeCharacterFormOpensDecodingOnlyWhenItsNeighboursCarryTheKeyword() throws {
        let neighbours: NeighbourBits = try #require(EncodedForms.base64(of: Array("hf_".utf8))[1].neighbours)
        let gate = DecodingGate.base64(neighbours)
        let encoded = Array(base64(Array("xhf_abcdef".utf8)).utf8)   // eGhmX2FiY2RlZg==
        let position = try #require(encoded.indices.first { Array(encoded[$0..<($0 + 3)]) == Array("hmX".utf8) })
        #expect(encoded.withUnsafeBytes { gate.admits(position, length: 3, in: $0) })
        for (offset, replacement) in [(-1, UInt8(ascii: "H")), (3, UInt8(ascii: "a")), (-1, UInt8(ascii: ".")), (3, UInt8(ascii: " "))] {
            var changed = encoded
            changed[position + offset] = replacement
            #expect(!changed.withUnsafeBytes { gate.admits(position, length: 3, in: $0) }, "\(String(decoding: changed, as: UTF8.self))")
        }
        // At the buffer's edges there is no neighbour to check.
        #expect(!Array("hmX2".utf8).withUnsafeBytes { gate.admits(0, length: 3, in: $0) })
    }

    @Test(arguments: threeByteKeywordRules)
    func tokensOfThreeByteKeywordRulesAreFoundInBase64AtEveryAlignment(rule: String) throws {
        let cases = try examples(of: rule, seed: 41)
        try #require(!cases.isEmpty)
        for (text, secrets) in cases {
            // ":" + token is Basic auth with an empty user name, "u:" + token with a one-letter
            // one: the token one and two bytes into a base64 quad. (A token glued to letters,
            // "xy" + token, is no token in clear either: the rules want a boundary before it.)
            for prefix in ["", ":", "u:"] {
                for url in [false, true] {
                    let encoded = base64(Array((prefix + text).utf8), url: url)
                    let found = try occurrences(rule, in: "kind: Secret\ndata:\n  token: \(encoded)\n")
                    #expect(found.map(\.secret) == secrets, "\(rule) after \(prefix.debugDescription), url \(url): \(encoded)")
                    #expect(found.allSatisfy { $0.decoding == "base64" && $0.line == 3 && $0.column == 10 })
                }
            }
        }
    }

    @Test func tokensDeepInsideALongSingleLineBase64BlobAreEachFoundOnce() throws {
        // A 300 KB data URI: 64 K characters were once the most a run was followed from its
        // hit, which cut a token 100 KB in off at its keyword. Windows around each hit now.
        // The filler is zeros (`AAAA…`), so that no chance hit of another form decodes a run
        // that holds the token.
        let cases = try examples(of: "huggingface-token", seed: 59)
        let first = try #require(cases.first?.secrets.first), second = try #require(cases.last?.secrets.first)
        try #require(first != second)
        func noise(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }
        let payload = noise(100_000) + Array("\nHF_TOKEN=\(first)\n".utf8) + noise(60_000) + Array("\nHF_TOKEN=\(second)\n".utf8) + noise(60_000)
        let found = try occurrences("huggingface-token", in: "<img src=\"data:image/png;base64,\(base64(payload))\">\n")
        #expect(found.map(\.secret) == [first, second])
        #expect(found.allSatisfy { $0.decoding == "base64" && $0.line == 1 })
        #expect(found.map(\.column) == found.map(\.column).sorted() && Set(found.map(\.column)).count == 2, "one window each")
    }

    // MARK: - base64 of UTF-16 text

    @Test(arguments: ["azure-devops-pat", "github-pat", "huggingface-token", "sendgrid-api-key", "jwt", "slack-bot-token"])
    func tokensInBase64OfUTF16TextAreFoundAndReportedAsSuch(rule: String) throws {
        let cases = try examples(of: rule, seed: 43)
        try #require(!cases.isEmpty)
        for (text, secrets) in cases {
            // One and two characters before the token move it by two and four bytes: all three
            // byte alignments of base64.
            for prefix in ["", "x", "xy"] {
                let command = base64(utf16LE("$env:TOKEN = '\(prefix)'\n" + text))
                let found = try occurrences(rule, in: "powershell.exe -NoProfile -EncodedCommand \(command)\n")
                #expect(found.map(\.secret) == secrets, "\(rule) after \(prefix.debugDescription): \(command)")
                #expect(found.allSatisfy { $0.decoding == "base64-utf16" && $0.line == 1 && $0.column == 43 })
            }
        }
    }

    @Test func utf16TextWithAByteOrderMarkOrStartingOneByteLateIsTranscoded() throws {
        let text = "$headers = @{ Authorization = 'token ghp_x' }"
        #expect(EncodedText.utf16Text([0xFF, 0xFE] + utf16LE(text)) == Array(text.utf8))
        #expect(EncodedText.utf16Text(Array(utf16LE("ab" + text).dropFirst())) == Array(("b" + text).utf8), "big-endian after a dropped byte")
        #expect(EncodedText.utf16Text(Array(text.utf8)) == nil, "no NUL: not UTF-16")
    }

    // MARK: - Percent-encoded keywords

    @Test func percentFormsEscapeEveryByteAndOnlyTheReservedOnes() {
        func forms(_ keyword: String) -> [String] { EncodedForms.percent(of: Array(keyword.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        #expect(forms("ghp_") == ["%67%68%70%5F"])
        #expect(forms(":AA") == ["%3A%41%41", "%3AAA"])
        #expect(forms("/webhooks/") == ["%2F%77%65%62%68%6F%6F%6B%73%2F", "%2Fwebhooks%2F"])
    }

    @Test(arguments: ["azure-devops-pat", "github-pat", "gitlab-pat-routable", "huggingface-token", "sendgrid-api-key", "jwt", "slack-bot-token", "telegram-bot-token", "twilio-api-key", "npm-access-token"])
    func tokensWhoseKeywordIsPercentEncodedAreFoundAtTheirEncodedForm(rule: String) throws {
        let cases = try examples(of: rule, seed: 47)
        try #require(!cases.isEmpty)
        for (_, secrets) in cases {
            let secret = try #require(secrets.first)
            for digits in ["%02X", "%02x"] {
                let encoded = secret.utf8.map { String(format: digits, $0) }.map { "%" + $0 }.joined()
                let line = "GET /oauth/callback?access_token=\(encoded)&state=1 HTTP/1.1"
                let found = try occurrences(rule, in: "127.0.0.1 - - \(line)\n")
                #expect(found.map(\.secret) == [secret], "\(rule) \(digits): \(line)")
                #expect(found.first?.decoding == "percent")
                #expect(found.first?.column == "127.0.0.1 - - GET /oauth/callback?access_token=".utf8.count + 1)
                #expect(found.first?.endColumn == "127.0.0.1 - - GET /oauth/callback?access_token=".utf8.count + encoded.utf8.count)
            }
        }
    }

    @Test func aTelegramTokenWithOnlyItsColonEscapedIsFound() throws {
        let cases = try examples(of: "telegram-bot-token", seed: 53)
        let secret = try #require(cases.first?.secrets.first)
        let encoded = secret.replacingOccurrences(of: ":", with: "%3A")
        let found = try occurrences("telegram-bot-token", in: "https://example.com/hook?bot=\(encoded)\n")
        #expect(found.map(\.secret) == [secret])
        #expect(found.first?.decoding == "percent")
    }
}
