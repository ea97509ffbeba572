import Foundation
import Testing
@testable import PatrolKit

/// The generic heuristic's value test: machine-made values pass; what people type, name or
/// template does not.
@Suite struct GenericSecretTests {
    private func plausible(_ value: String) -> Bool {
        Array(value.utf8).withUnsafeBytes { GenericSecret.isPlausible($0) }
    }

    @Test func generatedValuesAlwaysPass() {
        var rng = SeededGenerator(seed: 21)
        for _ in 0..<500 {
            let value = GenericSecret.generate(using: &rng)
            #expect(plausible(value), "\(value)")
            #expect((24...40).contains(value.utf8.count))
        }
    }

    @Test func randomValuesOfEachAlphabetMostlyPass() {
        var rng = SeededGenerator(seed: 22)
        let alphabets = [
            ("0123456789abcdef", 40), ("abcdefghijklmnopqrstuvwxyz234567", 32),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
        ]
        for (alphabet, length) in alphabets {
            let characters = Array(alphabet)
            let passed = (0..<1000).filter { _ in plausible(String((0..<length).map { _ in characters.randomElement(using: &rng)! })) }.count
            #expect(passed >= 970, "\(alphabet.prefix(8))… \(length): \(passed) of 1000")
        }
    }

    @Test(arguments: [
        "${DB_PASSWORD}", "$(System.AccessToken)", "{{ vault_token }}", "%APP_SECRET%", "<YOUR_PAT>",
        "xxxxxxxxxxxxxxxxxxxx", "********************", "changeme-now-please", "your-api-key-here",
        "process.env.API_TOKEN", "settings.oauth.client_secret", "is_impersonated_credential", "Socks5Auth2Mode",
        "/etc/secrets/db_password", "secrets/prod/api_token", "service-account.json", "https://example.com/token",
        "sha512-Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4", "h1:Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4PQ=", "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "123e4567-e89b-12d3-a456-426614174000", "AKIAIOSFODNN7EXAMPL3", "abcdef1234567890abcdef1234567890",
        "MySuperSecretPassword", "P@ssw0rd123!", "correcthorsebatterystaple", "Sup3rS3cr3tPassw0rd",
        "lsdkfol23w54jlksdef", "Short-lived-value", "1234567890123456", "deadbeef", "user:pass",
        // Test values seen in SDKs (openai-python, huggingface_hub).
        "fixture-access-key/", "rt_with_%_inside",
    ])
    func placeholdersReferencesPathsHashesAndWordsAreRejected(value: String) {
        #expect(!plausible(value))
    }

    @Test func theEntropyFloorGrowsWithLengthAndAlphabet() {
        #expect(GenericSecret.entropyFloor(length: 16, alphabet: .hex) < GenericSecret.entropyFloor(length: 40, alphabet: .hex))
        #expect(GenericSecret.entropyFloor(length: 40, alphabet: .hex) < GenericSecret.entropyFloor(length: 40, alphabet: .singleCase))
        #expect(GenericSecret.entropyFloor(length: 40, alphabet: .singleCase) < GenericSecret.entropyFloor(length: 40, alphabet: .mixedCase))
        #expect(GenericSecret.entropyFloor(length: 1000, alphabet: .hex) == 3.3)
    }

    @Test(arguments: [
        "AKID/19700101/us-east-1/dynamodb/aws4_request", "access_key/20170322/us-west-2/lex/aws4_request",
        "myaccesskey/20180523/my-region-1/ec2/aws4_request",
    ])
    func sigV4CredentialScopesAreNotSecrets(scope: String) {
        #expect(!plausible(scope))
    }

    @Test func goAndCConstantsAreNumbersNotSecrets() {
        #expect(!plausible("-0x3f879678"))
        #expect(!plausible("0x7f87967912ab"))
        #expect(!plausible("+12345678901"))
        // 32 bytes of hex after 0x: an Ethereum-style private key, not a number.
        var rng = SeededGenerator(seed: 31)
        let key = "0x" + String((0..<64).map { _ in Array("0123456789abcdef").randomElement(using: &rng)! })
        #expect(!GenericSecret.isNumericLiteral(Array(key.utf8)))
    }

    @Test(arguments: ["not-secret", "storageos", "password", "sc@l3I0", "sCaleio123", "a secret",
                      "you're not supposed to decode this!", "this is not a real value"])
    func base64OfReadableTextIsNotASecret(text: String) {
        let encoded = Data(text.utf8).base64EncodedString()
        #expect(!plausible(encoded), "\(encoded)")
    }

    @Test func aSliceOfBase64OfReadableTextIsNotASecretEither() {
        let encoded = Data("this is not a real valuethis is not a real value".utf8).base64EncodedString()
        let characters = Array(encoded)
        for start in 1...3 {
            let slice = String(characters[start..<(start + 32)])
            #expect(!plausible(slice), "\(slice)")
        }
    }

    @Test func base64OfAUserAndRandomPasswordStaysASecret() {
        var rng = SeededGenerator(seed: 32)
        let password = GenericSecret.generate(using: &rng)
        #expect(plausible(Data("deploy:\(password)".utf8).base64EncodedString()))
        // Random base64 of every length the generic rules take mostly passes.
        var passed = 0
        for _ in 0..<1000 {
            let bytes = (0..<Int.random(in: 12...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if plausible(Data(bytes).base64EncodedString()) { passed += 1 }
        }
        #expect(passed >= 970, "\(passed) of 1000")
    }

    @Test func derSignaturesAreNotSecretsButDERKeysAre() {
        var rng = SeededGenerator(seed: 33)
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 1...255, using: &rng) } }
        let r = [0x00] + random(32), s = random(32)
        let signature: [UInt8] = [0x30, UInt8(4 + r.count + s.count), 0x02, UInt8(r.count)] + r + [0x02, UInt8(s.count)] + s
        #expect(!plausible(Data(signature).base64EncodedString()))
        // Three integers (the start of a PKCS#1 key's shape) are not a signature.
        let t = random(20)
        let three: [UInt8] = [0x30, UInt8(6 + r.count + s.count + t.count), 0x02, UInt8(r.count)] + r + [0x02, UInt8(s.count)] + s + [0x02, UInt8(t.count)] + t
        #expect(plausible(Data(three).base64EncodedString()))
    }

    @Test func theRFC6750ExampleBearerTokenIsAPlaceholder() {
        #expect(!plausible("mF_9.B5f-4.1JqM"))
    }

    @Test func userAndPasswordPairsAreJudgedByThePassword() {
        var rng = SeededGenerator(seed: 23)
        let password = GenericSecret.generate(using: &rng)
        #expect(plausible("deploy:" + password))
        #expect(!plausible("deploy:changeme"))
    }
}
