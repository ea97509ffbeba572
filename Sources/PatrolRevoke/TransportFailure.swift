import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// A request that got no HTTP answer, and why, in words that carry no build path, no header
/// and no secret.
public struct TransportFailure: Error, Sendable {
    public enum Kind: Sendable {
        /// No whole answer before the deadline.
        case timeout
        /// The host refused the connection: nothing listens there.
        case refused
        /// The host name does not resolve.
        case unresolvable
        /// The TLS handshake failed (not TLS, a certificate that is not accepted).
        case tls
        /// The connection broke after it was made (reset, closed early).
        case connection
        case other
    }

    public var kind: Kind
    public var message: String

    /// Refused, unresolvable and TLS failures do not heal within a run: a host that failed so
    /// is not tried again for the other tokens (each would cost a connection attempt or more).
    var condemnsHost: Bool { kind == .refused || kind == .unresolvable || kind == .tls }

    /// A failure that is worth one more attempt of a read (a connection reset under load).
    var isWorthOneRetry: Bool { kind == .connection }

    /// What an error of AsyncHTTPClient, NIO or NIOSSL means, for `host`.
    static func classify(_ error: any Error, host: String, timeout: TimeInterval) -> TransportFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return TransportFailure(kind: .timeout, message: "no answer within \(HTTPClient.seconds(timeout))")
            case .tlsHandshakeTimeout:
                return TransportFailure(kind: .tls, message: "the TLS handshake with \(host) did not finish within \(HTTPClient.seconds(timeout))")
            case .remoteConnectionClosed:
                return TransportFailure(kind: .connection, message: "\(host) closed the connection")
            default:
                return TransportFailure(kind: .other, message: "request to \(host) failed (\(Self.clean(String(describing: error))))")
            }
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return TransportFailure(kind: .unresolvable, message: "cannot resolve \(host)")
            }
            let refused = error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
            if refused { return TransportFailure(kind: .refused, message: "\(host) refused the connection") }
            return TransportFailure(kind: .connection, message: "cannot connect to \(host)")
        }
        if error is SocketAddressError {
            return TransportFailure(kind: .unresolvable, message: "cannot resolve \(host)")
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return TransportFailure(kind: .refused, message: "\(host) refused the connection")
            case ECONNRESET, EPIPE: return TransportFailure(kind: .connection, message: "\(host) reset the connection")
            default: return TransportFailure(kind: .connection, message: "cannot connect to \(host) (\(String(cString: strerror(error.errnoCode))))")
            }
        }
        // NIOSSL's errors (NIOSSLError, BoringSSLError, NIOSSLExtraError) name BoringSSL's
        // source files and lines: only their reason is kept.
        let type = String(reflecting: Swift.type(of: error))
        if type.hasPrefix("NIOSSL.") {
            let reason = Self.tlsReason(String(describing: error))
            return TransportFailure(kind: .tls, message: "the TLS handshake with \(host) failed" + (reason.map { " (\($0))" } ?? "")
                + ": is it an https server, with a certificate this machine trusts?")
        }
        return TransportFailure(kind: .other, message: "request to \(host) failed (\(Self.clean(String(describing: error))))")
    }

    /// BoringSSL's reason in an error text (`WRONG_VERSION_NUMBER`, `CERTIFICATE_VERIFY_FAILED`),
    /// or the words of NIOSSL's own errors, without paths.
    static func tlsReason(_ text: String) -> String? {
        var reasons: [String] = []
        for part in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) where part.count >= 6 {
            if part.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }), part.contains("_"), !reasons.contains(String(part)) {
                reasons.append(String(part))
            }
        }
        if !reasons.isEmpty { return reasons.joined(separator: ", ").lowercased().replacingOccurrences(of: "_", with: " ") }
        let cleaned = clean(text)
        return cleaned.isEmpty ? nil : String(cleaned.prefix(120))
    }

    /// An error's text without file paths (`/home/build/…/ssl_lib.cc:1042`).
    static func clean(_ text: String) -> String {
        var words: [Substring] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if word.contains("/") && (word.contains(".c") || word.contains(".swift") || word.hasPrefix("/") || word.hasPrefix("(/") || word.hasPrefix("[/")) {
                words.append("…")
            } else {
                words.append(word)
            }
        }
        return words.joined(separator: " ")
    }
}
