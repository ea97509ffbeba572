import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

    let session: URLSession
    let timeout: TimeInterval
    let retry: RetryPolicy
    let userAgent: String

    public init(timeout: TimeInterval, retry: RetryPolicy, userAgent: String) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * Double(retry.maxRetries + 2) + retry.maxWait
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
        self.timeout = timeout
        self.retry = retry
        self.userAgent = userAgent
    }

    deinit { session.finishTasksAndInvalidate() }

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
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        urlRequest.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        if let body = request.body { urlRequest.httpBody = Data(body) }
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                return .failure(TransportFailure(kind: .other, message: "not an HTTP response"))
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            return .success(HTTPResponse(status: http.statusCode, headers: headers, body: Array(data)))
        } catch let error as URLError {
            switch error.code {
            case .timedOut:
                return .failure(TransportFailure(kind: .timeout, message: "no answer within \(Self.seconds(timeout))"))
            case .cannotConnectToHost, .cannotFindHost, .networkConnectionLost, .notConnectedToInternet, .dnsLookupFailed:
                return .failure(TransportFailure(kind: .connection, message: "cannot connect to \(request.url.host ?? "the host")"))
            default:
                return .failure(TransportFailure(kind: .other, message: "request failed (\(error.code.rawValue))"))
            }
        } catch {
            return .failure(TransportFailure(kind: .other, message: "request failed: \(error.localizedDescription)"))
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

/// Answers every redirect with "do not follow".
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
