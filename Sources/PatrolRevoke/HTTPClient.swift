import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// How often and how long to retry a provider that is busy (429) or failing (5xx).
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// The wait before the first retry when the provider names none; doubled for each retry.
    public var initialBackoff: TimeInterval
    /// The longest `Retry-After` honoured: a provider asking for more (GitHub's revocation API
    /// allows 60 requests an hour) gets a failure that says when to try again, not a silent hour.
    public var maxWait: TimeInterval

    public init(maxRetries: Int = 3, initialBackoff: TimeInterval = 1, maxWait: TimeInterval = 60) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxWait = maxWait
    }
}

/// Sends requests with a timeout and retries, and never follows a redirect: a redirect could
/// carry the `Authorization` header to another host, and for Azure DevOps it is the sign-in
/// page, which answers "not live" as it stands.
public final class HTTPClient: Sendable {
    /// Whether a request may simply be sent again.
    public enum Repeatability: Sendable {
        /// Reads: retried on 429 and 5xx.
        case safe
        /// Revocations: retried on 429 only (the provider did not act on it). After a 5xx or a
        /// timeout the outcome is unknown; the caller checks the token before sending it again.
        case revoking
    }

    /// AsyncHTTPClient, not URLSession: on Linux, URLSession is libcurl, which with its
    /// dependencies is some 30 shared libraries loaded at every start of `patrol` — about 8 ms of
    /// each pre-commit hook run, for commands that never make a request.
    let client: AsyncHTTPClient.HTTPClient
    let timeout: TimeInterval
    let retry: RetryPolicy
    let userAgent: String
    /// The most of a reply that is read: provider answers are small, and a hostile one must not
    /// fill memory.
    static let maxBody = 8 << 20

    public init(timeout: TimeInterval, retry: RetryPolicy, userAgent: String) {
        let connect = TimeAmount.milliseconds(Int64(timeout * 1000))
        var configuration = AsyncHTTPClient.HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connect, read: connect)
        )
        configuration.decompression = .disabled
        client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.retry = retry
        self.userAgent = userAgent
    }

    // The client must be shut down before it is released; patrol's commands drop this object
    // from a task of the cooperative pool, never from one of NIO's event loops.
    deinit { try? client.syncShutdown() }

    public func send(_ request: HTTPRequest, _ repeatability: Repeatability = .safe) async -> Result<HTTPResponse, TransportFailure> {
        var attempt = 0
        while true {
            let result = await perform(request)
            guard case .success(let response) = result, attempt < retry.maxRetries else { return result }
            let retryable = response.status == 429 || (repeatability == .safe && (500...599).contains(response.status))
            guard retryable else { return result }
            let wait = Self.retryAfter(response.headers["retry-after"]) ?? retry.initialBackoff * pow(2, Double(attempt))
            if wait > retry.maxWait { return result }
            try? await Task.sleep(nanoseconds: UInt64(max(wait, 0) * 1_000_000_000))
            attempt += 1
        }
    }

    private func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportFailure> {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: userAgent)
        for header in request.headers { outgoing.headers.replaceOrAdd(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
            var headers: [String: String] = [:]
            for (name, value) in response.headers { headers[name.lowercased()] = value }
            let body = try await response.body.collect(upTo: Self.maxBody)
            return .success(HTTPResponse(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView)))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return .failure(TransportFailure(kind: .timeout, message: "no answer within \(Self.seconds(timeout))"))
            case .remoteConnectionClosed:
                return .failure(TransportFailure(kind: .connection, message: "\(request.url.host ?? "the host") closed the connection"))
            default:
                return .failure(TransportFailure(kind: .other, message: "request failed (\(error))"))
            }
        } catch is NIOConnectionError {
            return .failure(TransportFailure(kind: .connection, message: "cannot connect to \(request.url.host ?? "the host")"))
        } catch let error as IOError {
            return .failure(TransportFailure(kind: .connection, message: "cannot connect to \(request.url.host ?? "the host") (\(error.description))"))
        } catch {
            return .failure(TransportFailure(kind: .other, message: "request failed: \(error)"))
        }
    }

    /// `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ value: String?) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(seconds, 0) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max($0.timeIntervalSinceNow, 0) }
    }

    static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() ? "\(Int(interval)) s" : "\(interval) s"
    }
}
