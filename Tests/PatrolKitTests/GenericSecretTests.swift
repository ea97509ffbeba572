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

    @Test func userAndPasswordPairsAreJudgedByThePassword() {
        var rng = SeededGenerator(seed: 23)
        let password = GenericSecret.generate(using: &rng)
        #expect(plausible("deploy:" + password))
        #expect(!plausible("deploy:changeme"))
    }
}
