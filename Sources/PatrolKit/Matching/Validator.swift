/// What a validator concluded about a candidate.
enum ValidationResult: Sendable, Equatable {
    /// The checksum or structure holds: the match is proven (`validated: true`).
    case valid
    /// It fails: not a finding; counted in `rejected_by_validator`.
    case invalid
    /// The check failed, but the format's layout is marked unverified in the reference, so the
    /// match is reported with `validated: false` and at most medium confidence.
    case unverified
}

/// A named offline check that proves a candidate is a real token (checksum or structure), and
/// a generator of valid tokens, so rule examples and tests never commit a valid token whole.
struct Validator: Sendable {
    let name: String
    let check: @Sendable (UnsafeRawBufferPointer) -> ValidationResult
    let generate: @Sendable (inout SeededGenerator) -> String

    /// A validator whose answer is yes or no.
    init(name: String, isValid: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool, generate: @escaping @Sendable (inout SeededGenerator) -> String) {
        self.name = name
        self.check = { isValid($0) ? .valid : .invalid }
        self.generate = generate
    }

    /// A validator that can also answer `.unverified`.
    init(name: String, check: @escaping @Sendable (UnsafeRawBufferPointer) -> ValidationResult, generate: @escaping @Sendable (inout SeededGenerator) -> String) {
        self.name = name
        self.check = check
        self.generate = generate
    }

    func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool { check(bytes) == .valid }

    /// The validators that rule files can name in `validate:`.
    static let builtIn: [String: Validator] = {
        let all = [
            Validator(
                name: "azure-devops-cask",
                isValid: { AzureDevOpsCaskChecksum.isValid($0) },
                generate: { AzureDevOpsCaskChecksum.generate(using: &$0) }
            ),
            Validator(
                name: "azure-devops-legacy",
                isValid: { AzureDevOpsLegacyChecksum.isValid($0) },
                generate: { AzureDevOpsLegacyChecksum.generate(using: &$0) }
            ),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    func isValid(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        let count = bytes.count
        bytes.append(0)
        return bytes.withUnsafeBytes { isValid(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// A token of the right shape whose checksum fails: a valid one with its last character
    /// changed to another of the same kind (lower, upper, digit), retried until the check fails
    /// (a change can land on bits the checksum ignores).
    func generateCorrupted(using rng: inout SeededGenerator) -> String {
        while true {
            var bytes = Array(generate(&rng).utf8)
            guard let last = bytes.lastIndex(where: { Self.kind(of: $0) != nil }),
                  let alphabet = Self.kind(of: bytes[last])
            else { continue }
            for _ in 0..<16 {
                let replacement = alphabet.randomElement(using: &rng)!
                guard replacement != bytes[last] else { continue }
                bytes[last] = replacement
                let text = String(decoding: bytes, as: UTF8.self)
                if !isValid(text) { return text }
            }
        }
    }

    private static func kind(of byte: UInt8) -> [UInt8]? {
        switch byte {
        case 0x61...0x7A: Array(0x61...0x7A)
        case 0x41...0x5A: Array(0x41...0x5A)
        case 0x30...0x39: Array(0x30...0x39)
        default: nil
        }
    }
}
