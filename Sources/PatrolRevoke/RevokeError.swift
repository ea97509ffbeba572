/// What stops `verify` or `revoke` before any token is checked.
public enum RevokeError: Error, CustomStringConvertible, Equatable {
    case badEndpoint(variable: String, value: String)
    case unrecoverableSecrets([String])
    case auditLog(path: String, reason: String)

    public var description: String {
        switch self {
        case .badEndpoint(let variable, let value):
            return "\(variable)='\(value)' is not an http(s) URL"
        case .unrecoverableSecrets(let reasons):
            return "the report's secrets are redacted and \(reasons.count == 1 ? "one" : "\(reasons.count)") could not be found again ("
                + reasons.prefix(3).joined(separator: "; ") + (reasons.count > 3 ? "; …" : "")
                + "): write the report with --show-secrets (patrol scan --format json --show-secrets), or run where the scanned files are"
        case .auditLog(let path, let reason):
            return "cannot write the audit log \(path): \(reason) (choose another with --audit-log FILE)"
        }
    }
}
