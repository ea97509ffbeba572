import Foundation
import PatrolKit

/// The audit log: one JSON line per action on a token, appended — time, provider,
/// fingerprint, action, outcome, HTTP status. Never the secret: the fingerprint identifies it.
public struct AuditLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public var time: Date
        public var provider: String
        public var fingerprint: String
        /// `verify` or `revoke`.
        public var action: String
        public var outcome: String
        public var status: Int?

        public init(time: Date, provider: String, fingerprint: String, action: String, outcome: String, status: Int?) {
            self.time = time
            self.provider = provider
            self.fingerprint = fingerprint
            self.action = action
            self.outcome = outcome
            self.status = status
        }
    }

    public let path: String

    public init(path: String) { self.path = path }

    /// `$XDG_STATE_HOME/patrol/audit.jsonl`, by default `~/.local/state/patrol/audit.jsonl`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/patrol/audit.jsonl" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/patrol/audit.jsonl"
    }

    public static func line(_ entry: Entry) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let object: [String: Any] = [
            "time": formatter.string(from: entry.time),
            "provider": entry.provider,
            "fingerprint": entry.fingerprint,
            "action": entry.action,
            "outcome": entry.outcome,
            "status": entry.status.map { $0 as Any } ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Appends the entries; the folder is created private (0700) and the file 0600.
    public func append(_ entries: [Entry]) throws(RevokeError) {
        guard !entries.isEmpty else { return }
        let folder = PathText.parent(of: path)
        do {
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw .auditLog(path: path, reason: "cannot create \(folder)")
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .auditLog(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(entries.map { Self.line($0) + "\n" }.joined().utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .auditLog(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}
