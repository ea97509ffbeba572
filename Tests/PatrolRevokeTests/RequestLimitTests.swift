import Foundation
import Testing
@testable import PatrolRevoke

/// `--max-requests` and `--rate` against the real local server: the cap is a hard limit on what
/// leaves the machine, retries included, and the rate spaces each provider's requests.
@Suite struct RequestLimitTests {
    private func access(_ fake: FakeProviders, maxRequests: Int? = nil, rate: Double? = nil) throws -> ProviderAccess {
        var access = try fake.access()
        access.limits = RequestLimits(maxRequests: maxRequests, perSecond: rate)
        return access
    }

    @Test func noRequestGoesPastTheCapAndTheRestAreSaidToBeUnchecked() async throws {
        let fake = try FakeProviders()
        let secrets = (1...4).map { Secrets.gitHub(seed: 40 + UInt64($0)) }
        for secret in secrets { fake.makeLive(secret) }
        let results = await Verifier(access: try access(fake, maxRequests: 2)).verify(secrets.map { Leaked.gitHub($0) })
        #expect(fake.requests.count == 2, "\(fake.requests.map(\.line))")
        let outcomes = results.values.map(\.outcome)
        #expect(outcomes.filter { $0 == .live }.count == 2)
        #expect(outcomes.filter { $0 == .failed }.count == 2)
        #expect(results.values.filter { $0.outcome == .failed }.allSatisfy { ($0.message ?? "").contains("--max-requests 2 reached") })
    }

    @Test func retriesCountAgainstTheCap() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitHub(seed: 45)
        fake.makeLive(secret)
        fake.fail("GET", "/github/user", with: .json(503, ["message": "maintenance"]), times: 10)
        let result = try #require(await Verifier(access: try access(fake, maxRequests: 2)).verify([Leaked.gitHub(secret)]).values.first)
        #expect(fake.requests.count == 2)
        #expect(result.outcome == .failed)
    }

    @Test func aCapOfZeroSendsNothing() async throws {
        let fake = try FakeProviders()
        let secret = Secrets.gitLab(seed: 46)
        fake.makeLive(secret)
        let result = try #require(await Verifier(access: try access(fake, maxRequests: 0)).verify([Leaked.gitLab(secret)]).values.first)
        #expect(fake.requests.isEmpty)
        #expect(result.outcome == .failed)
    }

    /// Four GitHub tokens at 5 requests a second: the last request cannot leave before 0.6 s
    /// (three gaps of 0.2 s). Only a lower bound is asserted: a slow machine makes it later, never
    /// earlier.
    @Test func theRateSpacesEachProvidersRequests() async throws {
        let fake = try FakeProviders()
        let secrets = (1...4).map { Secrets.gitHub(seed: 50 + UInt64($0)) }
        for secret in secrets { fake.makeLive(secret) }
        let clock = ContinuousClock()
        let start = clock.now
        let results = await Verifier(access: try access(fake, rate: 5)).verify(secrets.map { Leaked.gitHub($0) })
        let elapsed = clock.now - start
        #expect(results.values.allSatisfy { $0.outcome == .live })
        #expect(fake.requests.count == 4)
        #expect(elapsed >= .milliseconds(590), "\(elapsed)")
    }

    /// The rate is per provider: one request each to GitHub and GitLab share no slot.
    @Test func theRateIsPerProvider() async throws {
        let gate = RequestGate(limits: RequestLimits(perSecond: 1))
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await gate.admit("github"))
        #expect(await gate.admit("gitlab"))
        #expect(clock.now - start < .milliseconds(900), "a second provider waited for the first one's slot")
        #expect(await gate.admit("github"))
        #expect(clock.now - start >= .milliseconds(990))
    }
}
