import Foundation
import Testing
@testable import PatrolKit

// Microsoft identifiable keys and Entra ID client secrets. Every token here is generated at run
// time (patrol scans its own repository and would rightly report a whole one).

private func run(_ name: String, _ text: String) throws -> ValidationResult {
    let validator = try #require(Validator.builtIn[name], "no validator \(name)")
    var bytes = Array(text.utf8)
    let count = bytes.count
    bytes.append(0)
    return bytes.withUnsafeBytes { validator.check(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
}

private func tokens(_ name: String, count: Int = 25, seed: UInt64 = 0xA2_0E) throws -> [String] {
    let validator = try #require(Validator.builtIn[name], "no validator \(name)")
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in validator.generate(&rng) }
}

/// Single-character changes of `token` (within its own alphabet) that the validator still accepts.
private func acceptedMutations(_ name: String, _ token: String, alphabet: String) throws -> [String] {
    let validator = try #require(Validator.builtIn[name])
    var bytes = Array(token.utf8)
    var accepted: [String] = []
    for position in bytes.indices where bytes[position] != UInt8(ascii: "=") {
        let original = bytes[position]
        for replacement in alphabet.utf8 where replacement != original {
            bytes[position] = replacement
            if bytes.withUnsafeBytes(validator.check) == .valid { accepted.append("\(Character(Unicode.Scalar(replacement)))@\(position)") }
        }
        bytes[position] = original
    }
    return accepted
}

private let standardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
private let urlSafeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/// (validator, signature, encoded length, url-safe)
private let identifiableFormats: [(String, String, Int, Bool)] = [
    ("azure-storage-identifiable", "+ASt", 88, false),
    ("azure-cosmosdb-identifiable", "ACDb", 88, false),
    ("azure-servicebus-identifiable", "+ASb", 44, false),
    ("azure-eventhubs-identifiable", "+AEh", 44, false),
    ("azure-relay-identifiable", "+ARm", 44, false),
    ("azure-functions-identifiable", "AzFu", 56, true),
    ("azure-search-identifiable", "AzSe", 52, true),
    ("azure-apim-identifiable", "APIM", 88, false),
    ("azure-acr-identifiable", "+ACR", 52, false),
    ("azure-iot-identifiable", "AIoT", 44, false),
    ("azure-redis-identifiable", "AzCa", 44, false),
    ("azure-batch-identifiable", "+ABa", 88, false),
]

@Test func identifiableKeySeedsAreTheAsciiOfTheirKeyKindNames() {
    // The values Microsoft's IdentifiableMetadata lists, written as hex there.
    #expect(IdentifiableKeyFormat.seed("Default0") == 0x4465_6661_756C_7430)
    #expect(IdentifiableKeyFormat.seed("Send0000") == 0x5365_6E64_3030_3030)
    #expect(IdentifiableKeyFormat.seed("ACRDflt0") == 0x4143_5244_666C_7430)
    #expect(EntraClientSecretChecksum.seed == 0x4161_6450_7764_3030)
}

@Test(arguments: identifiableFormats.map(\.0))
func generatedIdentifiableKeysCarryTheSignatureAndAMarvinChecksumOfTheirBytes(name: String) throws {
    let (_, signature, length, urlSafe) = try #require(identifiableFormats.first { $0.0 == name })
    let format = try #require([IdentifiableKeyFormat.storage, .cosmosDB, .serviceBus, .eventHubs, .relay, .functions, .search, .apiManagement, .containerRegistry, .iot, .cacheForRedis, .batch].first { "\($0.signature)" == signature })
    for key in try tokens(name) {
        #expect(key.utf8.count == length, "\(key)")
        let unpadded = key.prefix { $0 != "=" }
        #expect(unpadded.dropLast(6).suffix(4) == Substring(signature), "signature right before the checksum: \(key)")
        // Recompute the checksum from the spec, independently of the validator: standard
        // base64 decoding (Foundation's), Marvin32 of all but the last four bytes.
        var standard = String(key.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.utf8.count % 4 != 0 { standard += "=" }
        let bytes = try #require(Data(base64Encoded: standard), "\(key)")
        #expect(bytes.count == format.byteCount)
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        let body = Array(bytes.prefix(bytes.count - 4))
        #expect(format.seeds.contains { seed in body.withUnsafeBytes { Marvin32.hash32($0, seed: seed) } == stored }, "\(key)")
        #expect(try run(name, key) == .valid, "\(key)")
        // Marvin adds the seed's low word to the first data word, so with several seeds that
        // share their high half (Cosmos DB's MastRW00 / MastRO00 …) a change in the first four
        // bytes can equal another seed: Microsoft's scheme has that property too. Everywhere
        // else one changed character must fail.
        let accepted = try acceptedMutations(name, key, alphabet: urlSafe ? urlSafeAlphabet : standardAlphabet)
            .filter { format.seeds.count == 1 || Int($0.split(separator: "@")[1])! >= 6 }
        #expect(accepted.isEmpty, "\(key): \(accepted)")
    }
}

@Test func identifiableKeysAreRejectedUnderAnotherServicesSignatureOrAlphabet() throws {
    let storage = try #require(try tokens("azure-storage-identifiable", count: 1).first)
    #expect(try run("azure-cosmosdb-identifiable", storage) == .invalid)
    #expect(try run("azure-storage-identifiable", String(storage.dropLast())) == .invalid)
    #expect(try run("azure-storage-identifiable", "") == .invalid)
    let functions = try #require(try tokens("azure-functions-identifiable", count: 40).first { $0.contains("-") || $0.contains("_") })
    let standardForm = String(functions.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
    #expect(try run("azure-functions-identifiable", standardForm) == .invalid, "Functions keys use the URL-safe alphabet")
}

@Test func messagingKeysAreValidUnderEachOfTheirSeeds() {
    var rng = SeededGenerator(seed: 7)
    for index in IdentifiableKeyFormat.serviceBus.seeds.indices {
        let key = IdentifiableKeyChecksum.generate(format: .serviceBus, seedIndex: index, using: &rng)
        var bytes = Array(key.utf8)
        #expect(bytes.withUnsafeBytes { IdentifiableKeyChecksum.isValid($0, format: .serviceBus) }, "\(key)")
        #expect(!bytes.withUnsafeBytes { IdentifiableKeyChecksum.isValid($0, format: .eventHubs) }, "\(key)")
        bytes[0] = bytes[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(!bytes.withUnsafeBytes { IdentifiableKeyChecksum.isValid($0, format: .serviceBus) }, "\(key)")
    }
}

@Test func entraClientSecretsCarryMarvinChecksumDigits() throws {
    var acceptedCount = 0
    let alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890.-_~"
    for secret in try tokens("entra-client-secret") {
        #expect(secret.wholeMatch(of: /[A-Za-z0-9._~-]{3}8Q~[A-Za-z0-9._~-]{34}/) != nil, "\(secret)")
        // Independent recomputation: Marvin32 of the first 37 bytes, base-66 digits most
        // significant first, left-padded to six with the alphabet's first character.
        let body = Array(secret.utf8.prefix(37))
        var value = body.withUnsafeBytes { Marvin32.hash32($0, seed: 0x4161_6450_7764_3030) }
        var digits: [Character] = []
        let characters = Array(alphabet)
        while value > 0 { digits.insert(characters[Int(value % 66)], at: 0); value /= 66 }
        while digits.count < 6 { digits.insert("a", at: 0) }
        #expect(String(digits.prefix(3)) == String(secret.suffix(3)), "\(secret)")
        #expect(try run("entra-client-secret", secret) == .valid)
        // The three kept digits hold about 14 bits (the leading digit of six is 0–3), so a few
        // of the ~2,600 one-character changes of a secret collide; a change of the signature or
        // of a checksum digit never does.
        let accepted = try acceptedMutations("entra-client-secret", secret, alphabet: alphabet)
        acceptedCount += accepted.count
        #expect(accepted.allSatisfy { (6..<37).contains(Int($0.split(separator: "@")[1])!) }, "\(secret): \(accepted)")
    }
    #expect(acceptedCount <= 10, "\(acceptedCount) one-character changes of 25 secrets still validate")
    #expect(try run("entra-client-secret", "abc7Q~" + String(repeating: "a", count: 34)) == .invalid, "7Q~ secrets carry no checksum")
}
