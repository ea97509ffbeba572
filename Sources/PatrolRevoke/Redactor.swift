import Foundation
import PatrolKit

/// Keeps secrets out of messages: a provider may echo a credential back in an error, or in
/// the Basic form patrol sent. Every occurrence becomes the redacted form.
struct Redactor: Sendable {
    private let replacements: [(String, String)]

    init(secrets: [String]) {
        var pairs: [(String, String)] = []
        for secret in Set(secrets) where secret.count >= 4 {
            let redacted = Redaction.redact(secret)
            pairs.append((secret, redacted))
            pairs.append((Data((":" + secret).utf8).base64EncodedString(), redacted))
            pairs.append((Data(secret.utf8).base64EncodedString(), redacted))
        }
        // Longest first, so a secret inside another's encoding cannot leave a part behind.
        replacements = pairs.sorted { $0.0.count > $1.0.count }
    }

    func clean(_ text: String) -> String {
        var text = text
        for (secret, redacted) in replacements where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: redacted)
        }
        return text
    }
}
