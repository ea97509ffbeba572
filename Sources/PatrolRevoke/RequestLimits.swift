import Foundation
import Synchronization

/// What one run may send: `--max-requests` (a hard cap on requests sent, retries included)
/// and `--rate` (at most so many requests a second to each provider).
public struct RequestLimits: Sendable {
    public var maxRequests: Int?
    public var perSecond: Double?

    public init(maxRequests: Int? = nil, perSecond: Double? = nil) {
        self.maxRequests = maxRequests
        self.perSecond = perSecond
    }
}

/// Hands out the run's requests: each one waits for its provider's next slot, and once
/// `maxRequests` have gone, no more go at all.
final class RequestGate: Sendable {
    let limits: RequestLimits
    private struct State {
        var sent = 0
        var next: [String: ContinuousClock.Instant] = [:]
    }
    private let state = Mutex(State())

    init(limits: RequestLimits) { self.limits = limits }

    /// False: the cap is reached and the request must not be sent. Otherwise returns when the
    /// request may go.
    func admit(_ key: String) async -> Bool {
        let clock = ContinuousClock()
        let slot: ContinuousClock.Instant? = state.withLock { state in
            if let cap = limits.maxRequests, state.sent >= cap { return nil }
            state.sent += 1
            let now = clock.now
            guard let rate = limits.perSecond, rate > 0 else { return now }
            let slot = max(now, state.next[key] ?? now)
            state.next[key] = slot + .nanoseconds(Int64(1_000_000_000 / rate))
            return slot
        }
        guard let slot else { return false }
        if slot > clock.now { try? await Task.sleep(until: slot, clock: clock) }
        return true
    }

    /// Requests sent so far.
    var sent: Int { state.withLock { $0.sent } }
}
