import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

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

/// Sends requests with a deadline and retries, and never follows a redirect: a redirect could
/// carry the `Authorization` header to another host, and for Azure DevOps it is the sign-in
/// page, which answers "not live" as it stands.
///
/// `timeout` is a deadline for each whole request — connecting, TLS, the answer's head and all
/// of its body — not a wait between two reads: a server dripping a byte a second once held a
/// 3-second timeout for two minutes. A host that refused the connection, does not resolve, or
/// failed the TLS handshake is not tried again in the run (`HostFailures`).
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
    /// What this run learnt about hosts that cannot be reached.
    let hostFailures = HostFailures()
    /// `--max-requests` and `--rate`.
    let gate: RequestGate
    /// The most of a reply that is read: provider answers are small, and a hostile one must not
    /// fill memory.
    static let maxBody = 8 << 20

    public init(timeout: TimeInterval, retry: RetryPolicy, userAgent: String, limits: RequestLimits = RequestLimits()) {
        gate = RequestGate(limits: limits)
        let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
        var configuration = AsyncHTTPClient.HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: limit, read: limit)
        )
        configuration.decompression = .disabled
        // A refused or unresolvable host fails at once; by default the pool would try to
        // connect again and again until the connect timeout, for every request.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.retry = retry
        self.userAgent = userAgent
    }

    // The client must be shut down before it is released; patrol's commands drop this object
    // from a task of the cooperative pool, never from one of NIO's event loops.
    deinit { try? client.syncShutdown() }

    public func send(_ request: HTTPRequest, _ repeatability: Repeatability = .safe) async -> Result<HTTPResponse, TransportFailure> {
        let host = HostFailures.key(request.url)
        if let known = hostFailures.failure(of: host) {
            return .failure(TransportFailure(kind: known.kind, message: known.message + " (not tried again in this run)"))
        }
        var attempt = 0
        var retriedConnection = false
        while true {
            let result = await perform(request)
            switch result {
            case .failure(let failure):
                if failure.condemnsHost { hostFailures.record(failure, of: host) }
                // One more try after a broken connection, for a read only: a reset under load
                // is common, and a revoking call's outcome is unknown after one.
                if failure.isWorthOneRetry, repeatability == .safe, !retriedConnection {
                    retriedConnection = true
                    continue
                }
                return result
            case .success(let response):
                guard attempt < retry.maxRetries else { return result }
                let retryable = response.status == 429 || (repeatability == .safe && (500...599).contains(response.status))
                guard retryable else { return result }
                let wait = Self.retryAfter(response.headers["retry-after"]) ?? retry.initialBackoff * pow(2, Double(attempt))
                if wait > retry.maxWait { return result }
                try? await Task.sleep(nanoseconds: UInt64(max(wait, 0) * 1_000_000_000))
                attempt += 1
            }
        }
    }

    /// One attempt, raced against its deadline: AsyncHTTPClient's own deadline ends when the
    /// answer's head has arrived, and its read timeout restarts with every byte, so the body
    /// is bounded here, by cancelling the request when the time is up.
    private func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportFailure> {
        guard await gate.admit(request.rateKey ?? HostFailures.key(request.url)) else {
            return .failure(TransportFailure(kind: .other, message: "not checked (--max-requests \(gate.limits.maxRequests ?? 0) reached)"))
        }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: userAgent)
        for header in request.headers { outgoing.headers.replaceOrAdd(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let prepared = outgoing
        let host = request.url.host ?? "the host"
        let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
        let deadline = NIODeadline.now() + limit
        let timeout = self.timeout
        let client = self.client
        let timedOut = TransportFailure(kind: .timeout, message: "no answer within \(Self.seconds(timeout))")
        return await withTaskGroup(of: Result<HTTPResponse, TransportFailure>?.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(prepared, deadline: deadline)
                    var headers: [String: String] = [:]
                    for (name, value) in response.headers { headers[name.lowercased()] = value }
                    let body = try await response.body.collect(upTo: Self.maxBody)
                    return .success(HTTPResponse(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView)))
                } catch {
                    if Task.isCancelled { return .failure(timedOut) }
                    return .failure(TransportFailure.classify(error, host: host, timeout: timeout))
                }
            }
            group.addTask {
                // nil: the deadline passed first.
                try? await Task.sleep(nanoseconds: UInt64(max(timeout, 0) * 1_000_000_000))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(timedOut)
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

/// Hosts that refused a connection, did not resolve or failed TLS in this run, by
/// `scheme://host:port`: the other tokens of that host get the same answer at once.
final class HostFailures: Sendable {
    private let failures = Mutex<[String: TransportFailure]>([:])

    static func key(_ url: URL) -> String {
        "\(url.scheme ?? "")://\(url.host ?? ""):\(url.port.map(String.init) ?? "")"
    }

    func failure(of host: String) -> TransportFailure? { failures.withLock { $0[host] } }

    func record(_ failure: TransportFailure, of host: String) { failures.withLock { $0[host] = failure } }
}
