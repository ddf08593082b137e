import FeatureFlags
import FeatureFlagsHTTP
import Testing

/// `FeatureFlagCache` end to end: the real HTTP fetcher against the loopback server.
@Suite(.timeLimit(.minutes(1)))
struct FeatureFlagCacheOverHTTPTests {
    static let callers = 200

    @Test func recommendedColdHostMakesOneRequestAndEveryCallerGetsTheValue() async throws {
        let gate = ReplyGate()
        try await withLoopbackServer(replying: { _ in .after(gate, .flag("true")) }) { server in
            try await withFetcher(server) { fetcher in
                let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher)
                let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<Self.callers {
                        group.addTask { try await cache.withLease(testHost) { try await $0.isEnabled() } }
                    }
                    // The answer is held until the one fetch has reached the server.
                    await server.waitForRequests(1)
                    gate.open()
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                await cache.shutdown()

                #expect(server.requests.count == 1)
                #expect(answers.count == Self.callers)
                #expect(answers.allSatisfy { $0 })
                #expect(cache.statistics.fetches.started == 1)
            }
        }
    }

    @Test func seedColdHostMakesOneRequestAndOnlyTheFetchingCallerGetsTheValue() async throws {
        // W1 as the Go code shows it: callers arriving while the fetch is in
        // flight answer `false`. The reply is held until every one of them has
        // answered, so exactly one caller (the fetching one) sees `true`.
        let gate = ReplyGate()
        try await withLoopbackServer(replying: { _ in .after(gate, .flag("true")) }) { server in
            try await withFetcher(server) { fetcher in
                let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher)
                let leases = (0..<Self.callers).map { _ in cache.acquire(testHost) }
                let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for lease in leases {
                        group.addTask { try await lease.isEnabled() }
                    }
                    var answers: [Bool] = []
                    for try await answer in group {
                        answers.append(answer)
                        if answers.count == Self.callers - 1 {
                            await server.waitForRequests(1)
                            gate.open()
                        }
                    }
                    return answers
                }
                for lease in leases { lease.release() }
                await cache.shutdown()

                #expect(server.requests.count == 1)
                #expect(answers.count == Self.callers)
                #expect(answers.filter { $0 }.count == 1)
                #expect(answers.filter { !$0 }.count == Self.callers - 1)
                #expect(answers.last == true)
            }
        }
    }

    @Test func sharedCacheIsRecommended() {
        #expect(FeatureFlagCache.shared.policy == .recommended)
        #expect(FeatureFlagCache.shared === FeatureFlagCache.shared)
    }
}
