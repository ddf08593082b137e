import FeatureFlags

extension WeaknessDemonstration {
    /// The built-in demonstrations, in weakness order. W5, W6, W8 and W9 need
    /// scripted client starts and closes, cancellations and timing of a single
    /// caller; the core's test suite (`WeaknessTests`) covers them until the
    /// scenario engine runs all ten as load scenarios.
    public static let builtIn: [WeaknessDemonstration] = [
        coldHerd, churn, spellings, doubleRelease, outage, crashedFetch,
    ]

    /// W1: 1,000 concurrent callers on a cold host, 50 ms fetch (real time).
    static let coldHerd = WeaknessDemonstration(
        id: "W1", title: "cold cache: callers arriving during the first fetch get false",
        goFigure: "1 fetch, 1 true, 999 false", virtualTime: false
    ) { policy in
        let clock = CoarseMonotonicClock()
        let fetcher = InMemoryFlagFetcher(clock: clock, latency: .milliseconds(50)) { _ in .value(true) }
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        let leases = (0..<1_000).map { _ in cache.acquire("example.com") }
        let answers = await withTaskGroup(of: Bool?.self) { group in
            for lease in leases { group.addTask { try? await lease.isEnabled() } }
            return await group.reduce(into: [Bool?]()) { $0.append($1) }
        }
        for lease in leases { lease.release() }
        await cache.shutdown()
        let trues = answers.filter { $0 == true }.count
        return Outcome(
            figures: "\(fetcher.requestCount) fetch(es), \(trues) true, \(answers.count - trues) false/error",
            weaknessShown: trues < answers.count)
    }

    /// W2: 200 sequential open/check/close cycles on one host.
    static let churn = WeaknessDemonstration(
        id: "W2", title: "the last release deletes the value: churn defeats the TTL",
        goFigure: "200 fetches (minimum 1)", virtualTime: true
    ) { policy in
        let clock = ManualFlagClock()
        let fetcher = InMemoryFlagFetcher(clock: clock) { _ in .value(true) }
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        for _ in 0..<200 {
            let lease = cache.acquire("example.com")
            _ = try await lease.isEnabled()
            lease.release()
        }
        await cache.shutdown()
        return Outcome(figures: "\(fetcher.requestCount) fetch(es) (minimum 1)", weaknessShown: fetcher.requestCount > 1)
    }

    /// W3: three spellings of one host.
    static let spellings = WeaknessDemonstration(
        id: "W3", title: "cache keys by raw host, manager normalises: spellings fragment the cache",
        goFigure: "3 fetches, 1 client", virtualTime: true
    ) { policy in
        let clock = ManualFlagClock()
        let fetcher = InMemoryFlagFetcher(clock: clock) { _ in .value(true) }
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        let manager = TelemetryClientManager(policy: policy) { CountingTelemetryClient(host: $0) }
        var clients: [ClientLease] = []
        for spelling in ["example.com", "https://example.com", "EXAMPLE.com/"] {
            let lease = cache.acquire(spelling)
            _ = try await lease.isEnabled()
            lease.release()
            clients.append(try await manager.acquire(spelling))
        }
        let distinctClients = Set(clients.map { ObjectIdentifier($0.client) }).count
        for client in clients { await client.release() }
        await cache.shutdown()
        return Outcome(figures: "\(fetcher.requestCount) fetch(es), \(distinctClients) client(s)",
                       weaknessShown: fetcher.requestCount > 1 || distinctClients > 1)
    }

    /// W4: connection A releases twice while B still uses the host.
    static let doubleRelease = WeaknessDemonstration(
        id: "W4", title: "release is per host: a double release drops state others still use",
        goFigure: "B's check returns false; B's client closed while in use", virtualTime: true
    ) { policy in
        let clock = ManualFlagClock()
        let fetcher = InMemoryFlagFetcher(clock: clock) { _ in .value(true) }
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        let manager = TelemetryClientManager(policy: policy) { CountingTelemetryClient(host: $0) }
        let flagA = cache.acquire("example.com"), flagB = cache.acquire("example.com")
        let clientA = try await manager.acquire("example.com"), clientB = try await manager.acquire("example.com")
        _ = try await flagB.isEnabled()
        flagA.release(); flagA.release()
        await clientA.release(); await clientA.release()
        let answerB = try await flagB.isEnabled()
        clientB.record(TelemetryEvent(name: "query"))
        let closedWhileInUse = (clientB.client as? CountingTelemetryClient)?.eventsAfterClose ?? 0
        flagB.release()
        await clientB.release()
        await cache.shutdown()
        let doubles = cache.statistics.doubleReleases + manager.statistics.doubleReleases
        return Outcome(
            figures: "B's check: \(answerB), events on a closed client: \(closedWhileInUse), double releases counted: \(doubles)",
            weaknessShown: !answerB || closedWhileInUse > 0)
    }

    /// W7: 20 checks during an outage answering 429 with Retry-After: 60.
    static let outage = WeaknessDemonstration(
        id: "W7", title: "no backoff: every caller refetches back-to-back during an outage",
        goFigure: "(not measured on Go)", virtualTime: true
    ) { policy in
        let clock = ManualFlagClock()
        let fetcher = InMemoryFlagFetcher(clock: clock) { index in
            index == 0 ? .value(true) : .failure(FlagFetchError(.httpStatus(429), retryAfter: .seconds(60)))
        }
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        _ = try await lease.isEnabled()
        clock.advance(by: .seconds(15 * 60))
        var stale = 0
        for _ in 0..<20 where (try? await lease.isEnabled()) == true { stale += 1 }
        lease.release()
        await cache.shutdown()
        let outageFetches = fetcher.requestCount - 1
        return Outcome(figures: "\(outageFetches) fetch(es) for 20 checks in the Retry-After window, \(stale) stale answers",
                       weaknessShown: outageFetches > 1)
    }

    /// W10: a crash inside the fetch.
    static let crashedFetch = WeaknessDemonstration(
        id: "W10", title: "a crash in the fetch leaves `fetching` set: the host never refetches",
        goFigure: "(not measured on Go)", virtualTime: true
    ) { policy in
        let clock = ManualFlagClock()
        let fetcher = InMemoryFlagFetcher(clock: clock) { index in index == 0 ? .failure(FlagFetchPanic()) : .value(true) }
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        _ = try? await lease.isEnabled()
        var trues = 0
        for _ in 0..<10 {
            clock.advance(by: .seconds(3600))
            if (try? await lease.isEnabled()) == true { trues += 1 }
        }
        lease.release()
        await cache.shutdown()
        return Outcome(figures: "\(fetcher.requestCount) fetch(es) over 10 hours, \(trues)/10 checks true",
                       weaknessShown: fetcher.requestCount == 1)
    }
}
