import Foundation

/// What an 84- or 88-character Azure DevOps PAT proves about when it was made: offset 58 is the
/// year as a base64-alphabet index from 2024 (`A` = 2024), offset 59 the month `A`–`L`
/// (reference: azure-devops-pat.md §1b). The 52-character format records nothing.
enum AzureDevOpsTokenDate {
    private static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    /// `2026-03`, or nil for a token that records no date.
    static func month(of secret: String) -> String? {
        let characters = Array(secret)
        guard characters.count == 84 || characters.count == 88, String(characters[52..<58]) == "JQQJ99",
              let year = base64.firstIndex(of: characters[58]),
              let month = Array("ABCDEFGHIJKL").firstIndex(of: characters[59]) else { return nil }
        return String(format: "%04d-%02d", 2024 + year, month + 1)
    }

    /// `2026-06-01T12:00:00.1234567Z`, to the second, as UTC.
    static func parse(_ text: String) -> Date? {
        let prefix = String(text.prefix(19))
        guard prefix.count == 19 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: prefix)
    }
}
