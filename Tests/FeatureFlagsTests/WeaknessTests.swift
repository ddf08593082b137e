@testable import FeatureFlags
import Testing

/// W1–W10 of REFERENCE-BEHAVIOUR.md: each shown under `seed` (the Go code's
/// behaviour, reproduced) and fixed under `recommended`, with fetch counts and
/// answers asserted, not only reference counts.
@Suite struct WeaknessTests {
    let clock = ManualFlagClock()

    /// Checks through `lease` when that check has to fetch: waits until the
    /// fetch is parked on the clock (its 50 ms latency and its timeout), lets
    /// the 50 ms pass, and returns the answer.
    func checkThroughSlowFetch(_ lease: FlagLease) async throws -> Bool {
        async let answer = lease.isEnabled()
        await clock.waitForSleepers(atLeast: 2)
        clock.advance(by: .milliseconds(50))
        return try await answer
    }

    // MARK: W1 cold-cache herd

    @Test func w1SeedColdHerdGetsOneTrueAndFalseForEveryoneElse() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher, clock: clock)
        let leases = (0..<1_000).map { _ in cache.acquire("example.com") }
        let answers = await withTaskGroup(of: Bool?.self) { group in
            for lease in leases { group.addTask { try? await lease.isEnabled() } }
            var answers: [Bool?] = []
            for await answer in group {
                answers.append(answer)
                if answers.count == 999 {
                    // Everyone but the fetching caller has answered while the fetch is parked.
                    await clock.waitForSleepers(atLeast: 2)
                    clock.advance(by: .milliseconds(50))
                }
            }
            return answers
        }
        #expect(fetcher.fetchCount == 1)
        #expect(answers.filter { $0 == true }.count == 1)
        #expect(answers.filter { $0 == false }.count == 999)
        for lease in leases { lease.release() }
    }

    @Test func w1RecommendedColdHerdWaitsForOneFetchAndAllGetTrue() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock)
        let leases = (0..<1_000).map { _ in cache.acquire("example.com") }
        async let answers = concurrently(1_000) { index in try? await leases[index].isEnabled() }
        await cache.waitForWaitingCallers(atLeast: 1_000)
        await clock.waitForSleepers(atLeast: 2)
        #expect(fetcher.fetchCount == 1)
        clock.advance(by: .milliseconds(50))
        let results = await answers
        #expect(fetcher.fetchCount == 1)
        #expect(results.count == 1_000)
        #expect(results.allSatisfy { $0 == true })
        for lease in leases { lease.release() }
    }

    // MARK: W2 churn defeats the TTL

    @Test(arguments: [(FlagCachePolicy.seed, 200), (.recommended, 1)])
    func w2SequentialOpenCheckClose(policy: FlagCachePolicy, expectedFetches: Int) async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        for _ in 0..<200 {
            let lease = cache.acquire("example.com")
            #expect(try await lease.isEnabled())
            lease.release()
        }
        #expect(fetcher.fetchCount == expectedFetches)
    }

    // MARK: W3 host spellings

    @Test(arguments: [(FlagCachePolicy.seed, 3), (.recommended, 1)])
    func w3SpellingsOfOneHost(policy: FlagCachePolicy, expectedFetches: Int) async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock)
        let recorder = ClientFactoryRecorder()
        let manager = TelemetryClientManager(policy: policy, factory: recorder.factory)
        var clientLeases: [ClientLease] = []
        for spelling in ["example.com", "https://example.com", "EXAMPLE.com/"] {
            let lease = cache.acquire(HostKey(spelling))
            #expect(try await lease.isEnabled())
            clientLeases.append(try await manager.acquire(HostKey(spelling)))
        }
        #expect(fetcher.fetchCount == expectedFetches)
        #expect(recorder.clients.count == 1, "both policies' managers normalise these three")
        #expect(Set(clientLeases.map { ObjectIdentifier($0.client) }).count == 1)
        for lease in clientLeases { await lease.release() }
        #expect(recorder.clients[0].closeCount == 1)
    }

    // MARK: W4 double release

    @Test func w4SeedDoubleReleaseDropsTheOtherConnectionsStateAndClient() async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher, clock: clock)
        let recorder = ClientFactoryRecorder()
        let manager = TelemetryClientManager(policy: .seed, factory: recorder.factory)

        let flagA = cache.acquire("example.com"), flagB = cache.acquire("example.com")
        let clientA = try await manager.acquire("example.com"), clientB = try await manager.acquire("example.com")
        #expect(try await flagB.isEnabled())

        flagA.release(); flagA.release()
        await clientA.release(); await clientA.release()

        #expect(try await flagB.isEnabled() == false, "B's context was deleted under it")
        let client = recorder.clients[0]
        #expect(client.closeCount == 1, "B's shared client was closed")
        clientB.record(TelemetryEvent(name: "query"))
        #expect(client.eventsAfterClose == 1, "B keeps using a closed client")
        flagB.release()
        await clientB.release()
        #expect(manager.statistics.liveClients == 0)
        #expect(cache.statistics.entries == 0)
    }

    @Test func w4RecommendedDoubleReleaseIsCountedAndLeavesTheOtherConnectionAlone() async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock)
        let recorder = ClientFactoryRecorder()
        let manager = TelemetryClientManager(policy: .recommended, factory: recorder.factory)

        let flagA = cache.acquire("example.com"), flagB = cache.acquire("example.com")
        let clientA = try await manager.acquire("example.com"), clientB = try await manager.acquire("example.com")
        #expect(try await flagB.isEnabled())

        flagA.release(); flagA.release()
        await clientA.release(); await clientA.release()

        #expect(try await flagB.isEnabled())
        #expect(fetcher.fetchCount == 1)
        #expect(cache.statistics.doubleReleases == 1)
        #expect(manager.statistics.doubleReleases == 1)
        let client = recorder.clients[0]
        #expect(client.closeCount == 0)
        clientB.record(TelemetryEvent(name: "query"))
        #expect(client.eventsAfterClose == 0)
        flagB.release()
        await clientB.release()
        #expect(client.closeCount == 1, "closed by the real last release")
    }

    // MARK: W5 slow start under the global lock

    @Test func w5SeedSlowStartOnOneHostBlocksEveryOtherHost() async throws {
        let recorder = ClientFactoryRecorder()
        let slowStart = Latch()
        recorder.holdStart(of: "slow.example", on: slowStart)
        let manager = TelemetryClientManager(policy: .seed, factory: recorder.factory)

        async let slow = manager.acquire("slow.example")
        await slowStart.waitForArrivals(1)
        async let fast = manager.acquire("fast.example")
        await manager.waitForParkedAcquirers(atLeast: 1)
        #expect(recorder.clients.count == 1, "fast.example is queued behind slow.example's start")

        slowStart.open()
        let (slowLease, fastLease) = try await (slow, fast)
        #expect(recorder.clients.count == 2)
        await slowLease.release()
        await fastLease.release()
    }

    @Test(.timeLimit(.minutes(1)))
    func w5RecommendedSlowStartOnOneHostBlocksOnlyThatHost() async throws {
        let recorder = ClientFactoryRecorder()
        let slowStart = Latch()
        recorder.holdStart(of: "slow.example", on: slowStart)
        let manager = TelemetryClientManager(policy: .recommended, factory: recorder.factory)

        async let slow = manager.acquire("slow.example")
        await slowStart.waitForArrivals(1)
        async let slowToo = manager.acquire("slow.example")
        await manager.waitForParkedAcquirers(atLeast: 1)

        // Another host is served while slow.example is still starting.
        let fastLease = try await manager.acquire("fast.example")
        #expect(recorder.clients.map(\.host.normalized) == ["slow.example", "fast.example"])

        slowStart.open()
        let (slowLease, slowLease2) = try await (slow, slowToo)
        #expect(slowLease.client === slowLease2.client, "the parked acquirer shares the started client")
        #expect(recorder.clients.count == 2)
        await slowLease.release(); await slowLease2.release(); await fastLease.release()
        #expect(recorder.clients.allSatisfy { $0.startCount == 1 && $0.closeCount == 1 })
    }

    // MARK: W6 acquire during a slow close

    @Test func w6SeedAcquireDuringCloseBuildsASecondLiveClient() async throws {
        let recorder = ClientFactoryRecorder()
        let manager = TelemetryClientManager(policy: .seed, factory: recorder.factory)
        let first = try await manager.acquire("example.com")
        let slowClose = Latch()
        recorder.holdClose(on: slowClose)

        async let closing: Void = first.release()
        await slowClose.waitForArrivals(1)
        recorder.holdClose(on: nil)
        let second = try await manager.acquire("example.com")

        #expect(recorder.clients.count == 2, "a second client for the same host")
        #expect(recorder.clients[1].isLive)
        #expect(recorder.clients[0].closeCount == 1)  // still inside its close
        slowClose.open()
        await closing
        await second.release()
    }

    @Test(.timeLimit(.minutes(1)))
    func w6RecommendedAcquireDuringCloseWaitsForTheClose() async throws {
        let recorder = ClientFactoryRecorder()
        let manager = TelemetryClientManager(policy: .recommended, factory: recorder.factory)
        let first = try await manager.acquire("example.com")
        let slowClose = Latch()
        recorder.holdClose(on: slowClose)

        async let closing: Void = first.release()
        await slowClose.waitForArrivals(1)
        recorder.holdClose(on: nil)
        async let second = manager.acquire("example.com")
        await manager.waitForParkedAcquirers(atLeast: 1)
        #expect(recorder.clients.count == 1, "no second client while the first is closing")

        slowClose.open()
        await closing
        let secondLease = try await second
        #expect(recorder.clients.count == 2, "a fresh client once the close returned")
        #expect(secondLease.client === recorder.clients[1])
        #expect(recorder.clients[0].closeCount == 1)
        await secondLease.release()
    }

    // MARK: W7 no backoff

    @Test func w7SeedRefetchesOnEveryCheckDuringAnOutage() async throws {
        let fetcher = ScriptedFlagFetcher { _, index in
            index == 0 ? .value(true) : .failure(FlagFetchError(.httpStatus(429), retryAfter: .seconds(60)))
        }
        let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled())
        clock.advance(by: .seconds(15 * 60))
        for _ in 0..<20 { #expect(try await lease.isEnabled(), "stale value") }
        #expect(fetcher.fetchCount == 21, "one fetch per check: no backoff, Retry-After ignored")
    }

    @Test func w7RecommendedBacksOffHonouringRetryAfterAndServesStale() async throws {
        let fetcher = ScriptedFlagFetcher { _, index in
            index == 0 || index >= 3 ? .value(true) : .failure(FlagFetchError(.httpStatus(429), retryAfter: .seconds(60)))
        }
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled())
        clock.advance(by: .seconds(15 * 60))
        for _ in 0..<20 { #expect(try await lease.isEnabled(), "stale value") }
        await cache.shutdown()
        for _ in 0..<20 { #expect(try await lease.isEnabled(), "stale value") }
        #expect(fetcher.fetchCount == 2, "one failed fetch, then backing off")
        clock.advance(by: .seconds(59))
        #expect(try await lease.isEnabled())
        await cache.shutdown()
        #expect(fetcher.fetchCount == 2, "Retry-After: 60 still in force")
        clock.advance(by: .seconds(1))
        #expect(try await lease.isEnabled())
        await cache.shutdown()
        #expect(fetcher.fetchCount == 3)
        clock.advance(by: .seconds(60))
        #expect(try await lease.isEnabled())
        await cache.shutdown()
        #expect(fetcher.fetchCount == 4, "recovered")
        clock.advance(by: .seconds(60))
        #expect(try await lease.isEnabled())
        await cache.shutdown()
        #expect(fetcher.fetchCount == 4, "fresh again for a full TTL")
    }

    @Test func w7RecommendedBackoffGrowsExponentiallyWithoutRetryAfter() async throws {
        let fetcher = ScriptedFlagFetcher { _, _ in .failure(FlagFetchError(.httpStatus(503))) }
        var configuration = FlagCacheConfiguration()
        configuration.backoffBase = .seconds(10)
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock, configuration: configuration)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        // Check once a second for 10 minutes: backoffs of 10, 20, 40, 80, 160, 300 s (each jittered to 50–100 %).
        for _ in 0..<600 {
            _ = try? await lease.isEnabled()
            clock.advance(by: .seconds(1))
        }
        #expect(fetcher.fetchCount >= 5 && fetcher.fetchCount <= 9, "got \(fetcher.fetchCount), not one per check")
    }

    // MARK: W8 the shared fetch dies with the first caller

    @Test func w8SeedCancelledFirstCallerFailsTheSharedFetch() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        let first = Task { try await lease.isEnabled() }
        await clock.waitForSleepers(atLeast: 2)
        #expect(try await lease.isEnabled() == false, "a second caller meanwhile gets false")
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(cache.statistics.inFlight == 0)
        // Nothing was cached: the next caller fetches again.
        #expect(try await checkThroughSlowFetch(lease))
        #expect(fetcher.fetchCount == 2)
    }

    @Test func w8RecommendedCancelledFirstCallerLeavesTheFetchToTheOthers() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        let first = Task { try await lease.isEnabled() }
        await cache.waitForWaitingCallers(atLeast: 1)
        async let second = lease.isEnabled()
        await cache.waitForWaitingCallers(atLeast: 2)
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        await clock.waitForSleepers(atLeast: 2)
        clock.advance(by: .milliseconds(50))
        #expect(try await second)
        #expect(try await lease.isEnabled())
        #expect(fetcher.fetchCount == 1)
    }

    // MARK: W9 refresh on the caller's path

    @Test func w9SeedFirstCallerAfterExpiryWaitsForTheFetch() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await checkThroughSlowFetch(lease))

        clock.advance(by: .seconds(15 * 60))
        let returned = Locked(false)
        async let afterExpiry: Bool = {
            defer { returned.withLock { $0 = true } }
            return try await lease.isEnabled()
        }()
        await clock.waitForSleepers(atLeast: 2)
        #expect(returned.withLock { $0 } == false, "the caller is stuck behind the fetch")
        clock.advance(by: .milliseconds(50))
        #expect(try await afterExpiry)
        #expect(fetcher.fetchCount == 2)
    }

    @Test func w9RecommendedRefreshesAheadWithoutMakingAnyoneWait() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await checkThroughSlowFetch(lease))

        clock.advance(by: .seconds(14 * 60))  // inside the last 10 % of the TTL
        #expect(try await lease.isEnabled(), "answered at once while the refresh starts")
        await clock.waitForSleepers(atLeast: 2)
        #expect(fetcher.fetchCount == 2)
        #expect(cache.statistics.inFlight == 1)
        for _ in 0..<100 { #expect(try await lease.isEnabled()) }
        #expect(fetcher.fetchCount == 2, "one refresh, however many callers")
        clock.advance(by: .milliseconds(50))
        await cache.shutdown()
        clock.advance(by: .seconds(60))  // past the old expiry
        #expect(try await lease.isEnabled())
        #expect(fetcher.fetchCount == 2, "the refreshed value is served, nobody waited")
    }

    // MARK: W10 a crash in the fetch leaves `fetching` set

    @Test func w10SeedPanicInTheFetchStopsTheHostFromEverRefetching() async throws {
        let fetcher = ScriptedFlagFetcher { _, _ in .failure(FlagFetchPanic()) }
        let cache = FeatureFlagCache(policy: .seed, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        await #expect(throws: FlagFetchPanic.self) { try await lease.isEnabled() }
        #expect(cache.statistics.inFlight == 1)
        for _ in 0..<10 {
            clock.advance(by: .seconds(3600))
            #expect(try await lease.isEnabled() == false)
        }
        #expect(fetcher.fetchCount == 1, "never refetched")
    }

    @Test func w10RecommendedClearsTheInFlightStateWhateverTheFetchDid() async throws {
        let fetcher = ScriptedFlagFetcher { _, index in index == 0 ? .failure(FlagFetchPanic()) : .value(true) }
        let cache = FeatureFlagCache(policy: .recommended, fetcher: fetcher, clock: clock)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        await #expect(throws: FlagFetchPanic.self) { try await lease.isEnabled() }
        #expect(cache.statistics.inFlight == 0)
        clock.advance(by: .seconds(2))  // past the first backoff (at most 1 s)
        #expect(try await lease.isEnabled())
        #expect(fetcher.fetchCount == 2)
    }
}
