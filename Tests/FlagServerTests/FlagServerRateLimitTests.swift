import FeatureFlags
import FlagServer
import Testing

@Suite struct FlagServerRateLimitTests {
    private func model(perHost: FlagServerRateLimit? = nil, global: FlagServerRateLimit? = nil) -> FlagServerModel {
        makeModel(FlagServerConfiguration(rateLimits: FlagServerRateLimits(perHost: perHost, global: global)))
    }

    @Test func burstOverThePerHostLimitGetsExactlyTheExcessAs429() {
        let model = model(perHost: FlagServerRateLimit(requests: 100, per: .seconds(60), burst: 20))
        let statuses = (0..<100).map { _ in model.handle(host: "a.example", at: at(.zero)).response?.status }
        #expect(statuses.filter { $0 == 200 }.count == 20)
        #expect(statuses.filter { $0 == 429 }.count == 80)
        #expect(Array(statuses.prefix(20)) == Array(repeating: 200, count: 20))
        let statistics = model.statistics()
        #expect(statistics[.rateLimited] == 80)
        #expect(statistics.hosts["a.example"]?[.rateLimited] == 80)
        // Another host has its own bucket.
        #expect(model.handle(host: "b.example", at: at(.zero)).response?.status == 200)
    }

    @Test func retryAfterIsTheTimeUntilATokenRoundedUpToWholeSeconds() {
        let model = model(perHost: FlagServerRateLimit(requests: 10, per: .seconds(60), burst: 5))
        for _ in 0..<5 { #expect(model.handle(host: "a.example", at: at(.zero)).response?.status == 200) }
        // Empty bucket, one token every 6 s.
        let limited = model.handle(host: "a.example", at: at(.zero)).response
        #expect(limited?.status == 429)
        #expect(limited?.retryAfterSeconds == 6)
        #expect(model.journal().last?.outcome == .rateLimited(retryAfterSeconds: 6))
        // 0.1 s short of a token: still limited, Retry-After rounds up to 1 (never 0).
        let almost = model.handle(host: "a.example", at: at(.milliseconds(5_900))).response
        #expect(almost?.status == 429)
        #expect(almost?.retryAfterSeconds == 1)
        // Honouring Retry-After gets an answer, and the refused requests took no tokens.
        #expect(model.handle(host: "a.example", at: at(.seconds(6))).response?.status == 200)
        #expect(model.handle(host: "a.example", at: at(.seconds(6))).response?.status == 429)

        let fractional = self.model(perHost: FlagServerRateLimit(requests: 3, per: .seconds(10), burst: 1))
        #expect(fractional.handle(host: "a.example", at: at(.zero)).response?.status == 200)
        // One token every 3.33 s: Retry-After 4.
        #expect(fractional.handle(host: "a.example", at: at(.zero)).response?.retryAfterSeconds == 4)
    }

    @Test func globalLimitIsSharedByAllHosts() {
        let model = model(global: FlagServerRateLimit(requests: 3, per: .seconds(1)))
        let statuses = ["a", "b", "c", "d"].map { model.handle(host: "\($0).example", at: at(.zero)).response?.status }
        #expect(statuses == [200, 200, 200, 429])
        #expect(model.handle(host: "e.example", at: at(.zero)).response?.retryAfterSeconds == 1)
        #expect(model.handle(host: "e.example", at: at(.milliseconds(334))).response?.status == 200)
    }

    @Test func aRequestRefusedByOneBucketTakesNoTokenFromTheOther() {
        let model = model(perHost: FlagServerRateLimit(requests: 1, per: .seconds(10)),
                          global: FlagServerRateLimit(requests: 2, per: .seconds(10)))
        #expect(model.handle(host: "a.example", at: at(.zero)).response?.status == 200)
        // a's own bucket refuses; the global bucket keeps its second token for b.
        #expect(model.handle(host: "a.example", at: at(.zero)).response?.status == 429)
        #expect(model.handle(host: "b.example", at: at(.zero)).response?.status == 200)
        // Now the global bucket refuses c, with its own wait (5 s per token).
        let refused = model.handle(host: "c.example", at: at(.zero)).response
        #expect(refused?.status == 429)
        #expect(refused?.retryAfterSeconds == 5)
    }

    @Test func rateLimitComesBeforeOutagesAndFaults() {
        var configuration = FlagServerConfiguration(
            faults: [FlagServerFault(.reset, probability: 1)],
            rateLimits: FlagServerRateLimits(perHost: FlagServerRateLimit(requests: 1, per: .seconds(60))))
        configuration.outages = [FlagServerOutage(window: FlagServerTimeWindow(start: .seconds(100), end: .seconds(200)))]
        let model = makeModel(configuration)
        #expect(model.handle(host: "a.example", at: at(.zero)).action == .reset)
        #expect(model.handle(host: "a.example", at: at(.zero)).response?.status == 429)
        #expect(model.handle(host: "a.example", at: at(.seconds(150))).response?.status == 503)
        #expect(model.handle(host: "a.example", at: at(.seconds(150))).response?.status == 429)
    }
}
